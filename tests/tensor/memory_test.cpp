// The tensor memory cache: freed large buffers are kept and handed back for the same size,
// small ones are not, the limit bounds what is kept (the oldest go first), a miss keeps live +
// cached within 1.5x the peak of live bytes, and release empties it.
#include <gtest/gtest.h>

#include <cstdint>

#include "eta/eta.h"

namespace eta {
namespace {

class MemoryCache : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_limit_ = memory_cache_limit();
    release_cached_memory();
    set_memory_cache_limit(size_t{64} << 20);  // explicit: sanitizer builds default to 0
  }
  void TearDown() override { set_memory_cache_limit(saved_limit_); }
  size_t saved_limit_ = 0;
};

TEST_F(MemoryCache, ReusesAFreedLargeBufferOfTheSameSize) {
  const void* first = nullptr;
  {
    Tensor t = empty({1 << 16}, kFloat32);  // 256 KiB
    first = t.data_ptr<float>();
  }
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 18);
  Tensor again = empty({1 << 16}, kFloat32);
  EXPECT_EQ(again.data_ptr<float>(), first);
  EXPECT_EQ(cached_memory_bytes(), 0u);
}

TEST_F(MemoryCache, ReusedBuffersStillZeroWhenAskedTo) {
  { Tensor t = full({1 << 16}, 7.0); }
  const Tensor z = zeros({1 << 16});
  for (double v : z.to_vector()) ASSERT_EQ(v, 0.0);
}

TEST_F(MemoryCache, BlocksOverAQuarterOfTheLimitAreNotCached) {
  set_memory_cache_limit(size_t{1} << 20);  // 1 MiB: blocks up to 256 KiB
  { Tensor t = empty({(1 << 16) + 16}); }   // just over 256 KiB
  EXPECT_EQ(cached_memory_bytes(), 0u);
  { Tensor t = empty({1 << 16}); }          // exactly 256 KiB
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 18);
}

TEST_F(MemoryCache, BigBuffersAreMappedDirectlyAndCachedAlike) {
  // 16 MiB: past the 8 MiB direct-mapping size, within a quarter of the 64 MiB limit.
  const void* first = nullptr;
  {
    Tensor t = full({1 << 22}, 3.0);
    first = t.data_ptr<float>();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
    EXPECT_EQ(t.sum().item(), 3.0 * (1 << 22));
  }
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 24);
  Tensor again = zeros({1 << 22});
  EXPECT_EQ(again.data_ptr<float>(), first);
  EXPECT_EQ(again.sum().item(), 0.0);
  release_cached_memory();
  set_memory_cache_limit(0);
  { Tensor big = ones({1 << 22}); }  // unmapped at once
  EXPECT_EQ(cached_memory_bytes(), 0u);
}

TEST_F(MemoryCache, AMissHandsBackTheOldestBlocksBeyondHalfOverThePeak) {
  release_cached_memory();  // the peak of live bytes starts from now
  const void* newer = nullptr;
  {
    Tensor a = empty({1 << 18}), b = empty({1 << 18});  // 1 MiB each: 2 MiB live at most
    newer = b.data_ptr<float>();
    a = Tensor();  // a is cached first (the older), then b
  }
  EXPECT_EQ(cached_memory_bytes(), size_t{2} << 20);
  // A new size (1.5 MiB): live + cached may be 1.5 x 2 MiB, so 1 MiB stays cached — b, the newer.
  Tensor c = empty({3 << 17});
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 20);
  Tensor again = empty({1 << 18});
  EXPECT_EQ(again.data_ptr<float>(), newer);
}

TEST_F(MemoryCache, SmallBuffersAreNotCached) {
  { Tensor t = empty({16}, kFloat32); }
  EXPECT_EQ(cached_memory_bytes(), 0u);
}

TEST_F(MemoryCache, LimitBoundsTheCacheAndReleaseEmptiesIt) {
  set_memory_cache_limit(size_t{1} << 20);  // 1 MiB
  {
    Tensor a = empty({1 << 16}), b = empty({1 << 16}), c = empty({1 << 16}), d = empty({1 << 16}), e = empty({1 << 16});
  }
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 20);  // four of the five 256 KiB blocks fit
  set_memory_cache_limit(size_t{1} << 19);  // 512 KiB: room for two
  EXPECT_EQ(cached_memory_bytes(), size_t{1} << 19);  // lowering the limit freed what no longer fits
  release_cached_memory();
  EXPECT_EQ(cached_memory_bytes(), 0u);
  set_memory_cache_limit(0);  // caching off
  { Tensor d = empty({1 << 16}); }
  EXPECT_EQ(cached_memory_bytes(), 0u);
}

}  // namespace
}  // namespace eta
