// Evaluation of a model over a data set: classification (loss, accuracy, top-k, confusion) and
// regression (MSE, RMSE, MAE, R²), accumulated in double in the data set's order.
#include "eta/train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/ops/loss.h"
#include "eta/util/parse.h"

namespace eta::train {

Task parse_task(const std::string& text) {
  const std::string t = util::canonical_name(text);
  if (t == "classification") return Task::Classification;
  if (t == "regression") return Task::Regression;
  detail::throw_error("task must be classification or regression, got '", text, "'");
}

std::map<std::string, double> Evaluation::metrics(const std::string& prefix) const {
  std::map<std::string, double> m{{prefix + "loss", loss}};
  if (task == Task::Classification) {
    m[prefix + "acc"] = accuracy();
    for (const auto& [k, v] : top_k) m[prefix + "top" + std::to_string(k)] = v;
  } else {
    m[prefix + "rmse"] = rmse;
    m[prefix + "mae"] = mae;
    m[prefix + "r2"] = r2;
  }
  return m;
}

namespace {

// Rows whose target's logit is among the k largest (ties counted against it: strictly greater
// logits only), as torch.topk-based accuracy does for distinct values.
int64_t count_top_k(const Tensor& logits, const Tensor& target, int64_t k) {
  const Tensor l = logits.to(kFloat64).contiguous();
  const double* p = l.data_ptr<double>();
  const std::vector<int64_t> t = target.to_int_vector();
  const int64_t n = l.size(0), c = l.size(1);
  int64_t hits = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = p[i * c + t[static_cast<size_t>(i)]];
    int64_t greater = 0;
    for (int64_t j = 0; j < c; ++j) greater += p[i * c + j] > v;
    hits += greater < k;
  }
  return hits;
}

}  // namespace

namespace {

// The sums an evaluation is made of; those of disjoint slices add up to the whole set's.
struct EvalSums {
  double examples = 0, loss = 0, hits_k = 0, sq = 0, abs = 0, y_sum = 0, y_sq = 0;
  std::vector<double> pack() const { return {examples, loss, hits_k, sq, abs, y_sum, y_sq}; }
  void unpack(const std::vector<double>& v) {
    examples = v[0], loss = v[1], hits_k = v[2], sq = v[3], abs = v[4], y_sum = v[5], y_sq = v[6];
  }
};

// Adds the other ranks' sums and confusion counts to this rank's (exact: counts stay below 2^53).
void reduce_sums(DataParallel& replicas, EvalSums& sums, ConfusionMatrix& confusion, bool has_confusion) {
  std::vector<double> classes{has_confusion ? static_cast<double>(confusion.num_classes()) : 0.0};
  replicas.all_reduce(classes, ReduceOp::Max);
  const int64_t c = static_cast<int64_t>(classes[0]);
  std::vector<double> v = sums.pack();
  const size_t head = v.size();
  if (c > 0) {
    ETA_CHECK(!has_confusion || confusion.num_classes() == c, "evaluate: the ranks' models give ",
              confusion.num_classes(), " and ", c, " classes");
    v.resize(head + static_cast<size_t>(c * c), 0.0);
    if (has_confusion)
      for (size_t i = 0; i < confusion.counts().size(); ++i) v[head + i] = static_cast<double>(confusion.counts()[i]);
  }
  replicas.all_reduce(v, ReduceOp::Sum);
  sums.unpack(v);
  if (c > 0) {
    std::vector<int64_t> counts(static_cast<size_t>(c * c));
    for (size_t i = 0; i < counts.size(); ++i) counts[i] = static_cast<int64_t>(v[head + i]);
    confusion = ConfusionMatrix(c);
    confusion.add_counts(counts);
  }
}

}  // namespace

Evaluation evaluate(nn::Module& model, const data::Dataset& set, Task task, const data::TransformList& transforms,
                    int64_t batch_size, int64_t top_k, DataParallel* replicas) {
  const int64_t W = replicas ? replicas->world_size() : 1;
  data::DataLoader loader(set, {.batch_size = batch_size * W, .shuffle = false, .transforms = transforms,
                                .rank = replicas ? replicas->rank() : 0, .world_size = W});
  Evaluation ev;
  ev.task = task;
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  EvalSums sums;
  bool first = true;
  for (data::Batch b; loader.next(b);) {
    const int64_t n = b.target.size(0);
    if (n == 0) continue;  // this rank's slice of a short last batch
    const Tensor out = model.forward(b.input);
    sums.examples += static_cast<double>(n);
    if (task == Task::Classification) {
      ETA_CHECK(out.dim() == 2, "evaluate: classification needs logits [N, classes], got ", shape_str(out.shape()));
      if (first) ev.confusion = ConfusionMatrix(std::max<int64_t>(out.size(1), set.num_classes()));
      sums.loss += cross_entropy(out, b.target, Reduction::Sum).item();
      ev.confusion.add(out, b.target);
      if (top_k > 0 && out.size(1) > top_k) sums.hits_k += static_cast<double>(count_top_k(out, b.target, top_k));
    } else {
      const std::vector<double> p = out.to_vector(), y = b.target.to_vector();
      ETA_CHECK(p.size() == y.size(), "evaluate: the model gives ", shape_str(out.shape()), " for targets ",
                shape_str(b.target.shape()));
      for (size_t i = 0; i < p.size(); ++i) {
        sums.sq += (p[i] - y[i]) * (p[i] - y[i]);
        sums.abs += std::abs(p[i] - y[i]);
        sums.y_sum += y[i];
        sums.y_sq += y[i] * y[i];
      }
    }
    first = false;
  }
  model.train(was_training);
  if (replicas) reduce_sums(*replicas, sums, ev.confusion, task == Task::Classification && !first);
  ev.examples = static_cast<int64_t>(sums.examples);
  const double n = static_cast<double>(std::max<int64_t>(ev.examples, 1));
  if (task == Task::Classification) {
    ev.loss = sums.loss / n;
    // Top-k says something only with more than k classes.
    if (top_k > 0 && ev.confusion.num_classes() > top_k) ev.top_k[top_k] = sums.hits_k / n;
  } else {
    const double values = static_cast<double>(std::max<int64_t>(ev.examples * set.spec().target_numel(), 1));
    ev.loss = sums.sq / values;
    ev.rmse = std::sqrt(ev.loss);
    ev.mae = sums.abs / values;
    const double var = sums.y_sq / values - (sums.y_sum / values) * (sums.y_sum / values);
    ev.r2 = var > 0 ? 1 - ev.loss / var : std::numeric_limits<double>::quiet_NaN();
  }
  return ev;
}

}  // namespace eta::train
