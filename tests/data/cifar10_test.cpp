// CIFAR-10 binary reader tests: directories written in the real layout with known pixel values
// (channel order and exact float32 values of gather), any number of records per file, each
// malformed case with the message it must give, and a sweep of every truncation plus 1,000 seeded
// mutations (an error or a consistent data set, never a crash — the suite also runs under ASan).
#include "eta/data/cifar10.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "eta/error.h"
#include "io/test_files.h"
#include "support/errors.h"

namespace eta::data {
namespace {

using eta::testing::error_of;
using eta::testing::read_bytes;
using eta::testing::TempDir;
using eta::testing::to_bytes;
using eta::testing::write_bytes;

const std::vector<std::string> kNames = {"airplane", "automobile", "bird", "cat", "deer",
                                         "dog",      "frog",       "horse", "ship", "truck"};

// Pixel (c, y, x) of image `id`: distinct across channels, rows, columns and images, and covering
// 0 and 255.
uint8_t pixel(int id, int c, int y, int x) { return static_cast<uint8_t>(id * 37 + c * 85 + y * 8 + x * 3); }

struct Images {
  std::vector<uint8_t> pixels, labels;
};

// `count` images numbered from `first_id`, labelled (id * 3) % 10.
Images make_images(int first_id, int count) {
  Images im;
  for (int id = first_id; id < first_id + count; ++id) {
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) im.pixels.push_back(pixel(id, c, y, x));
    im.labels.push_back(static_cast<uint8_t>((id * 3) % 10));
  }
  return im;
}

// A directory in the layout of cifar-10-binary.tar.gz, with `per_file[b]` records in
// data_batch_{b+1}.bin and `test_count` in test_batch.bin; train ids run from 0, test ids from 1000.
void write_dir(const std::string& dir, const std::vector<int>& per_file, int test_count) {
  int id = 0;
  for (size_t b = 0; b < per_file.size(); ++b) {
    const Images im = make_images(id, per_file[b]);
    write_cifar10_batch(dir + "/data_batch_" + std::to_string(b + 1) + ".bin", im.pixels, im.labels);
    id += per_file[b];
  }
  const Images test = make_images(1000, test_count);
  write_cifar10_batch(dir + "/test_batch.bin", test.pixels, test.labels);
  write_cifar10_meta(dir + "/batches.meta.txt", kNames);
}

std::vector<uint8_t> valid_batch(int count, int first_id = 0) {
  TempDir dir;
  const Images im = make_images(first_id, count);
  write_cifar10_batch(dir.file("b.bin"), im.pixels, im.labels);
  return read_bytes(dir.file("b.bin"));
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  return error_of([&] {
    Cifar10Records r;
    parse_cifar10(bytes.data(), bytes.size(), "test.bin", r);
  });
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST(Cifar10, WriterLaysRecordsOutLabelThenRedGreenBluePlanes) {
  const auto bytes = valid_batch(2, 5);
  ASSERT_EQ(bytes.size(), 2u * 3073);
  for (int r = 0; r < 2; ++r) {
    const size_t at = static_cast<size_t>(r) * 3073;
    EXPECT_EQ(bytes[at], ((5 + r) * 3) % 10);
    EXPECT_EQ(bytes[at + 1], pixel(5 + r, 0, 0, 0));                   // red (0, 0)
    EXPECT_EQ(bytes[at + 1 + 33], pixel(5 + r, 0, 1, 1));              // red (1, 1): row-major
    EXPECT_EQ(bytes[at + 1 + 1024], pixel(5 + r, 1, 0, 0));            // green plane second
    EXPECT_EQ(bytes[at + 1 + 2048 + 1023], pixel(5 + r, 2, 31, 31));   // blue plane last
  }
}

TEST(Cifar10, LoadsTrainAndTestDirectoriesWithExactPixelValues) {
  TempDir dir;
  write_dir(dir.path(), {3, 1, 2, 4, 2}, 3);
  EXPECT_TRUE(is_cifar10_dir(dir.path()));
  const Cifar10Dataset train = load_cifar10(dir.path(), true);
  const Cifar10Dataset test = load_cifar10(dir.path(), false);
  EXPECT_EQ(train.size(), 12);
  EXPECT_EQ(test.size(), 3);
  EXPECT_EQ(train.num_classes(), 10);
  EXPECT_EQ(train.class_names(), kNames);
  EXPECT_EQ(test.class_names(), kNames);
  EXPECT_EQ(train.describe(), "CIFAR-10 train (12 images)");
  EXPECT_EQ(test.describe(), "CIFAR-10 test (3 images)");
  const ExampleSpec s = train.spec();
  EXPECT_EQ(s.input_shape, (Shape{3, 32, 32}));
  EXPECT_EQ(s.input_dtype, kFloat32);
  EXPECT_EQ(s.target_shape, Shape{});
  EXPECT_EQ(s.target_dtype, kInt64);

  // Batches of the files in order; images from different files in one gather.
  const Example b = train.get_batch({11, 0, 4, 3});
  ASSERT_EQ(b.input.shape(), (Shape{4, 3, 32, 32}));
  ASSERT_EQ(b.target.shape(), (Shape{4}));
  const float* in = b.input.data_ptr<float>();
  const int64_t* tg = b.target.data_ptr<int64_t>();
  const int ids[] = {11, 0, 4, 3};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(tg[k], (ids[k] * 3) % 10);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const float want = static_cast<float>(pixel(ids[k], c, y, x) / 255.0);
          ASSERT_EQ(in[((k * 3 + c) * 32 + y) * 32 + x], want) << "image " << ids[k] << " c" << c << " y" << y << " x" << x;
        }
  }
  const Example t = test.get(2);
  EXPECT_EQ(t.target.data_ptr<int64_t>()[0], (1002 * 3) % 10);
  EXPECT_EQ(t.input.shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(t.input.data_ptr<float>()[1024], static_cast<float>(pixel(1002, 1, 0, 0) / 255.0));
  EXPECT_EQ(train.label(4), (4 * 3) % 10);
  EXPECT_EQ(train.image(4)[2048], pixel(4, 2, 0, 0));
}

TEST(Cifar10, ChannelOrderIsRedGreenBlueAndTheEndsMapToZeroAndOne) {
  std::vector<uint8_t> img(3072);
  for (int p = 0; p < 1024; ++p) {
    img[static_cast<size_t>(p)] = 255;          // red
    img[static_cast<size_t>(1024 + p)] = 128;   // green
    img[static_cast<size_t>(2048 + p)] = 0;     // blue
  }
  TempDir dir;
  write_cifar10_batch(dir.file("one.bin"), img, {7});
  const Cifar10Dataset d = load_cifar10_files({dir.file("one.bin")});
  const Example e = d.get(0);
  const float* v = e.input.data_ptr<float>();
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1023], 1.0f);
  EXPECT_EQ(v[1024], static_cast<float>(128 / 255.0));
  EXPECT_EQ(v[2047], static_cast<float>(128 / 255.0));
  EXPECT_EQ(v[2048], 0.0f);
  EXPECT_EQ(v[3071], 0.0f);
  EXPECT_EQ(e.target.data_ptr<int64_t>()[0], 7);
  EXPECT_TRUE(d.class_names().empty());  // no meta file given
  EXPECT_EQ(d.num_classes(), 10);
  EXPECT_EQ(d.describe(), "CIFAR-10 " + dir.file("one.bin") + " (1 images)");
}

TEST(Cifar10, AnyNumberOfRecordsPerFileInTheOrderGiven) {
  TempDir dir;
  const Images a = make_images(0, 1), b = make_images(1, 5), c = make_images(6, 2);
  write_cifar10_batch(dir.file("a.bin"), a.pixels, a.labels);
  write_cifar10_batch(dir.file("b.bin"), b.pixels, b.labels);
  write_cifar10_batch(dir.file("c.bin"), c.pixels, c.labels);
  write_cifar10_meta(dir.file("meta.txt"), kNames);
  const Cifar10Dataset d = load_cifar10_files({dir.file("c.bin"), dir.file("a.bin"), dir.file("b.bin")}, dir.file("meta.txt"));
  ASSERT_EQ(d.size(), 8);
  const int order[] = {6, 7, 0, 1, 2, 3, 4, 5};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(d.label(i), (order[i] * 3) % 10) << i;
    EXPECT_EQ(d.image(i)[5], pixel(order[i], 0, 0, 5)) << i;
  }
  EXPECT_EQ(d.class_names(), kNames);
  EXPECT_EQ(d.describe(), "CIFAR-10 3 batch files (8 images)");
}

TEST(Cifar10, ParseAppendsToTheRecordsAndLeavesThemAloneOnError) {
  Cifar10Records r;
  const auto two = valid_batch(2, 0), one = valid_batch(1, 2);
  parse_cifar10(two.data(), two.size(), "two", r);
  parse_cifar10(one.data(), one.size(), "one", r);
  ASSERT_EQ(r.size(), 3);
  EXPECT_EQ(r.pixels.size(), 3u * 3072);
  EXPECT_EQ(r.labels, (std::vector<uint8_t>{0, 3, 6}));
  EXPECT_EQ(r.pixels[2 * 3072 + 1], pixel(2, 0, 0, 1));
  auto bad = valid_batch(3);
  bad[2 * 3073] = 10;  // the last record's label
  EXPECT_THROW(parse_cifar10(bad.data(), bad.size(), "bad", r), Error);
  EXPECT_EQ(r.size(), 3);
  EXPECT_EQ(r.pixels.size(), 3u * 3072);
}

TEST(Cifar10, TruncatedRecordSaysHowManyWholeRecordsAndTheLeftover) {
  auto bytes = valid_batch(3);
  bytes.resize(2 * 3073 + 854);
  const std::string e = parse_error(bytes);
  EXPECT_HAS(e, "test.bin");
  EXPECT_HAS(e, "truncated record");
  EXPECT_HAS(e, "7000 bytes are 2 whole records of 3073 bytes");
  EXPECT_HAS(e, "and 854 bytes more");
  // Less than one record.
  EXPECT_HAS(parse_error(std::vector<uint8_t>(100, 1)), "0 whole records of 3073 bytes (1 label + 3072 pixels) and 100");
  // An extra byte after whole records.
  bytes = valid_batch(1);
  bytes.push_back(0);
  EXPECT_HAS(parse_error(bytes), "1 whole records of 3073 bytes (1 label + 3072 pixels) and 1 bytes more");
}

TEST(Cifar10, Cifar100SizedFileGetsAHint) {
  EXPECT_HAS(parse_error(std::vector<uint8_t>(2 * 3074, 1)), "CIFAR-100's 3074-byte records");
}

TEST(Cifar10, LabelOfTenOrMoreNamesTheRecordAndValue) {
  auto bytes = valid_batch(3);
  bytes[3073] = 10;
  std::string e = parse_error(bytes);
  EXPECT_HAS(e, "test.bin: record 1 has label 10, outside 0-9");
  bytes[3073] = 1;
  bytes[2 * 3073] = 255;
  EXPECT_HAS(parse_error(bytes), "record 2 has label 255");
}

TEST(Cifar10, EmptyFileIsRefused) { EXPECT_HAS(parse_error({}), "test.bin: the file is empty"); }

TEST(Cifar10, MissingDirectoryAndFilesNameBoth) {
  TempDir dir;
  const std::string missing = dir.file("nowhere");
  std::string e = error_of([&] { load_cifar10(missing); });
  EXPECT_HAS(e, "data directory " + missing + " does not exist");
  EXPECT_FALSE(is_cifar10_dir(missing));

  write_dir(dir.path(), {1, 1, 1, 1, 1}, 1);
  std::filesystem::remove(dir.file("data_batch_4.bin"));
  e = error_of([&] { load_cifar10(dir.path(), true); });
  EXPECT_HAS(e, dir.path() + " has no data_batch_4.bin");
  EXPECT_HAS(e, "data_batch_1.bin ... data_batch_5.bin, test_batch.bin and batches.meta.txt");
  EXPECT_NO_THROW(load_cifar10(dir.path(), false));  // the test half is complete

  std::filesystem::remove(dir.file("test_batch.bin"));
  EXPECT_HAS(error_of([&] { load_cifar10(dir.path(), false); }), dir.path() + " has no test_batch.bin");

  write_dir(dir.path(), {1, 1, 1, 1, 1}, 1);
  std::filesystem::remove(dir.file("batches.meta.txt"));
  EXPECT_HAS(error_of([&] { load_cifar10(dir.path(), false); }), dir.path() + " has no batches.meta.txt");

  // A path given directly.
  e = error_of([&] { load_cifar10_files({dir.file("data_batch_1.bin"), dir.file("gone.bin")}); });
  EXPECT_HAS(e, "load_cifar10_files: cannot open " + dir.file("gone.bin"));
  e = error_of([&] { load_cifar10_files({dir.file("data_batch_1.bin")}, dir.file("gone.txt")); });
  EXPECT_HAS(e, "cannot open " + dir.file("gone.txt"));
}

TEST(Cifar10, CommonLayoutMistakesGetAHint) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("cifar-10-batches-bin"));
  EXPECT_HAS(error_of([&] { load_cifar10(dir.path()); }), "give " + dir.file("cifar-10-batches-bin"));
  TempDir py;
  write_bytes(py.file("data_batch_1"), to_bytes("pickle"));
  write_bytes(py.file("batches.meta"), to_bytes("pickle"));
  EXPECT_HAS(error_of([&] { load_cifar10(py.path()); }), "Python version's pickles");
  EXPECT_FALSE(is_cifar10_dir(py.path()));
}

TEST(Cifar10, EmptyFileSetIsRefused) {
  EXPECT_HAS(error_of([] { load_cifar10_files({}); }), "load_cifar10_files: no batch files given");
}

TEST(Cifar10, ErrorsInADirectoryNameTheFile) {
  TempDir dir;
  write_dir(dir.path(), {2, 2, 2, 2, 2}, 2);
  auto bytes = read_bytes(dir.file("data_batch_3.bin"));
  bytes.pop_back();
  write_bytes(dir.file("data_batch_3.bin"), bytes);
  const std::string e = error_of([&] { load_cifar10(dir.path()); });
  EXPECT_HAS(e, dir.file("data_batch_3.bin") + ": truncated record");
  write_bytes(dir.file("batches.meta.txt"), to_bytes("cat\ndog\n"));
  EXPECT_HAS(error_of([&] { load_cifar10(dir.path(), false); }),
             dir.file("batches.meta.txt") + ": 2 class names, expected 10");
}

TEST(Cifar10, MetaFileNeedsTenNames) {
  std::string text;
  for (const auto& n : kNames) text += n + "\n";
  EXPECT_EQ(parse_cifar10_meta(text, "m"), kNames);
  EXPECT_EQ(parse_cifar10_meta(text + "\n\n  \n", "m"), kNames);  // trailing blank lines, as the real file has
  std::string crlf;
  for (const auto& n : kNames) crlf += " " + n + " \r\n";
  EXPECT_EQ(parse_cifar10_meta(crlf, "m"), kNames);
  text.pop_back();  // no final newline
  EXPECT_EQ(parse_cifar10_meta(text, "m"), kNames);

  EXPECT_HAS(error_of([] { parse_cifar10_meta("a\nb\nc\nd\ne\nf\ng\nh\ni\n", "meta.txt"); }),
             "meta.txt: 9 class names, expected 10 (one a line)");
  EXPECT_HAS(error_of([] { parse_cifar10_meta("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", "meta.txt"); }), "11 class names");
  EXPECT_HAS(error_of([] { parse_cifar10_meta("", "meta.txt"); }), "0 class names");
  EXPECT_HAS(error_of([] { parse_cifar10_meta("a\nb\nc\nd\n\ne\nf\ng\nh\ni\nj\n", "meta.txt"); }), "line 5 is blank");
}

TEST(Cifar10, DetectsTheDirectoryLayout) {
  TempDir dir;
  EXPECT_FALSE(is_cifar10_dir(dir.path()));
  write_cifar10_meta(dir.file("batches.meta.txt"), kNames);
  EXPECT_FALSE(is_cifar10_dir(dir.path()));  // names but no images
  const Images im = make_images(0, 1);
  write_cifar10_batch(dir.file("test_batch.bin"), im.pixels, im.labels);
  EXPECT_TRUE(is_cifar10_dir(dir.path()));
  std::filesystem::remove(dir.file("test_batch.bin"));
  write_cifar10_batch(dir.file("data_batch_1.bin"), im.pixels, im.labels);
  EXPECT_TRUE(is_cifar10_dir(dir.path()));
  std::filesystem::remove(dir.file("batches.meta.txt"));
  EXPECT_FALSE(is_cifar10_dir(dir.path()));
  EXPECT_FALSE(is_cifar10_dir(dir.file("data_batch_1.bin")));  // a file, not a directory
}

TEST(Cifar10, WritersCheckTheirInputAndLeaveNothingBehind) {
  TempDir dir;
  const Images im = make_images(0, 2);
  EXPECT_HAS(error_of([&] { write_cifar10_batch(dir.file("x"), im.pixels, {1}); }), "6144 pixel bytes for 1 labels");
  EXPECT_HAS(error_of([&] { write_cifar10_batch(dir.file("x"), im.pixels, {1, 10}); }), "label 10 of image 1");
  EXPECT_HAS(error_of([&] { write_cifar10_batch(dir.file("x"), {}, {}); }), "no images");
  EXPECT_THROW(write_cifar10_batch(dir.file("no-such-dir/x"), im.pixels, im.labels), Error);
  EXPECT_HAS(error_of([&] { write_cifar10_meta(dir.file("m"), {"a", "b"}); }), "2 class names, expected 10");
  std::vector<std::string> bad = kNames;
  bad[3] = "two\nlines";
  EXPECT_HAS(error_of([&] { write_cifar10_meta(dir.file("m"), bad); }), "spans lines");
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Cifar10, InMemoryConstructionAndIndexChecks) {
  const Images im = make_images(0, 2);
  Cifar10Records r{im.pixels, im.labels};
  const Cifar10Dataset d(r, kNames, "CIFAR-10 toy");
  EXPECT_EQ(d.describe(), "CIFAR-10 toy (2 images)");
  EXPECT_HAS(error_of([&] { d.get(2); }), "CIFAR-10 toy (2 images): index 2 out of range for 2 examples");
  EXPECT_HAS(error_of([&] { d.image(-1); }), "index -1 out of range");
  EXPECT_HAS(error_of([&] { d.get_batch({0, 5}); }), "index 5 out of range");
  r.labels[1] = 12;
  EXPECT_HAS(error_of([&] { Cifar10Dataset(r, {}); }), "label 12 of image 1");
  r.labels[1] = 1;
  r.pixels.pop_back();
  EXPECT_HAS(error_of([&] { Cifar10Dataset(r, {}); }), "6143 pixel bytes for 2 labels");
  EXPECT_HAS(error_of([&] { Cifar10Dataset(Cifar10Records{im.pixels, im.labels}, {"a"}); }), "1 class names");
  const Cifar10Dataset empty;
  EXPECT_EQ(empty.size(), 0);
}

// Every prefix of a valid 2-record file: whole records load (the prefix's images, unchanged),
// anything else is an error.
TEST(Cifar10, EveryTruncationIsAnErrorOrItsWholeRecords) {
  const auto bytes = valid_batch(2, 3);
  int loads = 0;
  for (size_t n = 0; n <= bytes.size(); ++n) {
    Cifar10Records r;
    if (n > 0 && n % 3073 == 0) {
      parse_cifar10(bytes.data(), n, "test.bin", r);
      ASSERT_EQ(r.size(), static_cast<int64_t>(n / 3073));
      EXPECT_EQ(r.pixels[r.pixels.size() - 1], pixel(3 + static_cast<int>(r.size()) - 1, 2, 31, 31));
      ++loads;
    } else {
      EXPECT_THROW(parse_cifar10(bytes.data(), n, "test.bin", r), Error) << "truncated to " << n;
      EXPECT_EQ(r.size(), 0);
    }
  }
  EXPECT_EQ(loads, 2);
}

TEST(Cifar10, RandomMutationsGiveAnErrorOrAConsistentDataSet) {
  const auto bytes = valid_batch(2, 1);
  Generator gen(2025);
  int errors = 0, loads = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto m = eta::testing::mutate(bytes, gen, 16);
    Cifar10Records r;
    try {
      parse_cifar10(m.data(), m.size(), "test.bin", r);
    } catch (const Error&) {
      ++errors;
      continue;
    }
    ++loads;
    ASSERT_EQ(r.pixels.size(), static_cast<size_t>(r.size()) * 3072);
    const Cifar10Dataset d(std::move(r), kNames);
    const Example b = d.get_batch({d.size() - 1, 0});
    for (int k = 0; k < 2; ++k) {
      const int64_t label = b.target.data_ptr<int64_t>()[k];
      EXPECT_TRUE(label >= 0 && label < 10) << label;
    }
  }
  EXPECT_EQ(errors + loads, 1000);
  EXPECT_GT(errors, 500);  // inserted or deleted bytes break the length; most label bytes are caught
  EXPECT_GT(loads, 50);    // pixel edits keep a valid file
}

}  // namespace
}  // namespace eta::data
