// The line format every fixture file shares (tests/fixtures/*.txt, written by the gen_*.py
// scripts): one record per line, "<tag> <fields...>", with blank lines and '#' comments skipped.
#pragma once
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "eta/error.h"

namespace eta::testing {

// Calls on_line(tag, rest-of-line) for every record of tests/fixtures/<name>.
inline void read_fixture_lines(const std::string& name,
                               const std::function<void(const std::string& tag, std::istringstream& rest)>& on_line) {
  const std::string path = std::string(ETA_FIXTURE_DIR) + "/" + name;
  std::ifstream file(path);
  if (!file) throw Error("fixtures: cannot open " + path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    on_line(tag, in);
  }
}

// The remaining numbers of a record.
inline std::vector<double> read_numbers(std::istringstream& in) {
  std::vector<double> v;
  double x;
  while (in >> x) v.push_back(x);
  return v;
}

}  // namespace eta::testing
