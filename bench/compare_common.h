// Shared by the C++ reference harnesses of bench/compare (libtorch, dlib, tiny-dnn): command
// line, Fashion-MNIST from its gzipped IDX files (read here, not by the framework), the one
// protocol of compare_eta.cpp (one epoch of batches shuffled once, visited in a new order each
// epoch) and the one JSON line the driver reads. Depends on zlib and bench/harness.h only.
#pragma once

#include <sys/resource.h>
#include <zlib.h>

#include "harness.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace compare {

constexpr float kMean = 0.2860f, kStd = 0.3530f;  // Fashion-MNIST, as eta's DataLoader and the PyTorch harness

struct Options {
  std::string model = "mlp", data = "/usr/share/datasets/fashion-mnist";
  int64_t batch = 64, epochs = 3, limit = 0;
  int threads = 1;
};

inline Options parse(int argc, char** argv) {
  using eta::bench::arg;
  Options o;
  o.model = arg(argc, argv, "model", o.model);
  o.data = arg(argc, argv, "data", o.data);
  o.batch = std::stoll(arg(argc, argv, "batch", "64"));
  o.epochs = std::stoll(arg(argc, argv, "epochs", "3"));
  o.limit = std::stoll(arg(argc, argv, "limit", "0"));
  o.threads = std::stoi(arg(argc, argv, "threads", "1"));
  return o;
}

using eta::bench::now;

// An IDX file (gzipped or not: gzread passes plain files through) as its dimensions and bytes.
inline std::vector<uint8_t> read_idx(const std::string& dir, const std::string& name, std::vector<int64_t>& dims) {
  gzFile f = gzopen((dir + "/" + name + ".gz").c_str(), "rb");
  if (!f) f = gzopen((dir + "/" + name).c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + dir + "/" + name + "[.gz]");
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  for (int n; (n = gzread(f, buf, sizeof buf)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
  gzclose(f);
  if (bytes.size() < 4) throw std::runtime_error(name + ": truncated");
  const size_t rank = bytes[3];
  size_t count = 1;
  dims.clear();
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t* p = &bytes[4 + 4 * i];
    dims.push_back((int64_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
    count *= static_cast<size_t>(dims.back());
  }
  const size_t header = 4 + 4 * rank;
  if (bytes.size() != header + count) throw std::runtime_error(name + ": size does not match its header");
  return {bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end()};
}

// Images normalised to float, [n, 784] row-major, and labels.
struct Split {
  std::vector<float> images;
  std::vector<int64_t> labels;
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

inline Split load(const std::string& dir, const std::string& prefix, int64_t limit) {
  std::vector<int64_t> dims;
  const std::vector<uint8_t> px = read_idx(dir, prefix + "-images-idx3-ubyte", dims);
  const std::vector<uint8_t> lb = read_idx(dir, prefix + "-labels-idx1-ubyte", dims);
  Split s;
  const size_t n = limit > 0 ? std::min<size_t>(lb.size(), static_cast<size_t>(limit)) : lb.size();
  s.images.resize(n * 784);
  for (size_t i = 0; i < s.images.size(); ++i) s.images[i] = (static_cast<float>(px[i]) / 255.0f - kMean) / kStd;
  s.labels.assign(lb.begin(), lb.begin() + static_cast<std::ptrdiff_t>(n));
  return s;
}

// The images of one shuffled epoch cut into batches (the last one may be short): batch b holds
// the images perm[b*B .. b*B+B) of the set. Each harness copies them into its own batch type.
inline std::vector<std::vector<int64_t>> batch_indices(int64_t n, int64_t batch) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  std::mt19937 rng(0);
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<std::vector<int64_t>> out;
  for (int64_t i = 0; i < n; i += batch)
    out.emplace_back(perm.begin() + i, perm.begin() + std::min(n, i + batch));
  return out;
}

// The order batches are visited in, new every epoch.
struct Visits {
  std::vector<size_t> order;
  std::mt19937 rng{1};
  explicit Visits(size_t n) : order(n) { std::iota(order.begin(), order.end(), size_t{0}); }
  const std::vector<size_t>& next() {
    std::shuffle(order.begin(), order.end(), rng);
    return order;
  }
};

inline double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The JSON line of compare_eta.cpp and compare_pytorch.py.
inline void print_result(const char* framework, const Options& o, int64_t images, const std::vector<double>& epoch_seconds,
                         double infer_seconds, double test_acc, const std::string& setting) {
  std::printf("{\"framework\": \"%s\", \"model\": \"%s\", \"batch\": %ld, \"threads\": %d, \"images\": %ld, \"epoch_seconds\": [",
              framework, o.model.c_str(), static_cast<long>(o.batch), o.threads, static_cast<long>(images));
  for (size_t i = 0; i < epoch_seconds.size(); ++i) std::printf("%s%.4f", i ? ", " : "", epoch_seconds[i]);
  std::printf("], \"inference_seconds\": %.4f, \"peak_rss_mb\": %.1f, \"test_acc\": %.4f, \"setting\": \"%s\"}\n",
              infer_seconds, peak_rss_mb(), test_acc, setting.c_str());
  std::fflush(stdout);
}

}  // namespace compare
