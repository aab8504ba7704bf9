// The generic data layer: TensorDataset, Subset, random_split, transforms (values, fitting,
// Standardize's saved statistics), samplers, the distributed slice of each global batch, and
// batches that are bit-identical with and without prefetching workers and across a resume.
#include "eta/data/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "eta/data/data_loader.h"
#include "eta/data/transforms.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"
#include "eta/threads.h"
#include "support/errors.h"

namespace eta::data {
namespace {

using eta::testing::error_of;

// n examples of shape [3, 4, 5] with value 1000 * i + element, targets i % 7 (int64).
std::shared_ptr<TensorDataset> images(int64_t n, DType dtype = kFloat32) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < 60; ++e) v.push_back(static_cast<double>(1000 * i + e));
  std::vector<int64_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(i % 7);
  return std::make_shared<TensorDataset>(from_vector(v, {n, 3, 4, 5}, dtype), from_vector(t, {n}), 7);
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.contiguous().raw_data(), b.contiguous().raw_data(),
                     static_cast<size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

std::vector<Batch> epoch(DataLoader& loader, int64_t e) {
  loader.set_epoch(e);
  std::vector<Batch> out;
  for (Batch b; loader.next(b);) out.push_back(b);
  return out;
}

TEST(TensorDataset, SpecExamplesAndCopies) {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}, kFloat64);
  Tensor y = from_vector(std::vector<double>{0.5, 1.5, 2.5}, {3, 1}, kFloat64);
  TensorDataset d(x, y);
  x.set({0, 0}, 100);  // the data set holds its own copy
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.spec().input_shape, (Shape{2}));
  EXPECT_EQ(d.spec().target_shape, (Shape{1}));
  EXPECT_EQ(d.spec().target_dtype, kFloat64);
  const Example e = d.get(2);
  EXPECT_EQ(e.input.to_vector(), (std::vector<double>{5, 6}));
  EXPECT_EQ(e.target.to_vector(), (std::vector<double>{2.5}));
  EXPECT_EQ(d.get(0).input.to_vector(), (std::vector<double>{1, 2}));
  const Example b = d.get_batch({2, 0, 2});
  EXPECT_EQ(b.input.shape(), (Shape{3, 2}));
  EXPECT_EQ(b.input.to_vector(), (std::vector<double>{5, 6, 1, 2, 5, 6}));
  EXPECT_NE(error_of([&] { d.get(3); }).find("index 3 out of range for 3 examples"), std::string::npos);
  EXPECT_NE(error_of([&] { TensorDataset(x, zeros({2})); }).find("hold 3 examples but targets [2] hold 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { TensorDataset(x, from_vector(std::vector<int64_t>{0, 1, 5}, {3}), 5); })
                .find("target 5 of example 2 is outside 0-4"),
            std::string::npos);
}

TEST(Subset, MapsIndicesAndRandomSplitIsASeededPartition) {
  const auto d = images(10);
  const Subset s(d, {7, 3, 3});
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.get(0).target.item(), 0);  // example 7: 7 % 7
  EXPECT_EQ(s.get(1).input.to_vector()[0], 3000);
  EXPECT_THROW(Subset(d, {10}), Error);
  EXPECT_THROW(s.get(3), Error);

  const auto parts = random_split(d, std::vector<int64_t>{6, 4}, 42);
  ASSERT_EQ(parts.size(), 2u);
  std::vector<int64_t> all = parts[0]->indices();
  all.insert(all.end(), parts[1]->indices().begin(), parts[1]->indices().end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> iota(10);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(all, iota);
  EXPECT_EQ(random_split(d, std::vector<int64_t>{6, 4}, 42)[0]->indices(), parts[0]->indices());
  EXPECT_NE(random_split(d, std::vector<int64_t>{6, 4}, 43)[0]->indices(), parts[0]->indices());
  // Fractions: floor sizes, the remainder one each to the first parts (torch's rule).
  const auto thirds = random_split(d, std::vector<double>{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1);
  EXPECT_EQ(thirds[0]->size(), 4);
  EXPECT_EQ(thirds[1]->size(), 3);
  EXPECT_EQ(thirds[2]->size(), 3);
  EXPECT_NE(error_of([&] { random_split(d, std::vector<int64_t>{5, 4}, 0); }).find("add up to 9"), std::string::npos);
  EXPECT_NE(error_of([&] { random_split(d, std::vector<double>{0.5, 0.4}, 0); }).find("add up to 0.9"),
            std::string::npos);
}

TEST(Transforms, NormalizeAndChannelStatistics) {
  const auto d = images(4, kFloat64);
  const ChannelStats s = channel_stats(*d);
  ASSERT_EQ(s.mean.size(), 3u);
  for (int64_t c = 0; c < 3; ++c) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t e = 0; e < 20; ++e) sum += 1000.0 * i + 20 * c + e;
    const double mean = sum / 80;
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t e = 0; e < 20; ++e) sq += std::pow(1000.0 * i + 20 * c + e - mean, 2);
    EXPECT_NEAR(s.mean[static_cast<size_t>(c)], mean, 1e-9);
    EXPECT_NEAR(s.std[static_cast<size_t>(c)], std::sqrt(sq / 80), 1e-6);
  }
  const auto norm = Normalize::fit(*d);
  DataLoader loader(*d, {.batch_size = 4, .shuffle = false, .transforms = {norm}});
  Batch b;
  ASSERT_TRUE(loader.next(b));
  // Every channel of the whole set now has mean 0 and std 1.
  const ChannelStats after = channel_stats(TensorDataset(b.input, b.target));
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(after.mean[c], 0, 1e-12);
    EXPECT_NEAR(after.std[c], 1, 1e-12);
  }
  EXPECT_NE(error_of([&] { DataLoader(*d, {.transforms = {std::make_shared<Normalize>(std::vector<double>{0, 0},
                                                                                      std::vector<double>{1, 1})}}); })
                .find("examples [3, 4, 5] have 3 channels"),
            std::string::npos);
}

TEST(Transforms, StandardizeSurvivesASaveAndMapsConstantFeaturesToZero) {
  const Tensor x = from_vector(std::vector<double>{1, 5, 2, 5, 3, 5, 6, 5}, {4, 2}, kFloat64);
  const TensorDataset train(x, zeros({4, 1}, kFloat64));
  const auto st = Standardize::fit(train);
  EXPECT_EQ(st->mean(), (std::vector<double>{3, 5}));
  EXPECT_NEAR(st->std()[0], std::sqrt(3.5), 1e-15);
  EXPECT_EQ(st->std()[1], 1);  // constant feature: std 1, so it becomes 0 rather than NaN
  const auto restored = Standardize::from_state(st->state());
  EXPECT_EQ(restored->mean(), st->mean());
  EXPECT_EQ(restored->std(), st->std());
  DataLoader test(train, {.batch_size = 4, .shuffle = false, .transforms = {restored}});
  Batch b;
  ASSERT_TRUE(test.next(b));
  EXPECT_NEAR(b.input.at({0, 0}), (1 - 3) / std::sqrt(3.5), 1e-15);
  EXPECT_EQ(b.input.at({3, 1}), 0);
  EXPECT_NE(error_of([&] { Standardize::from_state({}); }).find("no tensors standardize.mean"), std::string::npos);
}

TEST(Transforms, RandomCropAndFlipAgainstADirectReading) {
  const auto d = images(64);
  const auto crop = std::make_shared<RandomCrop>(4, 5, 2);
  const auto flip = std::make_shared<RandomHorizontalFlip>(0.5);
  DataLoader loader(*d, {.batch_size = 64, .shuffle = false, .transforms = {crop, flip}});
  EXPECT_EQ(loader.example_shape(), (Shape{3, 4, 5}));
  Batch b;
  ASSERT_TRUE(loader.next(b));
  // Each output is some window of the zero-padded image, possibly mirrored: find it.
  int flipped = 0, shifted = 0;
  for (int64_t i = 0; i < 64; ++i) {
    bool found = false;
    for (int64_t top = 0; top <= 4 && !found; ++top)
      for (int64_t left = 0; left <= 4 && !found; ++left)
        for (int mirror = 0; mirror < 2 && !found; ++mirror) {
          bool ok = true;
          for (int64_t c = 0; c < 3 && ok; ++c)
            for (int64_t y = 0; y < 4 && ok; ++y)
              for (int64_t x = 0; x < 5 && ok; ++x) {
                const int64_t sx = left + (mirror ? 4 - x : x) - 2, sy = top + y - 2;
                const double want = sy >= 0 && sy < 4 && sx >= 0 && sx < 5 ? 1000.0 * i + (c * 4 + sy) * 5 + sx : 0;
                ok = b.input.at({i, c, y, x}) == want;
              }
          if (ok) {
            found = true;
            flipped += mirror;
            shifted += top != 2 || left != 2;
          }
        }
    EXPECT_TRUE(found) << "example " << i;
  }
  EXPECT_GT(flipped, 10);  // p = 0.5 over 64 examples
  EXPECT_LT(flipped, 54);
  EXPECT_GT(shifted, 32);
  EXPECT_NE(error_of([&] { DataLoader(*d, {.transforms = {std::make_shared<RandomCrop>(9, 9, 2)}}); })
                .find("smaller than the crop"),
            std::string::npos);
  const auto table = std::make_shared<TensorDataset>(zeros({4, 3}), zeros({4}, kInt64));
  EXPECT_NE(error_of([&] { DataLoader(*table, {.transforms = {flip}}); }).find("expects images [C, H, W]"),
            std::string::npos);
}

// The same batches, bit for bit, whatever the workers, threads and prefetch depth.
TEST(DataLoader, WorkersAndThreadsDoNotChangeABit) {
  const auto d = images(203);
  DataLoaderOptions o{.batch_size = 16, .seed = 5,
                      .transforms = {std::make_shared<RandomCrop>(4, 5, 1), std::make_shared<RandomHorizontalFlip>(),
                                     std::make_shared<Normalize>(std::vector<double>{1, 2, 3},
                                                                 std::vector<double>{4, 5, 6})}};
  DataLoader ref_loader(*d, o);
  const auto ref = epoch(ref_loader, 3);
  ASSERT_EQ(ref.size(), 13u);
  const int threads = get_num_threads();
  for (int64_t workers : {0, 1, 3})
    for (int t : {1, 2}) {
      set_num_threads(t);
      o.num_workers = workers;
      o.prefetch = workers == 3 ? 1 : 4;
      DataLoader loader(*d, o);
      const auto got = epoch(loader, 3);
      ASSERT_EQ(got.size(), ref.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(same_bits(got[i].input, ref[i].input)) << "workers " << workers << " threads " << t << " batch " << i;
        EXPECT_TRUE(same_bits(got[i].target, ref[i].target));
      }
    }
  // Examples large enough that assembly on the caller's thread splits a batch across threads.
  const auto big = std::make_shared<TensorDataset>(rand({12, 2, 150, 150}), zeros({12}, kInt64));
  DataLoaderOptions bo{.batch_size = 6, .transforms = {std::make_shared<RandomCrop>(140, 140, 0),
                                                       std::make_shared<RandomHorizontalFlip>()}};
  set_num_threads(1);
  DataLoader one(*big, bo);
  const auto big_ref = epoch(one, 0);
  set_num_threads(2);
  DataLoader two(*big, bo);
  const auto big_got = epoch(two, 0);
  for (size_t i = 0; i < big_ref.size(); ++i) EXPECT_TRUE(same_bits(big_got[i].input, big_ref[i].input));
  set_num_threads(threads);
}

TEST(DataLoader, MidEpochResumeThroughTransformsAndWorkers) {
  const auto d = images(50);
  DataLoaderOptions o{.batch_size = 8, .seed = 9,
                      .transforms = {std::make_shared<RandomCrop>(4, 5, 2), std::make_shared<RandomHorizontalFlip>()},
                      .num_workers = 2};
  DataLoader straight(*d, o);
  epoch(straight, 0);
  const auto ref = epoch(straight, 1);
  DataLoader first(*d, o);
  first.set_epoch(1);
  Batch b;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(first.next(b));
  const DataLoaderState saved = DataLoaderState::parse(first.state().to_string());
  o.num_workers = 0;  // resumed without workers: same batches
  DataLoader resumed(*d, o);
  resumed.load_state(saved);
  std::vector<Batch> rest;
  while (resumed.next(b)) rest.push_back(b);
  ASSERT_EQ(rest.size(), ref.size() - 4);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_TRUE(same_bits(rest[i].input, ref[4 + i].input)) << i;
  // Epochs differ in their augmentations even for the same examples.
  o.shuffle = false;
  DataLoader fixed(*d, o);
  EXPECT_FALSE(same_bits(epoch(fixed, 0)[0].input, epoch(fixed, 1)[0].input));
}

TEST(DataLoader, DistributedSlicesCoverEachGlobalBatchOnce) {
  const auto d = images(50);
  for (bool drop_last : {false, true})
    for (int64_t world : {1, 2, 3, 4}) {
      DataLoaderOptions o{.batch_size = 12, .seed = 2, .drop_last = drop_last,
                          .transforms = {std::make_shared<RandomHorizontalFlip>()}};
      DataLoader single(*d, o);
      const auto ref = epoch(single, 1);
      std::vector<std::vector<Batch>> per_rank;
      for (int64_t r = 0; r < world; ++r) {
        o.rank = r;
        o.world_size = world;
        DataLoader loader(*d, o);
        EXPECT_EQ(loader.num_batches(), single.num_batches());  // every rank runs the same steps
        per_rank.push_back(epoch(loader, 1));
      }
      for (size_t i = 0; i < ref.size(); ++i) {
        // Rank slices, in rank order, make up the single-process batch exactly, augmentation included.
        std::vector<double> joined, targets;
        int64_t count = 0;
        for (int64_t r = 0; r < world; ++r) {
          const Batch& b = per_rank[static_cast<size_t>(r)][i];
          EXPECT_EQ(b.global_size, ref[i].input.size(0));
          const int64_t n = b.input.size(0);
          EXPECT_LE(std::abs(n - ref[i].input.size(0) / world), 1);
          count += n;
          const auto v = b.input.to_vector(), t = b.target.to_vector();
          joined.insert(joined.end(), v.begin(), v.end());
          targets.insert(targets.end(), t.begin(), t.end());
        }
        EXPECT_EQ(count, ref[i].input.size(0));
        EXPECT_EQ(joined, ref[i].input.to_vector()) << "world " << world << " batch " << i;
        EXPECT_EQ(targets, ref[i].target.to_vector());
      }
    }
}

// Every example of the epoch twice, in reverse: a user's own order.
class TwiceReversed : public Sampler {
 public:
  std::vector<int64_t> order(int64_t n, uint64_t, int64_t) const override {
    std::vector<int64_t> o;
    for (int rep = 0; rep < 2; ++rep)
      for (int64_t i = n - 1; i >= 0; --i) o.push_back(i);
    return o;
  }
  int64_t length(int64_t n) const override { return 2 * n; }
};

TEST(DataLoader, CustomSamplerAndErrorsFromWorkers) {
  const auto d = images(5);
  DataLoader loader(*d, {.batch_size = 4, .sampler = std::make_shared<TwiceReversed>()});
  EXPECT_EQ(loader.num_samples(), 10);
  const auto batches = epoch(loader, 0);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].target.to_int_vector(), (std::vector<int64_t>{4, 3, 2, 1}));
  EXPECT_EQ(batches[2].target.to_int_vector(), (std::vector<int64_t>{1, 0}));

  // A data set that fails on one example: the error reaches next(), with or without workers.
  class Failing : public Dataset {
   public:
    int64_t size() const override { return 20; }
    ExampleSpec spec() const override { return {{2}, kFloat32, {}, kInt64}; }
    void gather(const int64_t* idx, int64_t n, Tensor& in, Tensor& tg) const override {
      for (int64_t k = 0; k < n; ++k) {
        ETA_CHECK(idx[k] != 13, "Failing: example 13 is unreadable");
        in.data_ptr<float>()[2 * k] = in.data_ptr<float>()[2 * k + 1] = static_cast<float>(idx[k]);
        tg.data_ptr<int64_t>()[k] = idx[k];
      }
    }
  } failing;
  for (int64_t workers : {0, 2}) {
    DataLoader l(failing, {.batch_size = 4, .shuffle = false, .num_workers = workers});
    Batch b;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.next(b));
    EXPECT_NE(error_of([&] { l.next(b); }).find("example 13 is unreadable"), std::string::npos) << workers;
  }
}

}  // namespace
}  // namespace eta::data
