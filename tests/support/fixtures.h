// Reads tests/fixtures/ops_cases.txt (written by gen_ops.py): per case, its inputs, the cotangent
// fed to backward, and PyTorch's output and input gradients, all float64 (indices int64).
#pragma once
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eta/eta.h"

namespace eta::testing {

struct FixtureTensor {
  std::string kind;  // plain, strided, nograd, int (inputs); empty otherwise
  Shape shape;
  std::vector<double> values;
};

struct FixtureCase {
  std::string name;
  std::vector<FixtureTensor> inputs;
  FixtureTensor cotangent, output;
  std::map<int, FixtureTensor> grads;  // by input position
};

inline FixtureTensor parse_tensor(std::istringstream& in, bool with_kind) {
  FixtureTensor t;
  if (with_kind) in >> t.kind;
  int64_t ndim = 0;
  in >> ndim;
  t.shape.resize(static_cast<size_t>(ndim));
  for (auto& s : t.shape) in >> s;
  std::string bar;
  in >> bar;
  double v;
  while (in >> v) t.values.push_back(v);
  return t;
}

inline std::map<std::string, FixtureCase> load_op_cases() {
  const std::string path = std::string(ETA_FIXTURE_DIR) + "/ops_cases.txt";
  std::ifstream file(path);
  if (!file) throw Error("fixtures: cannot open " + path);
  std::map<std::string, FixtureCase> cases;
  FixtureCase cur;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    if (tag == "case") in >> cur.name;
    else if (tag == "input") cur.inputs.push_back(parse_tensor(in, true));
    else if (tag == "cotangent") cur.cotangent = parse_tensor(in, false);
    else if (tag == "output") cur.output = parse_tensor(in, false);
    else if (tag == "grad") {
      int i;
      in >> i;
      cur.grads[i] = parse_tensor(in, false);
    } else if (tag == "end") {
      cases[cur.name] = cur;
      cur = FixtureCase();
    }
  }
  return cases;
}

// Builds the eta tensor for a fixture input: "strided" inputs become a transposed view (same
// logical values, non-contiguous memory); float inputs get `dtype`.
inline Tensor make_input(const FixtureTensor& f, DType dtype) {
  if (f.kind == "int") {
    std::vector<int64_t> iv(f.values.begin(), f.values.end());
    return from_vector(iv, f.shape);
  }
  Tensor t = from_vector(f.values, f.shape, dtype);
  if (f.kind == "strided" && t.dim() >= 2) {
    t = t.transpose(-1, -2).contiguous().transpose(-1, -2);
    EXPECT_FALSE(t.is_contiguous());
  }
  if (f.kind == "plain" || f.kind == "strided") t.requires_grad_();
  return t;
}

}  // namespace eta::testing
