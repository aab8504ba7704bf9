// Command-line flags for the example programs: "--name value" pairs, --help, and the one-line
// error convention (message on stderr, exit status 1, no stack trace). Header-only; examples only.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eta/dist/context.h"
#include "eta/error.h"

namespace eta::examples {

// `names` separated by spaces, starting at column `first_column`, wrapped before `width` columns
// with continuation lines indented by `indent` spaces: a registry's names in a usage text, so help
// never lists them by hand.
inline std::string wrap_names(const std::vector<std::string>& names, size_t first_column, size_t indent,
                              size_t width = 96) {
  std::string out, line;
  size_t column = first_column;
  for (const std::string& n : names) {
    if (!line.empty() && column + line.size() + 1 + n.size() > width) {
      column = indent;
      out += line;
      out += '\n';
      out.append(indent, ' ');
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += n;
  }
  return out + line;
}

class Flags {
 public:
  // Every argument must be "--name value"; "--help" or "-h" prints `usage` and exits 0.
  Flags(int argc, char** argv, const std::string& usage) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::fputs(usage.c_str(), stdout);
        std::exit(0);
      }
      ETA_CHECK(arg.size() > 2 && arg.rfind("--", 0) == 0, "unexpected argument '", arg, "' (flags are --name value)");
      ETA_CHECK(i + 1 < argc, "flag ", arg, " needs a value");
      const std::string name = arg.substr(2);
      ETA_CHECK(!values_.count(name), "flag --", name, " given twice");
      values_[name] = argv[++i];
    }
  }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Removes and returns a flag's value (or `fallback`), so what remains can be checked or forwarded.
  std::string take(const std::string& name, const std::string& fallback) {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::string v = it->second;
    values_.erase(it);
    return v;
  }
  std::string take_required(const std::string& name) {
    ETA_CHECK(has(name), "--", name, " is required (see --help)");
    return take(name, "");
  }
  const std::map<std::string, std::string>& rest() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Runs `body`; an eta::Error (or any exception) becomes "<program>: <message>" on stderr and exit 1.
// Runs a program inside a dist::Context: under mpirun each process is one data-parallel rank,
// and an exception on any rank ends the whole job with "[rank r/W] program: message". Only rank 0
// prints to stdout (the others' figures are the same, reduced ones); errors go to stderr on any rank.
inline int run_main(const char* program, const std::function<int()>& body) {
  return dist::run_main(program, nullptr, nullptr, [&] {
    if (!dist::is_main() && !std::freopen("/dev/null", "w", stdout)) std::fclose(stdout);
    return body();
  });
}

}  // namespace eta::examples
