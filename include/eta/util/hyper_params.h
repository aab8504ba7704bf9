// Hyper-parameters declared once. A plug-in (optimizer or scheduler) keeps its defaults in a plain
// options struct and lists each field once — PyTorch's name, a member pointer into the struct, the
// valid range — and validation, flag parsing and the flag list all come from that list. Not a
// reflection system: six value types and one range per field; rules that tie several fields
// together (SGD's nesterov, OneCycleLR's total_steps or epochs) stay in the plug-in's constructor.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace eta::util {

using Flags = std::map<std::string, std::string>;

// The values a hyper-parameter may take: numbers in [lo, hi] (either end may be open), or for
// text one of `choices`. The default range accepts everything.
struct Range {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  std::vector<std::string> choices = {};

  bool contains(double v) const;
  bool contains(const std::string& v) const;
  // For error messages: "expected >= 0", "expected > 0", "expected in [0, 1)", "expected 'cos' or 'linear'".
  std::string expected() const;
};
Range at_least(double lo);                                  // [lo, ∞)
Range above(double lo);                                     // (lo, ∞)
Range between(double lo, double hi, bool hi_open = false);  // [lo, hi] or [lo, hi)
Range one_of(std::vector<std::string> choices);

// Throws eta::Error "<owner>: invalid <name>: <value> (<range.expected()>)" unless v is in range.
void check_range(const std::string& owner, const std::string& name, double v, const Range& range);
void check_range(const std::string& owner, const std::string& name, const std::string& v, const Range& range);

// One field of a plug-in's options struct Opts: PyTorch's name, where the value lives (the
// struct's initialiser is the default), its valid range, and whether a flag must give it.
template <class Opts>
struct Field {
  using Member = std::variant<double Opts::*, int64_t Opts::*, bool Opts::*, std::string Opts::*,
                              std::vector<double> Opts::*, std::vector<int64_t> Opts::*>;
  std::string name;
  Member member;
  Range range = {};
  bool required = false;  // no usable default: make_* fails without the flag (StepLR's step_size)
};
template <class Opts>
using Fields = std::vector<Field<Opts>>;

namespace fields_detail {
void check_value(const std::string& owner, const std::string& name, double v, const Range& r);
void check_value(const std::string& owner, const std::string& name, int64_t v, const Range& r);
void check_value(const std::string& owner, const std::string& name, bool v, const Range& r);
void check_value(const std::string& owner, const std::string& name, const std::string& v, const Range& r);
void check_value(const std::string& owner, const std::string& name, const std::vector<double>& v, const Range& r);
void check_value(const std::string& owner, const std::string& name, const std::vector<int64_t>& v, const Range& r);
void parse_value(const std::string& where, const std::string& text, double& out);
void parse_value(const std::string& where, const std::string& text, int64_t& out);
void parse_value(const std::string& where, const std::string& text, bool& out);
void parse_value(const std::string& where, const std::string& text, std::string& out);
void parse_value(const std::string& where, const std::string& text, std::vector<double>& out);
void parse_value(const std::string& where, const std::string& text, std::vector<int64_t>& out);
bool same_flag(const std::string& a, const std::string& b);  // case-insensitive
[[noreturn]] void throw_unknown_flag(const std::string& owner, const std::string& flag,
                                     const std::vector<std::string>& valid);
[[noreturn]] void throw_required(const std::string& owner, const std::string& flag);
}  // namespace fields_detail

// The fields' names, in declaration order.
template <class Opts>
std::vector<std::string> field_names(const Fields<Opts>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

// Throws on the first field of `o` outside its range (every element of a list is checked).
template <class Opts>
void check_fields(const std::string& owner, const Fields<Opts>& fields, const Opts& o) {
  for (const auto& f : fields)
    std::visit([&](auto member) { fields_detail::check_value(owner, f.name, o.*member, f.range); }, f.member);
}

// `o` with the fields named in `flags` (names compared case-insensitively) parsed from text;
// unknown flags and missing required ones throw, naming the valid flags.
template <class Opts>
Opts parse_fields(const std::string& owner, const Fields<Opts>& fields, const Flags& flags, Opts o = {}) {
  for (const auto& flag : flags) {
    // Not a structured binding: Clang 14 cannot capture one in the lambda below.
    const std::string &key = flag.first, &text = flag.second;
    bool known = false;
    for (const auto& f : fields)
      if (fields_detail::same_flag(f.name, key)) {
        std::visit([&](auto member) { fields_detail::parse_value(owner + ": --" + f.name, text, o.*member); }, f.member);
        known = true;
      }
    if (!known) fields_detail::throw_unknown_flag(owner, key, field_names(fields));
  }
  for (const auto& f : fields) {
    if (!f.required) continue;
    bool given = false;
    for (const auto& [key, text] : flags) given = given || fields_detail::same_flag(f.name, key);
    if (!given) fields_detail::throw_required(owner, f.name);
  }
  return o;
}

// The number and true/false fields of `o` as name → value (true = 1): an optimizer's group options.
template <class Opts>
std::map<std::string, double> numeric_values(const Fields<Opts>& fields, const Opts& o) {
  std::map<std::string, double> out;
  for (const auto& f : fields)
    std::visit(
        [&](auto member) {
          using T = std::decay_t<decltype(o.*member)>;
          if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t> || std::is_same_v<T, bool>)
            out[f.name] = static_cast<double>(o.*member);
        },
        f.member);
  return out;
}

// The inverse of numeric_values: `o` with its number and true/false fields set from value(name)
// (any nonzero value is true).
template <class Opts, class Value>
Opts from_numeric_values(const Fields<Opts>& fields, const Value& value, Opts o = {}) {
  for (const auto& f : fields)
    std::visit(
        [&](auto member) {
          using T = std::decay_t<decltype(o.*member)>;
          if constexpr (std::is_same_v<T, bool>)
            o.*member = value(f.name) != 0;
          else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t>)
            o.*member = static_cast<T>(value(f.name));
        },
        f.member);
  return o;
}

}  // namespace eta::util
