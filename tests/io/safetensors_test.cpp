// safetensors tests: round trips of every dtype (0-dim and empty tensors included), the exact byte
// layout, atomic writes, ~30 handcrafted corrupt files each with the message it must give,
// load_into's all-or-nothing checks, and sweeps over every truncation and 1,000 seeded mutations
// of a valid file (an error or a valid load each time; the suite also runs under ASan/UBSan).
#include "eta/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "eta/error.h"
#include "eta/tensor/factory.h"
#include "io/test_files.h"
#include "support/errors.h"

namespace eta::io {
namespace {

using eta::testing::read_bytes;
using eta::testing::TempDir;
using eta::testing::write_bytes;

// A file from a header text and `data_size` bytes of data, for handcrafted cases.
std::vector<uint8_t> file_from(const std::string& header, size_t data_size, uint64_t declared_len = UINT64_MAX) {
  const uint64_t n = declared_len == UINT64_MAX ? header.size() : declared_len;
  std::vector<uint8_t> b;
  for (int k = 0; k < 8; ++k) b.push_back(static_cast<uint8_t>(n >> (8 * k)));
  b.insert(b.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_size; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

using eta::testing::error_of;

std::string parse_error(const std::vector<uint8_t>& bytes) {
  return error_of([&] { parse_safetensors(bytes.data(), bytes.size(), "bad.safetensors"); });
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.raw_data(), cb.raw_data(), static_cast<size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

std::map<std::string, Tensor> sample_tensors() {
  Generator gen(5);
  std::map<std::string, Tensor> t;
  t["fc1.weight"] = randn({4, 3}, kFloat32, gen);
  t["fc1.bias"] = from_vector(std::vector<float>{1.5f, -0.0f, 3.4028235e38f, 1e-45f}, {4});
  t["double"] = randn({2, 2, 2}, kFloat64, gen);
  t["step"] = from_vector(std::vector<int64_t>{INT64_MIN, -1, 0, INT64_MAX}, {2, 2});
  t["scalar"] = scalar_tensor(0.25, kFloat64);
  t["empty"] = zeros({0}, kFloat32);
  t["empty2d"] = zeros({2, 0, 3}, kInt64);
  return t;
}

TEST(Safetensors, RoundTripOfEveryDtypeIncludingScalarAndEmpty) {
  TempDir dir;
  const auto tensors = sample_tensors();
  const std::map<std::string, std::string> meta = {
      {"epoch", "3"}, {"quote \" and \\ and \n and \x01", "ünïcødé ✓"}, {"empty", ""}};
  save_safetensors(dir.file("a.safetensors"), tensors, meta);
  const SafetensorsFile f = load_safetensors(dir.file("a.safetensors"));
  EXPECT_EQ(f.metadata, meta);
  ASSERT_EQ(f.tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    ASSERT_TRUE(f.contains(name)) << name;
    EXPECT_TRUE(same_bytes(f.at(name), t)) << name;
  }
  EXPECT_EQ(f.at("scalar").dim(), 0);
  EXPECT_EQ(f.at("scalar").item(), 0.25);
  EXPECT_EQ(f.at("empty2d").shape(), (Shape{2, 0, 3}));
  EXPECT_NE(error_of([&] { f.at("nope"); }).find("no tensor \"nope\" (the file has: "), std::string::npos);
  // The in-memory form is byte-identical to the file.
  EXPECT_EQ(serialize_safetensors(tensors, meta), read_bytes(dir.file("a.safetensors")));
}

TEST(Safetensors, ExactLayoutMatchesTheStandard) {
  const std::map<std::string, Tensor> t = {{"a", from_vector(std::vector<float>{1.0f, 2.0f}, {2})},
                                           {"b", from_vector(std::vector<int64_t>{7}, {1})}};
  const auto bytes = serialize_safetensors(t, {{"format", "pt"}});
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = n << 8 | bytes[static_cast<size_t>(k)];
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ((8 + n) % 8, 0u);  // padded so the data starts 8-byte aligned
  EXPECT_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
            R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}})");
  ASSERT_EQ(bytes.size(), 8 + n + 16);
  const uint8_t one_f32_le[4] = {0x00, 0x00, 0x80, 0x3f};
  EXPECT_EQ(0, std::memcmp(bytes.data() + 8 + n, one_f32_le, 4));
  EXPECT_EQ(bytes[8 + n + 8], 7);
}

TEST(Safetensors, ReadsAFileAsThePythonLibraryWritesIt) {
  // Keys in any order, spaces in the JSON, metadata first, data in offset order that differs from
  // header order: all as safetensors' reference writer may produce.
  const std::string h = R"({"__metadata__": {"format": "pt"}, "w": {"dtype": "F64", "shape": [1], )"
                        R"("data_offsets": [4, 12]}, "v": {"shape": [1], "data_offsets": [0, 4], "dtype": "F32"}}    )";
  auto bytes = file_from(h, 0);
  const float v = -2.5f;
  const double w = 0.125;
  const auto* pv = reinterpret_cast<const uint8_t*>(&v);
  const auto* pw = reinterpret_cast<const uint8_t*>(&w);
  bytes.insert(bytes.end(), pv, pv + 4);
  bytes.insert(bytes.end(), pw, pw + 8);
  const SafetensorsFile f = parse_safetensors(bytes.data(), bytes.size());
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].first, "v");  // file (offset) order
  EXPECT_EQ(f.at("v").item(), -2.5);
  EXPECT_EQ(f.at("w").item(), 0.125);
  EXPECT_EQ(f.metadata.at("format"), "pt");
  // "__metadata__": null is the reference writer's "no metadata".
  const auto nullmeta = file_from(R"({"__metadata__":null,"x":{"dtype":"I64","shape":[],"data_offsets":[0,8]}})", 8);
  EXPECT_TRUE(parse_safetensors(nullmeta.data(), nullmeta.size()).metadata.empty());
}

TEST(Safetensors, NonContiguousTensorsAreWrittenRowMajor) {
  const Tensor base = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor t = base.t();  // [3, 2] view with strides (1, 3)
  ASSERT_FALSE(t.is_contiguous());
  const auto bytes = serialize_safetensors({{"t", t}});
  const SafetensorsFile f = parse_safetensors(bytes.data(), bytes.size());
  EXPECT_EQ(f.at("t").to_vector(), (std::vector<double>{1, 4, 2, 5, 3, 6}));
}

TEST(Safetensors, SaveIsAtomicAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  save_safetensors(path, {{"x", ones({3})}});
  save_safetensors(path, {{"x", full({3}, 2.0)}});  // replaces the old file
  EXPECT_EQ(load_safetensors(path).at("x").to_vector(), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"ckpt.safetensors"});
  // A failing save (reserved name, invalid UTF-8, missing directory) leaves the old file intact
  // and no temporary file.
  EXPECT_NE(error_of([&] { save_safetensors(path, {{"__metadata__", ones({1})}}); }).find("reserved"), std::string::npos);
  EXPECT_NE(error_of([&] { save_safetensors(path, {{"bad\xff", ones({1})}}); }).find("valid UTF-8"), std::string::npos);
  EXPECT_NE(error_of([&] { save_safetensors(dir.file("no/such/dir.st"), {{"x", ones({1})}}); }).find("cannot create"),
            std::string::npos);
  EXPECT_EQ(load_safetensors(path).at("x").to_vector(), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"ckpt.safetensors"});
}

TEST(Safetensors, MissingFileIsNamed) {
  TempDir dir;
  EXPECT_NE(error_of([&] { load_safetensors(dir.file("gone.safetensors")); }).find("cannot open"), std::string::npos);
  EXPECT_NE(error_of([&] { load_safetensors(dir.path()); }).find("not a regular file"), std::string::npos);
}

struct Corrupt {
  const char* what;
  std::vector<uint8_t> bytes;
  const char* expected;
};

std::string entry(const std::string& dtype, const std::string& shape, const std::string& offsets) {
  return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
}

TEST(Safetensors, HandcraftedCorruptFilesGiveTheirErrors) {
  const std::string ok = entry("F32", "[2]", "[0,8]");
  std::string deep(100, '[');
  const std::vector<Corrupt> cases = {
      {"empty file", {}, "the file is empty"},
      {"shorter than the length", {1, 0, 0}, "too short for the 8-byte header length"},
      {"header length past the end", file_from("{}", 0, 4096), "header length 4096 runs past the end of the file"},
      {"header length 2^63", file_from("{}", 0, uint64_t{1} << 63), "runs past the end of the file"},
      {"header too short", file_from("{", 0), "too short for a JSON object"},
      {"not JSON (bad magic)", file_from("GGUF\x03\0\0\0", 0), "does not start with '{'"},
      {"truncated JSON", file_from("{\"a\":" + ok.substr(0, 20), 8), "invalid JSON at byte"},
      {"trailing comma", file_from("{\"a\":" + ok + ",}", 8), "expected a string key"},
      {"text after the object", file_from("{\"a\":" + ok + "}x", 8), "unexpected text after the end"},
      {"unknown dtype", file_from("{\"a\":" + entry("BF16", "[2]", "[0,4]") + "}", 4),
       "unknown or unsupported dtype \"BF16\" (eta reads F32, F64 and I64)"},
      {"dtype not a string", file_from(R"({"a":{"dtype":3,"shape":[2],"data_offsets":[0,8]}})", 8), "dtype is a number"},
      {"negative dim", file_from("{\"a\":" + entry("F32", "[-2]", "[0,8]") + "}", 8), "negative dimension -2"},
      {"dims product past 2^63", file_from("{\"a\":" + entry("F32", "[4294967296,4294967296]", "[0,8]") + "}", 8),
       "has more than 2^63 elements"},
      {"dims past 2^63 behind a zero", file_from("{\"a\":" + entry("F32", "[0,4294967296,4294967296]", "[0,0]") + "}", 0),
       "has more than 2^63 elements"},
      {"bytes past 2^63", file_from("{\"a\":" + entry("F64", "[2305843009213693952]", "[0,8]") + "}", 8),
       "needs more than 2^63 bytes"},
      {"dim beyond int64", file_from("{\"a\":" + entry("F32", "[99999999999999999999]", "[0,8]") + "}", 8),
       "not an integer in int64 range"},
      {"fractional dim", file_from("{\"a\":" + entry("F32", "[2.5]", "[0,8]") + "}", 8), "not an integer"},
      {"offsets past the end", file_from("{\"a\":" + entry("F32", "[2]", "[0,8]") + "}", 4),
       "run past the end of the data section (4 bytes"},
      {"overlapping offsets",
       file_from("{\"a\":" + entry("F32", "[2]", "[0,8]") + ",\"b\":" + entry("F32", "[2]", "[4,12]") + "}", 12),
       "tensor \"b\" (data_offsets [4, 12]) overlaps tensor \"a\""},
      {"gap between tensors",
       file_from("{\"a\":" + entry("F32", "[2]", "[0,8]") + ",\"b\":" + entry("F32", "[1]", "[12,16]") + "}", 16),
       "a gap of 4 bytes before tensor \"b\""},
      {"offsets not matching dtype x shape", file_from("{\"a\":" + entry("F32", "[3]", "[0,8]") + "}", 8),
       "span 8 bytes but F32 [3] needs 12"},
      {"reversed offsets", file_from("{\"a\":" + entry("F32", "[0]", "[8,0]") + "}", 8), "not an ordered pair"},
      {"one offset", file_from("{\"a\":" + entry("F32", "[2]", "[8]") + "}", 8), "array of two integers"},
      {"duplicate names", file_from("{\"a\":" + ok + ",\"a\":" + entry("F32", "[2]", "[8,16]") + "}", 16),
       "duplicate key \"a\""},
      {"metadata value not a string", file_from("{\"__metadata__\":{\"epoch\":3},\"a\":" + ok + "}", 8),
       "metadata value for \"epoch\" is a number, but metadata values must be strings"},
      {"metadata not an object", file_from("{\"__metadata__\":[1],\"a\":" + ok + "}", 8), "__metadata__ is an array"},
      {"trailing bytes after the data", file_from("{\"a\":" + ok + "}", 12), "4 bytes after the last tensor's data"},
      {"missing field", file_from(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", 8), "missing field \"shape\""},
      {"unknown field", file_from(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", 8),
       "unknown field \"x\""},
      {"entry not an object", file_from(R"({"a":"F32"})", 0), "its entry is a string"},
      {"nesting bomb", file_from("{\"a\":" + deep, 0), "nesting deeper than 64 levels"},
      {"invalid UTF-8 in a name", file_from("{\"a\xc0\xaf\":" + ok + "}", 8), "invalid UTF-8"},
      {"lone surrogate escape", file_from("{\"a\\ud800\":" + ok + "}", 8), "high surrogate without its low half"},
      {"control character in a string", file_from("{\"a\nb\":" + ok + "}", 8), "unescaped control character"},
  };
  EXPECT_GE(cases.size(), 20u);
  for (const Corrupt& c : cases) {
    const std::string msg = parse_error(c.bytes);
    EXPECT_NE(msg.find(c.expected), std::string::npos) << c.what << ": got \"" << msg << "\"";
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << c.what << ": the file is not named in \"" << msg << "\"";
  }
}

TEST(Safetensors, EscapesAndUnicodeNamesRoundTrip) {
  const std::string h = R"({"caf\u00e9 \ud83d\ude00 \"q\" \\ \/":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
  const auto bytes = file_from(h, 4);
  const SafetensorsFile f = parse_safetensors(bytes.data(), bytes.size());
  ASSERT_EQ(f.tensors.size(), 1u);
  EXPECT_EQ(f.tensors[0].first, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ /");
  // And the writer's escaping reads back to the same name.
  const auto again = serialize_safetensors({{f.tensors[0].first, f.tensors[0].second}});
  EXPECT_EQ(parse_safetensors(again.data(), again.size()).tensors[0].first, f.tensors[0].first);
}

TEST(LoadInto, CopiesIntoExistingStorageIncludingParametersAndViews) {
  const auto saved = sample_tensors();
  const auto bytes = serialize_safetensors(saved);
  const SafetensorsFile f = parse_safetensors(bytes.data(), bytes.size());
  std::map<std::string, Tensor> targets;
  for (const auto& [name, t] : saved) targets[name] = zeros(t.shape(), t.dtype());
  targets["fc1.weight"].requires_grad_(true);  // a parameter, grad mode on: still loads, no autograd
  const Tensor storage = zeros({3, 4}, kFloat32);
  targets["fc1.weight"] = storage.t();  // a non-contiguous view of [4, 3]
  void* before = targets["fc1.weight"].raw_data();
  load_into(targets, f);
  EXPECT_EQ(targets["fc1.weight"].raw_data(), before);  // same storage, values replaced
  for (const auto& [name, t] : saved) EXPECT_TRUE(same_bytes(targets[name], t)) << name;
  EXPECT_TRUE(same_bytes(storage, saved.at("fc1.weight").t()));
}

TEST(LoadInto, ParameterThatRequiresGradIsLoaded) {
  const Tensor w = zeros({2}, kFloat32);
  w.impl()->requires_grad = true;
  const auto bytes = serialize_safetensors({{"w", from_vector(std::vector<float>{3, 4}, {2})}});
  load_into({{"w", w}}, parse_safetensors(bytes.data(), bytes.size()));
  EXPECT_EQ(w.to_vector(), (std::vector<double>{3, 4}));
}

TEST(LoadInto, MismatchesAreAllListedAndNothingIsWritten) {
  const auto bytes = serialize_safetensors({{"fc1.weight", ones({256, 784})},
                                            {"fc1.bias", ones({256})},
                                            {"extra.weight", ones({2})},
                                            {"steps", from_vector(std::vector<double>{1}, {1})}});
  const SafetensorsFile f = parse_safetensors(bytes.data(), bytes.size());
  std::map<std::string, Tensor> model = {{"fc1.weight", zeros({128, 784})},
                                         {"fc1.bias", zeros({256})},
                                         {"fc2.weight", zeros({10, 128})},
                                         {"steps", zeros({1}, kFloat32)}};
  const std::string msg = error_of([&] { load_into(model, f); });
  EXPECT_NE(msg.find("fc1.weight: file [256, 784], model [128, 784]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("steps: file float64 [1], model float32 [1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing from the file: fc2.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("in the file but not the model: extra.weight"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
  // fc1.bias matched but must not have been written: the load is all or nothing.
  EXPECT_EQ(model["fc1.bias"].sum().item(), 0.0);
}

// Every proper prefix of a valid file is an error (the data section must be exactly covered).
TEST(SafetensorsSweep, EveryTruncationIsAnError) {
  const auto bytes = serialize_safetensors(sample_tensors(), {{"epoch", "1"}, {"order", "seed=1 epoch=1 position=0"}});
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(parse_safetensors(bytes.data(), n, "truncated"), Error) << "truncated to " << n << " bytes";
  EXPECT_NO_THROW(parse_safetensors(bytes.data(), bytes.size()));
}

TEST(SafetensorsSweep, RandomMutationsGiveAnErrorOrAConsistentFile) {
  const auto bytes = serialize_safetensors(sample_tensors(), {{"epoch", "1"}});
  uint64_t header_len = 0;
  for (int k = 7; k >= 0; --k) header_len = header_len << 8 | bytes[static_cast<size_t>(k)];
  Generator gen(1234);
  int errors = 0, loads = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto m = eta::testing::mutate(bytes, gen, static_cast<size_t>(8 + header_len));
    try {
      const SafetensorsFile f = parse_safetensors(m.data(), m.size(), "mutated");
      // A valid load accounts for every data byte exactly.
      uint64_t n = 0;
      for (int k = 7; k >= 0; --k) n = n << 8 | m[static_cast<size_t>(k)];
      uint64_t data = 0;
      for (const auto& [name, t] : f.tensors) data += static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype());
      EXPECT_EQ(8 + n + data, m.size());
      ++loads;
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_EQ(errors + loads, 1000);
  EXPECT_GT(errors, 300);
}

TEST(SafetensorsSweep, FileAndMemoryReadersAgree) {
  TempDir dir;
  const auto bytes = serialize_safetensors(sample_tensors(), {{"k", "v"}});
  Generator gen(99);
  for (int i = 0; i < 50; ++i) {
    const auto m = eta::testing::mutate(bytes, gen, 64);
    write_bytes(dir.file("m"), m);
    const std::string a = error_of([&] { load_safetensors(dir.file("m")); });
    const std::string b = error_of([&] { parse_safetensors(m.data(), m.size(), dir.file("m")); });
    EXPECT_EQ(a, b);
  }
}

}  // namespace
}  // namespace eta::io
