// Reads tests/fixtures/sched_sequences.txt (written by gen_sched.py) and builds each case's
// optimizer and scheduler the way the generator did, through eta's factories.
#pragma once
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "eta/eta.h"
#include "eta/optim/adam.h"
#include "eta/optim/sgd.h"
#include "eta/sched/lambda_lr.h"
#include "eta/sched/registry.h"
#include "support/fixture_lines.h"

namespace eta::testing {

struct SequenceCase {
  std::string name, optimizer, scheduler;
  double lr = 0;
  sched::Flags flags;
  std::vector<double> lrs, momenta, metrics;
  std::string momentum_key;  // "momentum", "beta1" or empty when not cycled
};

inline std::vector<SequenceCase> load_sequences() {
  std::vector<SequenceCase> cases;
  SequenceCase cur;
  read_fixture_lines("sched_sequences.txt", [&](const std::string& tag, std::istringstream& in) {
    if (tag == "case") {
      cur = SequenceCase();
      std::string kv;
      in >> cur.name;
      while (in >> kv && kv != "|") {
        const auto eq = kv.find('=');
        if (kv.substr(0, eq) == "optimizer") cur.optimizer = kv.substr(eq + 1);
        else if (kv.substr(0, eq) == "scheduler") cur.scheduler = kv.substr(eq + 1);
        else if (kv.substr(0, eq) == "lr") cur.lr = std::stod(kv.substr(eq + 1));
      }
      while (in >> kv) {
        const auto eq = kv.find('=');
        cur.flags[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    } else if (tag == "lr") {
      cur.lrs = read_numbers(in);
    } else if (tag == "momentum" || tag == "beta1") {
      cur.momentum_key = tag;
      cur.momenta = read_numbers(in);
    } else if (tag == "metrics") {
      cur.metrics = read_numbers(in);
    } else if (tag == "end") {
      cases.push_back(cur);
    }
  });
  return cases;
}

struct Built {
  std::vector<Tensor> params;
  std::unique_ptr<optim::Optimizer> optimizer;
  std::unique_ptr<sched::Scheduler> scheduler;
};

inline Built build(const SequenceCase& c) {
  Built b;
  b.params = {zeros({1}).requires_grad_()};
  if (c.optimizer == "adam") b.optimizer = std::make_unique<optim::Adam>(b.params, optim::AdamOptions{.lr = c.lr});
  else b.optimizer = std::make_unique<optim::SGD>(b.params, optim::SGDOptions{.lr = c.lr, .momentum = 0.9});
  if (c.scheduler == "LambdaLR")  // the generator's lambda: 0.95 ** t
    b.scheduler = std::make_unique<sched::LambdaLR>(*b.optimizer, [](int64_t t) {
      return std::pow(0.95, static_cast<double>(t));
    });
  else
    b.scheduler = sched::make_scheduler(c.scheduler, *b.optimizer, c.flags);
  return b;
}

// Steps the way the generator did: the plateau scheduler gets the fixture's metric for step t.
inline void step(const SequenceCase& c, sched::Scheduler& s, size_t t) {
  if (c.metrics.empty()) s.step();
  else s.step(c.metrics.at(t));
}

}  // namespace eta::testing
