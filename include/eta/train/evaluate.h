// Evaluation of a model on a data set: the mean loss and, for classification, accuracy, top-k
// accuracy and the confusion matrix; for regression, RMSE, MAE and R². In eval mode and without
// autograd; the model's mode is restored afterwards.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "eta/data/data_loader.h"
#include "eta/nn/module.h"
#include "eta/train/data_parallel.h"
#include "eta/train/metrics.h"

namespace eta::train {

enum class Task { Classification, Regression };

// "classification" or "regression" (any case); throws eta::Error naming the value otherwise.
Task parse_task(const std::string& text);

struct Evaluation {
  Task task = Task::Classification;
  int64_t examples = 0;
  double loss = 0;                      // mean cross-entropy or mean squared error
  ConfusionMatrix confusion{1};         // classification only
  std::map<int64_t, double> top_k;      // k -> top-k accuracy (classification)
  double rmse = 0, mae = 0, r2 = 0;     // regression only (r2 is NaN for a constant target)
  double accuracy() const { return confusion.accuracy(); }
  // {"loss", "acc", "top5"} or {"loss", "rmse", "mae", "r2"}, each name prefixed by `prefix`.
  std::map<std::string, double> metrics(const std::string& prefix = "") const;
};

// Runs `model` over `set` in batches of `batch_size`, after `transforms`. With `replicas`, each
// rank evaluates its own disjoint slice (batches of batch_size per rank) and the exact sums and
// counts are reduced, so every rank returns the figures of the whole set, no example twice.
Evaluation evaluate(nn::Module& model, const data::Dataset& set, Task task, const data::TransformList& transforms = {},
                    int64_t batch_size = 1000, int64_t top_k = 5, DataParallel* replicas = nullptr);

}  // namespace eta::train
