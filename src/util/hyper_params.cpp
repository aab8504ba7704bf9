// Ranges, checks and parsing behind util::Field (see eta/util/hyper_params.h).
#include "eta/util/hyper_params.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "eta/error.h"
#include "eta/util/parse.h"

namespace eta::util {

namespace {

std::string number(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

}  // namespace

bool Range::contains(double v) const {
  // NaN is outside every range.
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

bool Range::contains(const std::string& v) const {
  return choices.empty() || std::find(choices.begin(), choices.end(), v) != choices.end();
}

std::string Range::expected() const {
  if (!choices.empty()) {
    std::string s = "expected ";
    for (size_t i = 0; i < choices.size(); ++i)
      s += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + ("'" + choices[i] + "'");
    return s;
  }
  if (std::isinf(hi)) return std::string("expected ") + (lo_open ? "> " : ">= ") + number(lo);
  if (std::isinf(lo)) return std::string("expected ") + (hi_open ? "< " : "<= ") + number(hi);
  return "expected in " + std::string(lo_open ? "(" : "[") + number(lo) + ", " + number(hi) + (hi_open ? ")" : "]");
}

Range at_least(double lo) { return Range{lo}; }
Range above(double lo) { return Range{lo, std::numeric_limits<double>::infinity(), true}; }
Range between(double lo, double hi, bool hi_open) { return Range{lo, hi, false, hi_open}; }
Range one_of(std::vector<std::string> choices) {
  Range r;
  r.choices = std::move(choices);
  return r;
}

void check_range(const std::string& owner, const std::string& name, double v, const Range& range) {
  if (!range.contains(v)) eta::detail::throw_error(owner, ": invalid ", name, ": ", number(v), " (", range.expected(), ")");
}

void check_range(const std::string& owner, const std::string& name, const std::string& v, const Range& range) {
  if (!range.contains(v)) eta::detail::throw_error(owner, ": invalid ", name, ": '", v, "' (", range.expected(), ")");
}

namespace fields_detail {

void check_value(const std::string& owner, const std::string& name, double v, const Range& r) {
  check_range(owner, name, v, r);
}
void check_value(const std::string& owner, const std::string& name, int64_t v, const Range& r) {
  check_range(owner, name, static_cast<double>(v), r);
}
void check_value(const std::string&, const std::string&, bool, const Range&) {}
void check_value(const std::string& owner, const std::string& name, const std::string& v, const Range& r) {
  check_range(owner, name, v, r);
}
void check_value(const std::string& owner, const std::string& name, const std::vector<double>& v, const Range& r) {
  for (double x : v) check_range(owner, name, x, r);
}
void check_value(const std::string& owner, const std::string& name, const std::vector<int64_t>& v, const Range& r) {
  for (int64_t x : v) check_range(owner, name, static_cast<double>(x), r);
}

void parse_value(const std::string& where, const std::string& text, double& out) { out = parse_double(where, text); }
void parse_value(const std::string& where, const std::string& text, int64_t& out) { out = parse_int(where, text); }
void parse_value(const std::string& where, const std::string& text, bool& out) { out = parse_bool(where, text); }
void parse_value(const std::string&, const std::string& text, std::string& out) { out = text; }
void parse_value(const std::string& where, const std::string& text, std::vector<double>& out) {
  out = parse_double_list(where, text);
  ETA_CHECK(!out.empty(), where, ": expected at least one value");
}
void parse_value(const std::string& where, const std::string& text, std::vector<int64_t>& out) {
  out = parse_int_list(where, text);
}

bool same_flag(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

void throw_unknown_flag(const std::string& owner, const std::string& flag, const std::vector<std::string>& valid) {
  eta::detail::throw_error(owner, ": unknown flag --", flag, " (valid: ", join(valid), ")");
}

void throw_required(const std::string& owner, const std::string& flag) {
  eta::detail::throw_error(owner, ": --", flag, " is required");
}

}  // namespace fields_detail

}  // namespace eta::util
