// Strict value parsing for flags and factories (see eta/util/parse.h).
#include "eta/util/parse.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "eta/error.h"

namespace eta::util {

double parse_double(const std::string& flag, const std::string& text) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s, &end);
  ETA_CHECK(!text.empty() && end == s + text.size() && !std::isspace(static_cast<unsigned char>(text[0])), flag,
            ": '", text, "' is not a number");
  ETA_CHECK(errno != ERANGE || std::fabs(v) < 1, flag, ": '", text, "' is out of range");
  return v;
}

int64_t parse_int(const std::string& flag, const std::string& text) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s, &end, 10);
  ETA_CHECK(!text.empty() && end == s + text.size() && !std::isspace(static_cast<unsigned char>(text[0])), flag,
            ": '", text, "' is not an integer");
  ETA_CHECK(errno != ERANGE, flag, ": '", text, "' is out of range");
  return static_cast<int64_t>(v);
}

bool parse_bool(const std::string& flag, const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  detail::throw_error(flag, ": '", text, "' is not a boolean (use true or false)");
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t pos = text.find(sep, start);
    out.push_back(text.substr(start, pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::vector<double> parse_double_list(const std::string& flag, const std::string& text) {
  std::vector<double> out;
  if (text.empty()) return out;
  for (const auto& item : split(text, ',')) out.push_back(parse_double(flag, item));
  return out;
}

std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  for (const auto& item : split(text, ',')) out.push_back(parse_int(flag, item));
  return out;
}

std::string canonical_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(c));
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

}  // namespace eta::util
