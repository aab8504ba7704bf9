// Runs one of the built example programs as a user would: captures stdout, stderr and the exit
// status. Programs are found under ETA_BINARY_DIR/examples.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace eta::testing {

struct ProgramResult {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `launcher` (e.g. "mpiexec -n 2") starts the program when given.
inline ProgramResult run_program(const std::string& program, const std::string& args, const std::string& launcher = "") {
  const std::string bin = std::string(ETA_BINARY_DIR) + "/examples/" + program;
  // Unique per process and call: CTest runs test cases in parallel processes.
  static int calls = 0;
  const std::string err_path =
      ::testing::TempDir() + program + "_stderr_" + std::to_string(getpid()) + "_" + std::to_string(++calls) + ".txt";
  const std::string cmd = (launcher.empty() ? "" : launcher + " ") + bin + " " + args + " 2>" + err_path + " </dev/null";
  ProgramResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = slurp(err_path);
  std::remove(err_path.c_str());
  return r;
}

}  // namespace eta::testing
