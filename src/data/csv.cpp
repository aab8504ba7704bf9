// CsvDataset: an RFC 4180 tokenizer that tracks line and column for messages, header handling
// (names, scikit-learn's counts line, none), strict number and label parsing, and batches by
// memcpy. Parses straight into the final buffers: no per-cell strings are kept, so memory stays
// within a small multiple of the file's size.
#include "eta/data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_map>

#include "eta/error.h"
#include "io/byte_source.h"

namespace eta::data {

namespace {

struct Pos {
  int64_t line = 1, col = 1;
};

template <class... Args>
[[noreturn]] void fail(const std::string& name, Pos at, const Args&... args) {
  detail::throw_error(name, ":", at.line, ":", at.col, ": ", args...);
}

// A cell as it appears in messages: in quotes, control bytes escaped, long text cut.
std::string show(std::string_view s) {
  constexpr size_t kMaxShown = 40;
  std::string out = "\"";
  const size_t n = std::min(s.size(), kMaxShown);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

// "a", "b", "c" — at most 20 names, for "the header has: ..." messages.
std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 20; ++i) out += (i ? ", " : "") + show(names[i]);
  if (names.size() > 20) out += ", ... (" + std::to_string(names.size()) + " columns)";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A whole (trimmed) cell as an integer: optional sign, decimal digits, fits int64.
bool parse_int64(std::string_view s, int64_t& v) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// One field of a record: its unescaped text is text[begin, begin + size).
struct Field {
  size_t begin = 0, size = 0;
  Pos at;
};

// Splits the text into records of fields, skipping blank lines (nothing but spaces and tabs) and
// comment lines. Line ends are \n, \r\n or a lone \r; inside quotes they are part of the field.
class Tokenizer {
 public:
  Tokenizer(const char* p, size_t n, const std::string& name, char delim, char comment)
      : p_(p), n_(n), name_(name), delim_(delim), comment_(comment) {}

  // The next record's fields (their text in `text`); false at the end of the file.
  bool next(std::vector<Field>& fields, std::string& text);
  Pos pos() const { return pos_; }

 private:
  bool at_end() const { return i_ == n_; }
  char peek() const { return p_[i_]; }
  bool at_line_end() const { return at_end() || peek() == '\n' || peek() == '\r'; }
  void advance();
  void skip_line_end();
  bool skip_blank_or_comment_line();
  void read_quoted(std::string& text);
  void read_plain(std::string& text);

  const char* p_;
  size_t n_, i_ = 0;
  const std::string& name_;
  char delim_, comment_;
  Pos pos_;
};

void Tokenizer::advance() {
  const char c = p_[i_++];
  if (c == '\n' || (c == '\r' && (at_end() || peek() != '\n'))) {
    ++pos_.line;
    pos_.col = 1;
  } else {
    ++pos_.col;
  }
}

void Tokenizer::skip_line_end() {
  if (!at_end() && peek() == '\r') advance();
  if (!at_end() && peek() == '\n') advance();
}

bool Tokenizer::skip_blank_or_comment_line() {
  if (comment_ != '\0' && peek() == comment_) {
    while (!at_line_end()) advance();
    skip_line_end();
    return true;
  }
  size_t j = i_;
  while (j < n_ && (p_[j] == ' ' || p_[j] == '\t')) ++j;
  if (j < n_ && p_[j] != '\n' && p_[j] != '\r') return false;
  while (!at_line_end()) advance();
  skip_line_end();
  return true;
}

bool Tokenizer::next(std::vector<Field>& fields, std::string& text) {
  while (!at_end() && skip_blank_or_comment_line()) {
  }
  if (at_end()) return false;
  fields.clear();
  text.clear();
  for (;;) {
    Field f{text.size(), 0, pos_};
    if (!at_end() && peek() == '"') read_quoted(text);
    else read_plain(text);
    f.size = text.size() - f.begin;
    fields.push_back(f);
    if (!at_end() && peek() == delim_) {
      advance();
      continue;
    }
    skip_line_end();
    return true;
  }
}

void Tokenizer::read_plain(std::string& text) {
  while (!at_line_end() && peek() != delim_) {
    if (peek() == '"')
      fail(name_, pos_, "a quote inside an unquoted field (quote the whole field, and write a quote inside it ",
           "twice: \"a\"\"b\")");
    text += peek();
    advance();
  }
}

void Tokenizer::read_quoted(std::string& text) {
  const Pos open = pos_;
  advance();
  for (;;) {
    if (at_end()) fail(name_, open, "unterminated quoted field: the file ends inside the quote opened here");
    const char c = peek();
    advance();
    if (c != '"') {
      text += c;
    } else if (!at_end() && peek() == '"') {
      text += '"';  // "" is one quote
      advance();
    } else {
      break;
    }
  }
  while (!at_end() && peek() != delim_ && (peek() == ' ' || peek() == '\t')) advance();
  if (!at_line_end() && peek() != delim_)
    fail(name_, pos_, "unexpected ", show(std::string_view(p_ + i_, 1)), " after the closing quote of a field ",
         "(a quote inside a quoted field is written twice: \"\")");
}

// Where the columns come from and which ones are used.
struct Layout {
  std::vector<std::string> names;
  size_t target = 0;
  std::vector<size_t> features;
  Pos header_at;
  int64_t announced_rows = -1;              // sklearn header's n_samples
  std::vector<std::string> header_classes;  // sklearn header's class names
};

}  // namespace

namespace {

enum class NumberParse { ok, not_a_number, out_of_range };

// A whole trimmed cell as a double: from_chars (locale-free, exact rounding) plus a leading '+'.
NumberParse parse_double(std::string_view s, double& d) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return NumberParse::not_a_number;  // "++1"
  const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ptr != s.data() + s.size() || r.ec == std::errc::invalid_argument) return NumberParse::not_a_number;
  if (r.ec == std::errc::result_out_of_range) {
    // from_chars reports underflow too; strtod tells the two apart (a tiny number becomes 0 or a
    // denormal, which is fine).
    d = std::strtod(std::string(s).c_str(), nullptr);
    return std::isinf(d) ? NumberParse::out_of_range : NumberParse::ok;
  }
  return NumberParse::ok;
}

// The float nearest to the text itself (rounding through double could be off by one ulp); `d` is
// the text's (finite) double value. Numbers too large for float call `too_large`, which throws.
template <class F>
float to_float(std::string_view s, double d, const F& too_large) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  float f = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), f);
  if (r.ec == std::errc()) return f;
  if (std::fabs(d) >= 1) too_large();
  return static_cast<float>(d);  // underflow: 0 or a denormal, as the cast rounds it
}

template <class T>
void append(std::vector<unsigned char>& buf, T v) {
  const size_t at = buf.size();
  buf.resize(at + sizeof v);
  std::memcpy(buf.data() + at, &v, sizeof v);
}

// Integer labels compare by value: "07", "+7" and "7" are one class, named "7".
std::string canonical_label(std::string_view s) {
  int64_t v = 0;
  return parse_int64(s, v) ? std::to_string(v) : std::string(s);
}

class Parser {
 public:
  Parser(const char* p, size_t n, const std::string& name, const CsvOptions& opt)
      : tok_(p, n, name, opt.delimiter, opt.comment), name_(name), opt_(opt), size_(n) {}

  void run();

  Layout layout;
  int64_t rows = 0;
  std::vector<unsigned char> features, targets;
  std::vector<std::string> classes;

 private:
  bool read_header();
  void sklearn_header();
  void resolve_columns();
  void setup_classes();
  void read_row();
  void put_number(std::vector<unsigned char>& buf, size_t column);
  int64_t label_id(size_t column);
  void finish_classes();
  std::string_view cell(size_t i) const { return {text_.data() + fields_[i].begin, fields_[i].size}; }
  bool classify() const { return opt_.task == CsvTask::classification; }

  Tokenizer tok_;
  const std::string& name_;
  const CsvOptions& opt_;
  size_t size_;
  std::vector<Field> fields_;
  std::string text_;
  std::vector<int64_t> ids_;                              // class id per row
  std::unordered_map<std::string, int64_t> label_ids_;    // canonical label -> id
  std::vector<std::string> found_;                        // labels in order of appearance
  bool fixed_classes_ = false, ids_are_values_ = false;   // given list; sklearn target ids
};

void Parser::run() {
  if (!tok_.next(fields_, text_))
    fail(name_, tok_.pos(), size_ == 0 ? "the file is empty" : "the file holds only blank or comment lines",
         opt_.header == CsvHeader::none ? " (no data rows)" : " (no header row)");
  layout.header_at = fields_[0].at;
  const bool first_is_data = read_header();
  resolve_columns();
  setup_classes();
  if (first_is_data) read_row();
  while (tok_.next(fields_, text_)) read_row();
  if (rows == 0) fail(name_, tok_.pos(), "no data rows after the header on line ", layout.header_at.line);
  if (layout.announced_rows >= 0 && rows != layout.announced_rows)
    fail(name_, layout.header_at, "the header announces ", layout.announced_rows, " samples but the file has ", rows,
         " data rows (truncated or edited file?)");
  finish_classes();
}

// Fills layout.names; true when the record just read is data (no header).
bool Parser::read_header() {
  if (opt_.header == CsvHeader::sklearn) {
    sklearn_header();
    return false;
  }
  const bool none = opt_.header == CsvHeader::none;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string name = none ? "column_" + std::to_string(i) : std::string(trim(cell(i)));
    const auto [it, fresh] = seen.emplace(name, i);
    if (!fresh) fail(name_, fields_[i].at, "duplicate column name ", show(name), " (also column ", it->second + 1, ")");
    layout.names.push_back(std::move(name));
  }
  return none;
}

void Parser::sklearn_header() {
  const Pos at = layout.header_at;
  if (fields_.size() < 2)
    fail(name_, at, "an sklearn header starts with n_samples,n_features; this line has ", fields_.size(), " field");
  int64_t n_samples = 0, n_features = 0;
  if (!parse_int64(trim(cell(0)), n_samples) || n_samples < 0)
    fail(name_, fields_[0].at, "n_samples ", show(cell(0)), " in the sklearn header is not a count");
  if (!parse_int64(trim(cell(1)), n_features) || n_features < 1)
    fail(name_, fields_[1].at, "n_features ", show(cell(1)), " in the sklearn header is not a positive count");
  // A row holds n_features + 1 non-empty cells with delimiters between them, so a real file is at
  // least twice that long: larger counts are corrupt, refused before naming the columns.
  if (static_cast<uint64_t>(n_features) > size_ / 2)
    fail(name_, fields_[1].at, "n_features ", n_features, " is more than a ", size_, "-byte file can hold");
  for (int64_t i = 0; i < n_features; ++i) layout.names.push_back("feature_" + std::to_string(i));
  layout.names.push_back("target");
  bool any = false;
  for (size_t i = 2; i < fields_.size(); ++i) {
    layout.header_classes.emplace_back(trim(cell(i)));
    any = any || !layout.header_classes.back().empty();
  }
  if (!any) layout.header_classes.clear();  // regression files leave the names empty
  layout.announced_rows = n_samples;
}

void Parser::resolve_columns() {
  const Pos at = layout.header_at;
  const std::string target = !opt_.target.empty() ? opt_.target : opt_.header == CsvHeader::sklearn ? "target" : "";
  if (target.empty())
    fail(name_, at, "no target column chosen: set CsvOptions::target to one of the header's columns: ",
         list_names(layout.names));
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < layout.names.size(); ++i) index.emplace(layout.names[i], i);
  const auto t = index.find(target);
  if (t == index.end()) fail(name_, at, "no target column ", show(target), "; the header has: ", list_names(layout.names));
  layout.target = t->second;
  for (size_t i = 0; opt_.features.empty() && i < layout.names.size(); ++i)
    if (i != layout.target) layout.features.push_back(i);
  std::vector<bool> used(layout.names.size(), false);
  for (const std::string& f : opt_.features) {
    const auto it = index.find(f);
    if (it == index.end()) fail(name_, at, "no feature column ", show(f), "; the header has: ", list_names(layout.names));
    if (it->second == layout.target) fail(name_, at, "column ", show(f), " is both the target and a feature");
    if (used[it->second]) fail(name_, at, "feature ", show(f), " is listed twice in CsvOptions::features");
    used[it->second] = true;
    layout.features.push_back(it->second);
  }
  if (layout.features.empty())
    fail(name_, at, "no feature columns: the file has only the target column ", show(target));
}

void Parser::setup_classes() {
  if (!classify()) return;
  std::vector<std::string> given = opt_.classes;
  if (!layout.header_classes.empty()) {
    if (!given.empty() && given != layout.header_classes)
      fail(name_, layout.header_at, "CsvOptions::classes (", list_names(given),
           ") differ from the class names of the sklearn header (", list_names(layout.header_classes), ")");
    given = layout.header_classes;
    ids_are_values_ = true;
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!label_ids_.emplace(canonical_label(trim(given[i])), static_cast<int64_t>(i)).second)
      fail(name_, layout.header_at, "the class list (CsvOptions::classes or the sklearn header) names ",
           show(given[i]), " twice");
  classes = given;
  fixed_classes_ = !given.empty();
}

}  // namespace

namespace {

void Parser::read_row() {
  const size_t cols = layout.names.size();
  if (fields_.size() != cols) {
    const Pos at = fields_.size() > cols ? fields_[cols].at : fields_.back().at;
    fail(name_, at, "expected ", cols, " fields (as ", opt_.header == CsvHeader::none ? "the first row" : "the header",
         " on line ", layout.header_at.line, "), got ", fields_.size());
  }
  for (size_t c : layout.features) put_number(features, c);
  if (classify()) ids_.push_back(label_id(layout.target));
  else put_number(targets, layout.target);
  ++rows;
}

void Parser::put_number(std::vector<unsigned char>& buf, size_t column) {
  const std::string_view raw = cell(column), s = trim(raw);
  const Pos at = fields_[column].at;
  const std::string& col = layout.names[column];
  if (s.empty())
    fail(name_, at, "empty cell in column ", show(col), " (missing values are not supported: fill or drop them first)");
  double d = 0;
  const NumberParse r = parse_double(s, d);
  if (r == NumberParse::not_a_number) fail(name_, at, show(raw), " in column ", show(col), " is not a number");
  if (r == NumberParse::out_of_range) fail(name_, at, show(raw), " in column ", show(col), " is out of range for float64");
  if (!std::isfinite(d))
    fail(name_, at, show(raw), " in column ", show(col), " is not finite (NaN and infinity are refused: ",
         "a model cannot learn from them; fill or drop those rows first)");
  if (opt_.dtype == kFloat64) return append(buf, d);
  append(buf, to_float(s, d, [&] {
    fail(name_, at, show(raw), " in column ", show(col), " is out of range for float32 (use dtype = kFloat64)");
  }));
}

int64_t Parser::label_id(size_t column) {
  const std::string_view raw = cell(column), s = trim(raw);
  const Pos at = fields_[column].at;
  if (s.empty()) fail(name_, at, "empty label in target column ", show(layout.names[column]));
  if (ids_are_values_) {
    const auto k = static_cast<int64_t>(classes.size());
    int64_t v = 0;
    if (!parse_int64(s, v) || v < 0 || v >= k)
      fail(name_, at, "target ", show(raw), " is not a class id 0-", k - 1, " (the sklearn header on line ",
           layout.header_at.line, " names ", k, " classes)");
    return v;
  }
  std::string key = canonical_label(s);
  const auto it = label_ids_.find(key);
  if (it != label_ids_.end()) return it->second;
  if (fixed_classes_)
    fail(name_, at, "label ", show(raw), " in column ", show(layout.names[column]), " is not one of the ",
         classes.size(), " given classes: ", list_names(classes));
  const auto id = static_cast<int64_t>(found_.size());
  label_ids_.emplace(key, id);
  found_.push_back(std::move(key));
  return id;
}

// Ids in order of appearance become ids in sorted label order: numeric when every label is an
// integer (so labels 0..k-1 keep their values), byte order otherwise; either way deterministic.
void Parser::finish_classes() {
  if (!classify()) return;
  if (!fixed_classes_) {
    std::vector<int64_t> value(found_.size());
    bool all_int = true;
    for (size_t i = 0; i < found_.size(); ++i) all_int = all_int && parse_int64(found_[i], value[i]);
    std::vector<size_t> order(found_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return all_int ? value[a] < value[b] : found_[a] < found_[b]; });
    std::vector<int64_t> remap(found_.size());
    for (size_t r = 0; r < order.size(); ++r) {
      remap[order[r]] = static_cast<int64_t>(r);
      classes.push_back(found_[order[r]]);
    }
    for (int64_t& id : ids_) id = remap[static_cast<size_t>(id)];
  }
  targets.resize(ids_.size() * sizeof(int64_t));
  if (!ids_.empty()) std::memcpy(targets.data(), ids_.data(), targets.size());
}

void check_options(const std::string& name, const CsvOptions& o) {
  const auto bad = [](char c) { return c == '"' || c == '\n' || c == '\r'; };
  ETA_CHECK(o.dtype == kFloat32 || o.dtype == kFloat64, "read_csv: ", name, ": CsvOptions::dtype is ",
            dtype_name(o.dtype), "; features are float32 or float64");
  ETA_CHECK(o.delimiter != '\0' && !bad(o.delimiter), "read_csv: ", name, ": CsvOptions::delimiter ",
            show(std::string_view(&o.delimiter, 1)), " cannot separate fields (a quote, line end or NUL)");
  ETA_CHECK(!bad(o.comment) && o.comment != o.delimiter, "read_csv: ", name, ": CsvOptions::comment ",
            show(std::string_view(&o.comment, 1)), " cannot mark comments (a quote, line end or the delimiter)");
  ETA_CHECK(o.classes.empty() || o.task == CsvTask::classification, "read_csv: ", name,
            ": CsvOptions::classes is set but the task is regression");
}

}  // namespace

ExampleSpec CsvDataset::spec() const {
  if (task_ == CsvTask::classification) return {{num_features()}, dtype_, {}, kInt64};
  return {{num_features()}, dtype_, {1}, dtype_};
}

void CsvDataset::gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const {
  const size_t in_bytes = feature_names_.size() * dtype_size(dtype_);
  const size_t tg_bytes = task_ == CsvTask::classification ? sizeof(int64_t) : dtype_size(dtype_);
  auto* in = static_cast<unsigned char*>(input.raw_data());
  auto* tg = static_cast<unsigned char*>(target.raw_data());
  for (int64_t k = 0; k < n; ++k) {
    check_index(indices[k]);
    const auto i = static_cast<size_t>(indices[k]);
    std::memcpy(in + static_cast<size_t>(k) * in_bytes, features_.data() + i * in_bytes, in_bytes);
    std::memcpy(tg + static_cast<size_t>(k) * tg_bytes, targets_.data() + i * tg_bytes, tg_bytes);
  }
}

std::string CsvDataset::describe() const {
  std::string s = "CSV " + source_ + " (" + std::to_string(rows_) + " rows, " + std::to_string(num_features()) + " " +
                  dtype_name(dtype_) + " features, target \"" + target_name_ + "\"";
  if (task_ == CsvTask::regression) return s + ", regression)";
  return s + ", " + std::to_string(classes_.size()) + " classes)";
}

CsvDataset parse_csv(const uint8_t* bytes, size_t size, const std::string& name, const CsvOptions& options) {
  check_options(name, options);
  std::vector<uint8_t> inflated;
  if (io::is_gzip(bytes, size)) {
    inflated = io::gunzip_all(bytes, size, name, "read_csv");
    bytes = inflated.data();
    size = inflated.size();
  }
  const char* text = reinterpret_cast<const char*>(bytes);
  if (size >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0) {  // a UTF-8 byte order mark (Excel writes one)
    text += 3;
    size -= 3;
  }
  Parser p(text, size, name, options);
  p.run();
  CsvDataset d;
  d.source_ = name;
  d.target_name_ = p.layout.names[p.layout.target];
  for (size_t c : p.layout.features) d.feature_names_.push_back(p.layout.names[c]);
  d.classes_ = std::move(p.classes);
  d.task_ = options.task;
  d.dtype_ = options.dtype;
  d.rows_ = p.rows;
  d.features_ = std::move(p.features);
  d.targets_ = std::move(p.targets);
  return d;
}

CsvDataset read_csv(const std::string& path, const CsvOptions& options) {
  const std::vector<uint8_t> bytes = io::read_file_bytes(path, "read_csv");
  return parse_csv(bytes.data(), bytes.size(), path, options);
}

void check_same_classes(const Dataset& train, const Dataset& test) {
  const std::vector<std::string> a = train.class_names(), b = test.class_names();
  if (train.num_classes() == test.num_classes() && a == b) return;
  detail::throw_error("check_same_classes: ", test.describe(), " has ", test.num_classes(), " classes (",
                      list_names(b), ") but ", train.describe(), " has ", train.num_classes(), " (", list_names(a),
                      "); load the test set with CsvOptions::classes = train.class_names() so both share one mapping");
}

}  // namespace eta::data
