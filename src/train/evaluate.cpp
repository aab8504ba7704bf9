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

Evaluation evaluate(nn::Module& model, const data::Dataset& set, Task task, const data::TransformList& transforms,
                    int64_t batch_size, int64_t top_k) {
  data::DataLoader loader(set, {.batch_size = batch_size, .shuffle = false, .transforms = transforms});
  Evaluation ev;
  ev.task = task;
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  double loss_sum = 0, sq = 0, abs = 0, y_sum = 0, y_sq = 0;
  int64_t hits_k = 0;
  bool first = true;
  for (data::Batch b; loader.next(b);) {
    const Tensor out = model.forward(b.input);
    const int64_t n = b.target.size(0);
    ev.examples += n;
    if (task == Task::Classification) {
      ETA_CHECK(out.dim() == 2, "evaluate: classification needs logits [N, classes], got ", shape_str(out.shape()));
      if (first) ev.confusion = ConfusionMatrix(std::max<int64_t>(out.size(1), set.num_classes()));
      loss_sum += cross_entropy(out, b.target, Reduction::Sum).item();
      ev.confusion.add(out, b.target);
      if (top_k > 0 && out.size(1) > top_k) hits_k += count_top_k(out, b.target, top_k);
    } else {
      const std::vector<double> p = out.to_vector(), y = b.target.to_vector();
      ETA_CHECK(p.size() == y.size(), "evaluate: the model gives ", shape_str(out.shape()), " for targets ",
                shape_str(b.target.shape()));
      for (size_t i = 0; i < p.size(); ++i) {
        sq += (p[i] - y[i]) * (p[i] - y[i]);
        abs += std::abs(p[i] - y[i]);
        y_sum += y[i];
        y_sq += y[i] * y[i];
      }
    }
    first = false;
  }
  model.train(was_training);
  const double n = static_cast<double>(std::max<int64_t>(ev.examples, 1));
  if (task == Task::Classification) {
    ev.loss = loss_sum / n;
    // Top-k says something only with more than k classes.
    if (top_k > 0 && ev.confusion.num_classes() > top_k) ev.top_k[top_k] = static_cast<double>(hits_k) / n;
  } else {
    const double values = static_cast<double>(std::max<int64_t>(ev.examples * set.spec().target_numel(), 1));
    ev.loss = sq / values;
    ev.rmse = std::sqrt(ev.loss);
    ev.mae = abs / values;
    const double var = y_sq / values - (y_sum / values) * (y_sum / values);
    ev.r2 = var > 0 ? 1 - ev.loss / var : std::numeric_limits<double>::quiet_NaN();
  }
  return ev;
}

}  // namespace eta::train
