// Strict parsing of command-line and factory values: a whole string must be a number (or a list of
// them, comma-separated); anything else is an eta::Error naming the flag and the text.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eta::util {

double parse_double(const std::string& flag, const std::string& text);
int64_t parse_int(const std::string& flag, const std::string& text);
// true/false, yes/no, on/off, 1/0 (case-insensitive).
bool parse_bool(const std::string& flag, const std::string& text);
std::vector<double> parse_double_list(const std::string& flag, const std::string& text);
std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text);
std::vector<std::string> split(const std::string& text, char sep);
// Lower case without '_' and '-': "CosineAnnealingLR", "cosine_annealing_lr" and "cosineannealinglr"
// all name the same thing.
std::string canonical_name(const std::string& name);
// "a, b, c" for error messages.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
// Each line followed by '\n', and back: split_lines(join_lines(v)) == v for lines without '\n'.
std::string join_lines(const std::vector<std::string>& lines);
std::vector<std::string> split_lines(const std::string& text);

}  // namespace eta::util
