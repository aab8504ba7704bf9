// Reads tests/fixtures/optim_trajectories.txt (written by gen_optim.py): per case, the optimizer and
// its flags, the initial parameters, and per step the gradients fed and PyTorch's parameters after.
#pragma once
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eta/eta.h"
#include "support/fixture_lines.h"

namespace eta::testing {

struct TrajectoryCase {
  std::string name, optimizer;
  std::map<std::string, std::string> flags;
  std::vector<Shape> shapes;
  std::vector<std::vector<double>> init;                // per parameter
  std::vector<std::vector<std::vector<double>>> grads;  // [step][param]
  std::vector<std::vector<std::vector<double>>> params; // [step][param], after the step
};

// The numbers after the record's "|".
inline std::vector<double> read_values(std::istringstream& in) {
  std::string bar;
  while (in >> bar && bar != "|") {
  }
  return read_numbers(in);
}

inline std::vector<TrajectoryCase> load_trajectories() {
  std::vector<TrajectoryCase> cases;
  TrajectoryCase cur;
  read_fixture_lines("optim_trajectories.txt", [&](const std::string& tag, std::istringstream& in) {
    if (tag == "case") {
      cur = TrajectoryCase();
      in >> cur.name;
      std::string kv;
      while (in >> kv) {
        const auto eq = kv.find('=');
        if (kv.substr(0, eq) == "optimizer") cur.optimizer = kv.substr(eq + 1);
        else cur.flags[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    } else if (tag == "init") {
      int index, ndim;
      in >> index >> ndim;
      Shape shape(static_cast<size_t>(ndim));
      for (auto& s : shape) in >> s;
      cur.shapes.push_back(shape);
      cur.init.push_back(read_values(in));
    } else if (tag == "step") {
      cur.grads.emplace_back();
      cur.params.emplace_back();
    } else if (tag == "grad") {
      cur.grads.back().push_back(read_values(in));
    } else if (tag == "param") {
      cur.params.back().push_back(read_values(in));
    } else if (tag == "end") {
      cases.push_back(cur);
    }
  });
  return cases;
}

}  // namespace eta::testing
