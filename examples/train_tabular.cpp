// train_tabular: trains an MLP on a CSV table — classification (integer or string labels) or
// regression — with the features standardised on the training set (the statistics are saved in the
// checkpoint with the model and applied to the test data). A test file, or a seeded split of the
// training file (--test_fraction).
#include <sstream>

#include "common/fit.h"
#include "eta/data/csv.h"

namespace {

using namespace eta;

const std::string kUsage = std::string(
    "usage: train_tabular --train FILE.csv --target COLUMN [--test FILE.csv | --test_fraction F]\n"
    "                     [--task classification|regression] [--features A,B,...] [--header names|sklearn|none]\n"
    "                     [--hidden 64,64] [--standardize true] [flags of every run]\n"
    "  --train/--test  CSV files (RFC 4180, '#' comments, .gz accepted); without --test, a seeded\n"
    "                  --test_fraction (default 0.2) of the training file is held out\n"
    "  --target        the column to predict; --features: the input columns (default: all others)\n"
    "  --task          classification (labels -> class ids, reported) or regression; default classification\n"
    "  --header        names (a header row; default), sklearn (scikit-learn's bundled files:\n"
    "                  'n_samples,n_features,class names...', columns feature_0.. and target) or none\n"
    "  --hidden        hidden layer widths of the MLP; default 64,64\n"
    "  --standardize   standardise features with the training set's mean and std; default true\n") +
    eta::examples::kRunFlagsUsage + "JSON lines carry test_acc (classification) or test_rmse and test_r2 (regression).\n";

data::CsvHeader parse_header(const std::string& text) {
  const std::string h = util::canonical_name(text);
  if (h == "names") return data::CsvHeader::names;
  if (h == "sklearn") return data::CsvHeader::sklearn;
  if (h == "none") return data::CsvHeader::none;
  detail::throw_error("--header must be names, sklearn or none, got '", text, "'");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::shared_ptr<nn::Module> make_mlp(int64_t inputs, const std::string& hidden, int64_t outputs) {
  std::vector<int64_t> widths{inputs};
  for (const std::string& w : split_list(hidden)) widths.push_back(util::parse_int("--hidden", w));
  widths.push_back(outputs);
  return std::make_shared<models::MLP>(widths);
}

int run(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  data::CsvOptions csv;
  const std::string train_path = flags.take_required("train");
  const std::string test_path = flags.take("test", "");
  const double test_fraction = util::parse_double("--test_fraction", flags.take("test_fraction", "0.2"));
  const train::Task task = train::parse_task(flags.take("task", "classification"));
  csv.header = parse_header(flags.take("header", "names"));
  // sklearn's files name their label column "target"; other files must say which column it is.
  csv.target = flags.take("target", csv.header == data::CsvHeader::sklearn ? "target" : "");
  ETA_CHECK(!csv.target.empty(), "--target is required (see --help)");
  csv.features = split_list(flags.take("features", ""));
  csv.task = task == train::Task::Classification ? data::CsvTask::classification : data::CsvTask::regression;
  const std::string hidden = flags.take("hidden", "64,64");
  const bool standardize = util::parse_bool("--standardize", flags.take("standardize", "true"));
  ETA_CHECK(test_fraction > 0 && test_fraction < 1, "--test_fraction must be in (0, 1), got ", test_fraction);
  examples::RunConfig config = examples::take_run_flags(flags);
  examples::route_rest(flags, "train_tabular", config);

  auto table = std::make_shared<data::CsvDataset>(data::read_csv(train_path, csv));
  std::shared_ptr<const data::Dataset> train_set = table, test_set;
  if (!test_path.empty()) {
    data::CsvOptions test_csv = csv;
    test_csv.classes = table->class_names();  // the training set's mapping; an unseen label is an error
    auto test_table = std::make_shared<data::CsvDataset>(data::read_csv(test_path, test_csv));
    if (task == train::Task::Classification) data::check_same_classes(*table, *test_table);
    test_set = test_table;
  } else {
    const auto parts = data::random_split(train_set, std::vector<double>{1 - test_fraction, test_fraction}, config.seed);
    train_set = parts[0];
    test_set = parts[1];
  }
  if (config.limit > 0 && config.limit < train_set->size()) {
    std::vector<int64_t> first(static_cast<size_t>(config.limit));
    for (int64_t i = 0; i < config.limit; ++i) first[static_cast<size_t>(i)] = i;
    train_set = std::make_shared<data::Subset>(train_set, first);
  }

  examples::RunSetup setup;
  setup.program = "train_tabular";
  setup.model_key = "mlp " + hidden;
  setup.data_label = table->describe();
  setup.train = train_set.get();
  setup.test = test_set.get();
  setup.task = task;
  setup.class_names = table->class_names();
  if (standardize) {
    const auto st = data::Standardize::fit(*train_set);
    setup.train_transforms = setup.test_transforms = {st};
    setup.saved_with_model = st->state();
  }
  manual_seed(config.seed);
  const int64_t outputs = task == train::Task::Classification ? table->num_classes() : 1;
  setup.model = make_mlp(table->num_features(), hidden, outputs);
  return examples::fit_and_report(config, setup);
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("train_tabular", [&] { return run(argc, argv); });
}
