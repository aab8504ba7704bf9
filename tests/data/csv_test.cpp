// CsvDataset tests: known small tables (integer and string labels, regression, RFC 4180 quoting,
// comments, CRLF, feature selection, float64, gzip, sklearn's and no header), every malformed case
// with its "file:line:col: message", and a sweep of every truncation plus 1,000 seeded mutations
// (a data set or an eta::Error, never a crash — the suite also runs under ASan/UBSan).
#include "eta/data/csv.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "eta/error.h"
#include "io/test_files.h"
#include "support/errors.h"

namespace eta::data {
namespace {

using eta::testing::error_of;
using eta::testing::gzip_stored;
using eta::testing::TempDir;
using eta::testing::to_bytes;
using eta::testing::write_bytes;

CsvDataset parse(const std::string& text, const CsvOptions& o) {
  return parse_csv(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "t.csv", o);
}

std::string parse_error(const std::string& text, const CsvOptions& o) {
  return error_of([&] { parse(text, o); });
}

// All rows' features and targets, through the batched path.
Example all_rows(const Dataset& d) {
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < d.size(); ++i) idx.push_back(i);
  return d.get_batch(idx);
}

std::vector<double> targets_of(const Dataset& d) { return all_rows(d).target.to_vector(); }
std::vector<double> inputs_of(const Dataset& d) { return all_rows(d).input.to_vector(); }

const CsvOptions kLabel{.target = "label"};

// Starts with: the message must begin with the file:line:col part and then say `what`.
#define EXPECT_CSV_ERROR(text, opts, where, what)                                  \
  do {                                                                             \
    const std::string msg_ = parse_error(text, opts);                              \
    EXPECT_EQ(msg_.rfind(where, 0), 0u) << "message: " << msg_;                    \
    EXPECT_NE(msg_.find(what), std::string::npos) << "message: " << msg_;          \
  } while (0)

TEST(Csv, IntegerLabelsKeepTheirValues) {
  TempDir dir;
  write_bytes(dir.file("a.csv"), to_bytes("x,y,label\n1,2,0\n3.5,-4,2\n5,6e1,1\n"));
  const CsvDataset d = read_csv(dir.file("a.csv"), kLabel);
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.num_classes(), 3);
  EXPECT_EQ(d.class_names(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.target_name(), "label");
  EXPECT_EQ(d.spec().to_string(), "input [2] float32, target [] int64");
  EXPECT_EQ(inputs_of(d), (std::vector<double>{1, 2, 3.5, -4, 5, 60}));
  EXPECT_EQ(targets_of(d), (std::vector<double>{0, 2, 1}));
  const Example e = d.get(1);
  EXPECT_EQ(e.target.dim(), 0);
  EXPECT_EQ(e.target.item(), 2);
  EXPECT_NE(d.describe().find("3 rows, 2 float32 features"), std::string::npos) << d.describe();
}

TEST(Csv, IntegerLabelsSortNumericallyInCanonicalForm) {
  const CsvDataset d = parse("x,label\n1,10\n2,9\n3,-1\n4,07\n5,+7\n", kLabel);
  EXPECT_EQ(d.class_names(), (std::vector<std::string>{"-1", "7", "9", "10"}));
  EXPECT_EQ(targets_of(d), (std::vector<double>{3, 2, 0, 1, 1}));
}

TEST(Csv, StringLabelsSortAsStrings) {
  const CsvDataset d = parse("x,label\n1,virginica\n2,setosa\n3, versicolor \n4,setosa\n5,10\n", kLabel);
  EXPECT_EQ(d.class_names(), (std::vector<std::string>{"10", "setosa", "versicolor", "virginica"}));
  EXPECT_EQ(targets_of(d), (std::vector<double>{3, 1, 2, 1, 0}));
}

TEST(Csv, RegressionTargetIsShapeOneInTheFeatureDtype) {
  const CsvDataset d = parse("a,b,y\n1,2,0.5\n3,4,-1.25\n", {.target = "y", .task = CsvTask::regression,
                                                               .dtype = kFloat64});
  EXPECT_EQ(d.spec().to_string(), "input [2] float64, target [1] float64");
  EXPECT_EQ(d.num_classes(), 0);
  EXPECT_TRUE(d.class_names().empty());
  EXPECT_EQ(targets_of(d), (std::vector<double>{0.5, -1.25}));
  EXPECT_EQ(d.get(0).target.shape(), (Shape{1}));
  const CsvDataset f = parse("a,y\n1,0.1\n", {.target = "y", .task = CsvTask::regression});
  EXPECT_EQ(f.spec().to_string(), "input [1] float32, target [1] float32");
}

TEST(Csv, Float64KeepsFullPrecisionAndFloat32RoundsOnce) {
  const std::string text = "a,y\n0.1,0\n1e-310,0\n3.4028235677973366e38,0\n";
  EXPECT_EQ(inputs_of(parse(text, {.target = "y", .dtype = kFloat64})), (std::vector<double>{0.1, 1e-310, 3.4028235677973366e38}));
  const CsvDataset f = parse(text, {.target = "y"});
  const Example e = all_rows(f);
  EXPECT_EQ(e.input.data_ptr<float>()[0], 0.1f);
  EXPECT_EQ(e.input.data_ptr<float>()[1], 0.0f);  // below float's denormals
  EXPECT_EQ(e.input.data_ptr<float>()[2], FLT_MAX);  // above FLT_MAX in double, yet rounds to it
}

TEST(Csv, QuotingAsRfc4180) {
  // Quoted numbers and labels, "" escapes, the delimiter and line ends inside quotes, CRLF, spaces
  // around numbers, and a last line without a line end.
  const std::string text =
      "\"a\",\"b, with comma\",\"la\"\"bel\"\r\n"
      "\" 1.5 \", 2 ,\"x,y\"\r\n"
      "3,\"4\",\"multi\r\nline\"\r\n"
      "5,6,\"say \"\"hi\"\"\"  \r\n"
      "7 ,\t8,x\"\"y";
  EXPECT_CSV_ERROR(text, {.target = "la\"bel"}, "t.csv:6:8:", "quote inside an unquoted field");
  const std::string fixed = text.substr(0, text.size() - 4) + "\"x\"\"y\"";
  const CsvDataset d = parse(fixed, {.target = "la\"bel"});
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"a", "b, with comma"}));
  EXPECT_EQ(inputs_of(d), (std::vector<double>{1.5, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(d.class_names(), (std::vector<std::string>{"multi\r\nline", "say \"hi\"", "x\"y", "x,y"}));
  EXPECT_EQ(targets_of(d), (std::vector<double>{3, 0, 1, 2}));
}

TEST(Csv, CommentsAndBlankLinesAreSkippedAndLinesStillCounted) {
  const std::string text = "# produced by a script\n\na,label\n  \n1,0\n# a note\n2,1\n\n";
  const CsvDataset d = parse(text, kLabel);
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(inputs_of(d), (std::vector<double>{1, 2}));
  EXPECT_CSV_ERROR("# c\n\na,label\n\n1,0\n#\n2\n", kLabel, "t.csv:7:1:", "expected 2 fields (as the header on line 3), got 1");
  // Another comment character, or none: then '#' is data.
  EXPECT_EQ(parse("a,label\n;x\n1,#\n", {.target = "label", .comment = ';'}).class_names(),
            (std::vector<std::string>{"#"}));
  EXPECT_CSV_ERROR("a,label\n#1,0\n", (CsvOptions{.target = "label", .comment = '\0'}), "t.csv:2:1:",
                   "\"#1\" in column \"a\" is not a number");
}

TEST(Csv, FeatureSelectionChoosesColumnsAndOrder) {
  const std::string text = "a,b,c,label,d\n1,2,3,0,4\n5,6,7,1,8\n";
  const CsvDataset d = parse(text, {.target = "label", .features = {"c", "a"}});
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(inputs_of(d), (std::vector<double>{3, 1, 7, 5}));
  // Unselected columns are not parsed at all: text there is fine.
  EXPECT_EQ(parse("a,note,label\n1,hello,0\n", {.target = "label", .features = {"a"}}).size(), 1);
}

TEST(Csv, OtherDelimitersAndHeaderNone) {
  const CsvDataset d = parse("1\t2\t0\n3\t4\t1\n", {.target = "column_2", .delimiter = '\t', .header = CsvHeader::none});
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"column_0", "column_1"}));
  EXPECT_EQ(inputs_of(d), (std::vector<double>{1, 2, 3, 4}));
  // Space-separated without a header, as sklearn's diabetes_data_raw.csv.gz.
  const CsvDataset s = parse("59 2 32.1 151\n48 1 21.6 75\n", {.target = "column_3", .task = CsvTask::regression,
                                                               .delimiter = ' ', .header = CsvHeader::none});
  EXPECT_EQ(targets_of(s), (std::vector<double>{151, 75}));
}

TEST(Csv, GzippedFilesAreDetectedByContent) {
  TempDir dir;
  const std::string text = "a,b,label\n1,2,cat\n3,4,dog\n";
  write_bytes(dir.file("t.csv.gz"), gzip_stored(to_bytes(text)));
  write_bytes(dir.file("plain-name"), gzip_stored(to_bytes(text)));
  for (const char* name : {"t.csv.gz", "plain-name"}) {
    const CsvDataset d = read_csv(dir.file(name), kLabel);
    EXPECT_EQ(inputs_of(d), (std::vector<double>{1, 2, 3, 4}));
    EXPECT_EQ(d.class_names(), (std::vector<std::string>{"cat", "dog"}));
  }
  // Concatenated members read as one stream; a truncated stream is an error naming the file.
  auto two = gzip_stored(to_bytes(text.substr(0, 13)));
  const auto rest = gzip_stored(to_bytes(text.substr(13)));
  two.insert(two.end(), rest.begin(), rest.end());
  EXPECT_EQ(parse_csv(two.data(), two.size(), "t.csv", kLabel).size(), 2);
  const auto gz = gzip_stored(to_bytes(text));
  const std::string msg = error_of([&] { parse_csv(gz.data(), gz.size() - 5, "t.csv.gz", kLabel); });
  EXPECT_NE(msg.find("read_csv: t.csv.gz: "), std::string::npos) << msg;
}

// The first lines of sklearn's iris.csv (our own copy; the real file may be absent).
const std::string kIrisHead =
    "6,4,setosa,versicolor,virginica\n"
    "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n"
    "6.4,3.2,4.5,1.5,1\n6.3,3.3,6.0,2.5,2\n5.8,2.7,5.1,1.9,2\n";

TEST(Csv, SklearnHeaderNamesColumnsAndClasses) {
  const CsvDataset d = parse(kIrisHead, {.header = CsvHeader::sklearn});
  EXPECT_EQ(d.size(), 6);
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"feature_0", "feature_1", "feature_2", "feature_3"}));
  EXPECT_EQ(d.target_name(), "target");
  EXPECT_EQ(d.class_names(), (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(targets_of(d), (std::vector<double>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(inputs_of(d)[4], static_cast<double>(4.9f));
  // Row count, ids and field count are checked against the header.
  const CsvOptions sk{.header = CsvHeader::sklearn};
  EXPECT_CSV_ERROR("7" + kIrisHead.substr(1), sk, "t.csv:1:1:", "announces 7 samples but the file has 6 data rows");
  EXPECT_CSV_ERROR("2,2,a,b\n1,2,0\n1,2,2\n", sk, "t.csv:3:5:", "target \"2\" is not a class id 0-1");
  EXPECT_CSV_ERROR("1,3,a,b\n1,2,0\n", sk, "t.csv:2:5:", "expected 4 fields (as the header on line 1), got 3");
  EXPECT_CSV_ERROR("x,2,a\n1,2,0\n", sk, "t.csv:1:1:", "n_samples \"x\" in the sklearn header is not a count");
  EXPECT_CSV_ERROR("1,99999999999,a\n1,0\n", sk, "t.csv:1:3:", "n_features 99999999999 is more than");
  // Regression files (boston, diabetes) leave the class names empty.
  const CsvDataset r = parse("2,1,,\n1.5,24.0\n2.5,21.6\n", {.task = CsvTask::regression, .header = CsvHeader::sklearn});
  EXPECT_EQ(targets_of(r), (std::vector<double>{24.0f, 21.6f}));
}

TEST(Csv, GivenClassesMapATestSetLikeItsTrainingSet) {
  const CsvDataset train = parse("x,label\n1,cat\n2,dog\n3,emu\n", kLabel);
  const std::string test_text = "x,label\n4,emu\n5,cat\n";
  const CsvDataset alone = parse(test_text, kLabel);
  EXPECT_EQ(alone.class_names(), (std::vector<std::string>{"cat", "emu"}));  // ids differ from train's
  const std::string msg = error_of([&] { check_same_classes(train, alone); });
  EXPECT_NE(msg.find("has 2 classes (\"cat\", \"emu\") but CSV t.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CsvOptions::classes = train.class_names()"), std::string::npos) << msg;
  const CsvDataset test = parse(test_text, {.target = "label", .classes = train.class_names()});
  EXPECT_EQ(test.class_names(), train.class_names());
  EXPECT_EQ(targets_of(test), (std::vector<double>{2, 0}));
  EXPECT_NO_THROW(check_same_classes(train, test));
  EXPECT_CSV_ERROR("x,label\n1,cat\n2, yak\n", (CsvOptions{.target = "label", .classes = train.class_names()}),
                   "t.csv:3:3:", "label \" yak\" in column \"label\" is not one of the 3 given classes: \"cat\"");
  // Given integer classes match by value.
  EXPECT_EQ(targets_of(parse("x,label\n1,02\n", {.target = "label", .classes = {"1", "2"}})), (std::vector<double>{1}));
}

TEST(Csv, MalformedCellsNameFileLineAndColumn) {
  EXPECT_CSV_ERROR("a,b,label\n1,2,0\n1,2\n", kLabel, "t.csv:3:3:", "expected 3 fields (as the header on line 1), got 2");
  EXPECT_CSV_ERROR("a,b,label\n1,2,0,5\n", kLabel, "t.csv:2:7:", "expected 3 fields (as the header on line 1), got 4");
  EXPECT_CSV_ERROR("a,b,label\n1,x1,0\n", kLabel, "t.csv:2:3:", "\"x1\" in column \"b\" is not a number");
  EXPECT_CSV_ERROR("a,b,label\n1,0x10,0\n", kLabel, "t.csv:2:3:", "\"0x10\" in column \"b\" is not a number");
  EXPECT_CSV_ERROR("a,b,label\n1,2 3,0\n", kLabel, "t.csv:2:3:", "\"2 3\" in column \"b\" is not a number");
  EXPECT_CSV_ERROR("a,b,label\n1,,0\n", kLabel, "t.csv:2:3:", "empty cell in column \"b\" (missing values");
  EXPECT_CSV_ERROR("a,b,label\n1,2,\n", kLabel, "t.csv:2:5:", "empty label in target column \"label\"");
  EXPECT_CSV_ERROR("a,b,label\nnan,2,0\n", kLabel, "t.csv:2:1:", "\"nan\" in column \"a\" is not finite");
  EXPECT_CSV_ERROR("a,b,label\n1,-inf,0\n", kLabel, "t.csv:2:3:", "\"-inf\" in column \"b\" is not finite");
  EXPECT_CSV_ERROR("a,b,label\n1,1e999,0\n", kLabel, "t.csv:2:3:", "is out of range for float64");
  EXPECT_CSV_ERROR("a,b,label\n1,1e39,0\n", kLabel, "t.csv:2:3:", "is out of range for float32 (use dtype = kFloat64)");
  EXPECT_CSV_ERROR("a,y\n1,abc\n", (CsvOptions{.target = "y", .task = CsvTask::regression}), "t.csv:2:3:",
                   "\"abc\" in column \"y\" is not a number");
  // Control bytes and long cells are shown escaped and cut.
  EXPECT_CSV_ERROR(std::string("a,label\n1\x01,0\n"), kLabel, "t.csv:2:1:", "\"1\\x01\" in column");
  EXPECT_CSV_ERROR("a,label\n" + std::string(100, 'z') + ",0\n", kLabel, "t.csv:2:1:", "... (100 bytes)");
}

TEST(Csv, MalformedStructureNamesFileLineAndColumn) {
  EXPECT_CSV_ERROR("a,b,label\n1,\"2,0\n3,4,1\n", kLabel, "t.csv:2:3:", "unterminated quoted field");
  EXPECT_CSV_ERROR("a,b,label\n1,\"2\"x,0\n", kLabel, "t.csv:2:6:", "unexpected \"x\" after the closing quote");
  EXPECT_CSV_ERROR("a,b,a,label\n1,2,3,0\n", kLabel, "t.csv:1:5:", "duplicate column name \"a\" (also column 1)");
  EXPECT_CSV_ERROR("", kLabel, "t.csv:1:1:", "the file is empty (no header row)");
  EXPECT_CSV_ERROR("# only\n\n", kLabel, "t.csv:3:1:", "only blank or comment lines (no header row)");
  EXPECT_CSV_ERROR("a,label\n", kLabel, "t.csv:2:1:", "no data rows after the header on line 1");
  EXPECT_CSV_ERROR("a,label\n# none\n\n", kLabel, "t.csv:4:1:", "no data rows after the header on line 1");
  EXPECT_CSV_ERROR("a,b,y\n1,2,0\n", kLabel, "t.csv:1:1:", "no target column \"label\"; the header has: \"a\", \"b\", \"y\"");
  EXPECT_CSV_ERROR("a,b,y\n1,2,0\n", CsvOptions{}, "t.csv:1:1:", "no target column chosen: set CsvOptions::target");
  EXPECT_CSV_ERROR("a,b,label\n1,2,0\n", (CsvOptions{.target = "label", .features = {"a", "c"}}), "t.csv:1:1:",
                   "no feature column \"c\"; the header has: \"a\", \"b\", \"label\"");
  EXPECT_CSV_ERROR("a,label\n1,0\n", (CsvOptions{.target = "label", .features = {"label"}}), "t.csv:1:1:",
                   "both the target and a feature");
  EXPECT_CSV_ERROR("a,label\n1,0\n", (CsvOptions{.target = "label", .features = {"a", "a"}}), "t.csv:1:1:",
                   "listed twice");
  EXPECT_CSV_ERROR("label\n0\n", kLabel, "t.csv:1:1:", "no feature columns");
}

TEST(Csv, MissingFileAndBadOptions) {
  TempDir dir;
  const std::string msg = error_of([&] { read_csv(dir.file("nope.csv"), kLabel); });
  EXPECT_NE(msg.find("read_csv: cannot open " + dir.file("nope.csv")), std::string::npos) << msg;
  EXPECT_NE(parse_error("a,label\n1,0\n", {.target = "label", .delimiter = '"'}).find("CsvOptions::delimiter"),
            std::string::npos);
  EXPECT_NE(parse_error("a,label\n1,0\n", {.target = "label", .comment = ','}).find("CsvOptions::comment"),
            std::string::npos);
  EXPECT_NE(parse_error("a,label\n1,0\n", {.target = "label", .dtype = kInt64}).find("CsvOptions::dtype is int64"),
            std::string::npos);
  EXPECT_NE(parse_error("a,y\n1,0\n", {.target = "y", .task = CsvTask::regression, .classes = {"a"}})
                .find("the task is regression"),
            std::string::npos);
}

TEST(Csv, GatherChecksIndicesAndCopiesRows) {
  const CsvDataset d = parse("a,b,label\n1,2,0\n3,4,1\n5,6,0\n", kLabel);
  const Example e = d.get_batch({2, 0, 2});
  EXPECT_EQ(e.input.to_vector(), (std::vector<double>{5, 6, 1, 2, 5, 6}));
  EXPECT_EQ(e.target.to_vector(), (std::vector<double>{0, 0, 0}));
  EXPECT_THROW(d.get(3), Error);
  EXPECT_THROW(d.get_batch({0, -1}), Error);
}

// A valid file touching every feature: comments, quotes, CRLF, string labels.
const std::string kSweepText =
    "# sweep\n\"f 1\",f2,label\r\n1.5,\"-2\",cat\n\n3e2, 4 ,\"d,og\"\n5,6,\"e\"\"mu\"\n7,8,cat";

// Either a consistent data set or eta::Error; never a crash or a wrong-sized batch.
void check_parse(const std::vector<uint8_t>& bytes, int& loads, int& errors) {
  try {
    const CsvDataset d = parse_csv(bytes.data(), bytes.size(), "t.csv", kLabel);
    const Example e = all_rows(d);
    EXPECT_EQ(e.input.numel(), d.size() * d.num_features());
    for (double t : e.target.to_vector()) EXPECT_TRUE(t >= 0 && t < static_cast<double>(d.num_classes()));
    ++loads;
  } catch (const Error&) {
    ++errors;
  }
}

TEST(Csv, EveryTruncationParsesOrThrows) {
  int loads = 0, errors = 0;
  for (const auto& bytes : {to_bytes(kSweepText), gzip_stored(to_bytes(kSweepText))})
    for (size_t n = 0; n <= bytes.size(); ++n) check_parse(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), loads, errors);
  EXPECT_GT(loads, 5);
  EXPECT_GT(errors, 5);
}

TEST(Csv, RandomMutationsParseOrThrow) {
  Generator gen(4242);
  int loads = 0, errors = 0;
  for (const auto& bytes : {to_bytes(kSweepText), gzip_stored(to_bytes(kSweepText))})
    for (int i = 0; i < 1000; ++i) check_parse(eta::testing::mutate(bytes, gen, 24), loads, errors);
  EXPECT_EQ(loads + errors, 2000);
  EXPECT_GT(loads, 50);
  EXPECT_GT(errors, 500);
}

}  // namespace
}  // namespace eta::data
