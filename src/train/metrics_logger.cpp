// MetricsLogger: rows kept in memory (and in checkpoints), files rewritten atomically per epoch.
#include "eta/train/metrics_logger.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "eta/error.h"
#include "eta/io/atomic_file.h"
#include "train/number_text.h"
#include "eta/train/trainer.h"
#include "eta/util/parse.h"

namespace eta::train {

std::string epoch_json(const EpochInfo& e) {
  const double lr = e.lr;
  std::ostringstream os;
  os << "{\"epoch\": " << e.epoch + 1 << ", \"train_loss\": " << text::json_number(e.train_loss);
  for (const auto& [k, v] : e.metrics) os << ", \"" << k << "\": " << text::json_number(v);
  os << ", \"lr\": " << text::json_number(lr) << ", \"train_seconds\": " << text::json_number(e.seconds) << ", \"examples_per_second\": "
     << text::json_number(e.seconds > 0 ? static_cast<double>(e.examples) / e.seconds : 0.0)
     << ", \"skipped_steps\": " << e.skipped_steps;
  if (e.has_validation && e.validation.task == Task::Classification) {
    const ConfusionMatrix& cm = e.validation.confusion;
    os << ", \"" << e.metric_prefix << "confusion\": [";
    const int64_t classes = cm.num_classes();
    for (int64_t r = 0; r < classes; ++r) {
      os << (r ? ", [" : "[");
      for (int64_t c = 0; c < classes; ++c) os << (c ? ", " : "") << cm.count(r, c);
      os << "]";
    }
    os << "]";
  }
  os << "}";
  return os.str();
}

MetricsLogger::MetricsLogger(std::string csv_path, std::string jsonl_path)
    : csv_path_(std::move(csv_path)), jsonl_path_(std::move(jsonl_path)) {}

void MetricsLogger::on_train_begin(Trainer& t) {
  if (!csv_rows_.empty() || t.history().empty()) return;
  for (const EpochInfo& e : t.history()) add(e);
}

void MetricsLogger::on_epoch_end(Trainer&, const EpochInfo& e) {
  add(e);
  write();
}

void MetricsLogger::add(const EpochInfo& e) {
  if (columns_.empty())
    for (const auto& [k, v] : e.metrics) columns_.push_back(k);
  // Streams rather than string '+' chains, which trip GCC 12's false -Wrestrict warning.
  std::ostringstream row;
  row << e.epoch + 1 << ',' << text::json_number(e.train_loss);
  for (const auto& k : columns_) {
    const auto it = e.metrics.find(k);
    row << ',' << (it == e.metrics.end() ? std::string() : text::json_number(it->second));
  }
  row << ',' << text::json_number(e.lr) << ',' << text::json_number(e.seconds) << ','
      << text::json_number(e.seconds > 0 ? static_cast<double>(e.examples) / e.seconds : 0.0);
  csv_rows_.push_back(row.str());
  json_lines_.push_back(epoch_json(e));
}

void MetricsLogger::write() const {
  if (!csv_path_.empty()) {
    std::ostringstream header;
    header << "epoch,train_loss";
    for (const auto& k : columns_) header << ',' << k;
    header << ",lr,train_seconds,examples_per_second\n";
    io::write_file_atomically(csv_path_, header.str() + util::join_lines(csv_rows_), "MetricsLogger");
  }
  if (!jsonl_path_.empty()) io::write_file_atomically(jsonl_path_, util::join_lines(json_lines_), "MetricsLogger");
}

std::map<std::string, std::string> MetricsLogger::state() const {
  std::string cols;
  for (const auto& c : columns_) cols += c + "\n";
  return {{"columns", cols}, {"csv", util::join_lines(csv_rows_)}, {"json", util::join_lines(json_lines_)}};
}

void MetricsLogger::load_state(const std::map<std::string, std::string>& s, const std::map<std::string, Tensor>&) {
  const auto get = [&](const char* k) { return s.count(k) ? s.at(k) : std::string(); };
  columns_ = util::split_lines(get("columns"));
  csv_rows_ = util::split_lines(get("csv"));
  json_lines_ = util::split_lines(get("json"));
}

}  // namespace eta::train
