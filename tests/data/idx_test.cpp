// IDX reader/writer tests: raw and gzip round trips, each malformed-file case with the message it
// must give, and a sweep of every truncation plus 1,000 seeded mutations (an error or a valid load,
// never a crash — the suite also runs under ASan/UBSan).
#include "eta/data/idx.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eta/error.h"
#include "io/test_files.h"

namespace eta::data {
namespace {

using eta::testing::read_bytes;
using eta::testing::TempDir;
using eta::testing::to_bytes;
using eta::testing::write_bytes;
using eta::testing::gzip_stored;

IdxArray make_array(std::vector<int64_t> dims, uint64_t seed) {
  IdxArray a;
  a.dims = std::move(dims);
  int64_t n = 1;
  for (int64_t d : a.dims) n *= d;
  Generator gen(seed);
  for (int64_t i = 0; i < n; ++i) a.data.push_back(static_cast<uint8_t>(gen.next_below(256)));
  return a;
}

// A raw IDX file from its header fields and payload, for handcrafted bad files.
std::vector<uint8_t> raw_idx(uint8_t type, std::vector<uint32_t> dims, size_t payload) {
  std::vector<uint8_t> b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

// A compressed file as write_idx writes it.
std::vector<uint8_t> gzip_bytes(const TempDir& dir, const IdxArray& a) {
  const std::string p = dir.file("gz-helper");
  write_idx(p, a, true);
  return read_bytes(p);
}

void expect_error(const std::vector<uint8_t>& bytes, const std::string& substring, int64_t rank = 0) {
  try {
    parse_idx(bytes.data(), bytes.size(), "test.idx", rank);
    ADD_FAILURE() << "no error; expected one containing \"" << substring << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << "message: " << e.what();
    EXPECT_NE(std::string(e.what()).find("test.idx"), std::string::npos) << "the file is not named: " << e.what();
  }
}

TEST(Idx, RawRoundTripImagesAndLabels) {
  TempDir dir;
  const IdxArray images = make_array({7, 28, 28}, 1);
  const IdxArray labels = make_array({7}, 2);
  write_idx(dir.file("images"), images);
  write_idx(dir.file("labels"), labels);
  const IdxArray ri = read_idx(dir.file("images"), 3);
  const IdxArray rl = read_idx(dir.file("labels"), 1);
  EXPECT_EQ(ri.dims, images.dims);
  EXPECT_EQ(ri.data, images.data);
  EXPECT_EQ(rl.dims, labels.dims);
  EXPECT_EQ(rl.data, labels.data);
  // The exact layout: magic 00 00 08 03, big-endian dims, then the bytes.
  const auto bytes = read_bytes(dir.file("images"));
  ASSERT_EQ(bytes.size(), 16u + 7 * 28 * 28);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 8), (std::vector<uint8_t>{0, 0, 8, 3, 0, 0, 0, 7}));
  EXPECT_EQ(bytes[16], images.data[0]);
}

TEST(Idx, GzipRoundTripIsDetectedByContentNotName) {
  TempDir dir;
  const IdxArray images = make_array({300, 28, 28}, 3);
  write_idx(dir.file("images.gz"), images, true);
  write_idx(dir.file("plain-name"), images, true);
  const auto bytes = read_bytes(dir.file("plain-name"));
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes[0], 0x1f);
  EXPECT_EQ(bytes[1], 0x8b);
  EXPECT_EQ(read_idx(dir.file("images.gz"), 3).data, images.data);
  EXPECT_EQ(read_idx(dir.file("plain-name"), 3).data, images.data);
}

TEST(Idx, ConcatenatedGzipMembersReadAsOneStream) {
  // gunzip reads concatenated members as one stream; so do we. Split an IDX file across two.
  std::vector<uint8_t> raw = raw_idx(8, {50}, 50);
  const std::vector<uint8_t> part1(raw.begin(), raw.begin() + 20), part2(raw.begin() + 20, raw.end());
  auto two = gzip_stored(part1);
  const auto second = gzip_stored(part2);
  two.insert(two.end(), second.begin(), second.end());
  const IdxArray r = parse_idx(two.data(), two.size(), "test.idx", 1);
  EXPECT_EQ(r.data, std::vector<uint8_t>(raw.begin() + 8, raw.end()));
  // The hand-made stored stream also round-trips a whole file.
  const auto one = gzip_stored(raw);
  EXPECT_EQ(parse_idx(one.data(), one.size(), "test.idx", 1).data, r.data);
}

TEST(Idx, EmptyAndShortFiles) {
  expect_error({}, "the file is empty");
  expect_error({0, 0, 8}, "ends inside its header");
  expect_error({0, 0, 8, 3, 0, 0, 0, 1, 0, 0}, "ends inside its header");
}

TEST(Idx, HtmlPageIsRecognised) {
  expect_error(to_bytes("<!DOCTYPE html><html><body>404 Not Found</body></html>"), "HTML page");
  expect_error(to_bytes("\n  <html>moved</html>"), "HTML page");
}

TEST(Idx, BadMagicAndTypeAndRank) {
  expect_error(to_bytes("PK\x03\x04 zip file"), "bad magic number 50 4b 03 04");
  expect_error(raw_idx(0x0D, {2}, 8), "element type byte 0x0d (float32) is not supported");
  expect_error(raw_idx(0x42, {2}, 2), "element type byte 0x42");
  expect_error(raw_idx(8, {}, 0), "rank 0");
  expect_error(raw_idx(8, {3}, 3), "rank 1, expected 3 (an images file", 3);
  expect_error(raw_idx(8, {1, 2, 2}, 4), "rank 3, expected 1 (a labels file", 1);
}

TEST(Idx, CountLargerThanTheBytesPresent) {
  expect_error(raw_idx(8, {10, 28, 28}, 9 * 784), "header announces 10x28x28 = 7840 bytes of data but the file has only 7056");
  expect_error(raw_idx(8, {5}, 4), "truncated");
}

TEST(Idx, TrailingBytesAreRefused) { expect_error(raw_idx(8, {5}, 6), "1 more bytes follow"); }

TEST(Idx, AbsurdDimensionsAreRefusedBeforeAllocating) {
  // 2^32-1 cubed would be ~8e28 bytes; the product is capped, never formed, never allocated.
  expect_error(raw_idx(8, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, 0), "more than 2^62");
  expect_error(raw_idx(8, {0xFFFFFFFF, 28, 28}, 10), "bytes of data but the file has only 10");
}

TEST(Idx, GzipFaults) {
  TempDir dir;
  const IdxArray a = make_array({200, 10}, 5);
  const auto gz = gzip_bytes(dir, a);
  // Truncated gzip stream.
  expect_error(std::vector<uint8_t>(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)), "truncated");
  // A wrong CRC-32 in the trailer, and corrupt deflate data.
  auto bad = gz;
  bad[bad.size() - 6] ^= 0xFF;
  expect_error(bad, "corrupt gzip data");
  auto bad_block = gzip_stored(raw_idx(8, {4}, 4));
  bad_block[11] ^= 0xFF;  // the stored block's LEN no longer matches its NLEN
  expect_error(bad_block, "corrupt gzip data");
  // Garbage after the stream.
  auto tail = gz;
  tail.push_back('x');
  tail.push_back('y');
  expect_error(tail, "garbage after the end of the gzip stream");
}

TEST(Idx, GzipHeaderFaults) {
  // More elements announced than the decompressed data holds, or fewer.
  expect_error(gzip_stored(raw_idx(8, {10, 4}, 30)), "header announces 10x4 = 40 bytes but the decompressed data holds only 30");
  expect_error(gzip_stored(raw_idx(8, {10}, 12)), "more bytes follow them after decompression");
  // A tiny gzip file announcing terabytes: refused by the deflate-ratio bound before inflating or
  // allocating anything.
  expect_error(gzip_stored(raw_idx(8, {0xFFFFFFFF, 0xFFFFFFFF}, 0)), "gzip file can hold");
  // Compressed twice, and an HTML error page that was gzipped by a web server.
  expect_error(gzip_stored(gzip_stored(raw_idx(8, {3}, 3))), "compressed twice");
  expect_error(gzip_stored(to_bytes("<html>Service Unavailable</html>")), "HTML page");
  // Wrong type byte inside a gzip stream.
  expect_error(gzip_stored(raw_idx(0x0C, {2}, 8)), "(int32) is not supported");
}

TEST(Idx, MissingFileAndDirectory) {
  TempDir dir;
  try {
    read_idx(dir.file("nope"));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
  try {
    read_idx(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

TEST(Idx, WriterChecksItsInput) {
  TempDir dir;
  IdxArray a;
  a.dims = {2, 3};
  a.data = {1, 2, 3};
  EXPECT_THROW(write_idx(dir.file("x"), a), Error);
  a.dims = {};
  EXPECT_THROW(write_idx(dir.file("x"), a), Error);
  a.dims = {int64_t{1} << 33};
  EXPECT_THROW(write_idx(dir.file("x"), a), Error);
  EXPECT_THROW(write_idx(dir.file("no-such-dir/x"), make_array({2}, 1)), Error);
  // Nothing half-written is left behind by the failures.
  EXPECT_TRUE(dir.entries().empty());
}

// Every prefix of a valid file is invalid (the length must be exact), raw and gzipped.
TEST(Idx, EveryTruncationIsAnError) {
  TempDir dir;
  const IdxArray a = make_array({3, 5, 4}, 8);
  write_idx(dir.file("raw"), a);
  write_idx(dir.file("gz"), a, true);
  for (const char* name : {"raw", "gz"}) {
    const auto bytes = read_bytes(dir.file(name));
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_THROW(parse_idx(bytes.data(), n, "test.idx", 3), Error) << name << " truncated to " << n;
    }
    EXPECT_EQ(parse_idx(bytes.data(), bytes.size(), "test.idx", 3).data, a.data);
  }
}

TEST(Idx, RandomMutationsGiveAnErrorOrAConsistentArray) {
  TempDir dir;
  const IdxArray a = make_array({4, 6, 5}, 9);
  write_idx(dir.file("raw"), a);
  write_idx(dir.file("gz"), a, true);
  Generator gen(2024);
  int errors = 0, loads = 0;
  for (const char* name : {"raw", "gz"}) {
    const auto bytes = read_bytes(dir.file(name));
    for (int i = 0; i < 1000; ++i) {
      const auto m = eta::testing::mutate(bytes, gen, 16);
      try {
        const IdxArray r = parse_idx(m.data(), m.size(), "test.idx");
        int64_t n = 1;
        for (int64_t d : r.dims) n *= d;
        EXPECT_EQ(static_cast<size_t>(n), r.data.size());
        ++loads;
      } catch (const Error&) {
        ++errors;
      }
    }
  }
  EXPECT_EQ(errors + loads, 2000);
  EXPECT_GT(errors, 1000);  // most mutations of header, length or checksum must be caught
}

}  // namespace
}  // namespace eta::data
