// The caching allocator behind Storage (see eta/tensor/memory.h). Blocks below kMinCached bytes
// go straight to malloc, which already recycles small sizes well.
#include "eta/tensor/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "eta/error.h"

namespace eta {
namespace {

constexpr size_t kMinCached = size_t{1} << 16;  // 64 KiB
// Blocks from 8 MiB up are mapped and unmapped directly. Through malloc they were carved from the
// heap once glibc's adaptive threshold rose, and the heap's holes kept peak RSS well above the
// live bytes (SmallCNN inference on 1000-image batches: 241 MB live, 586 MB RSS).
constexpr size_t kDirectMap = size_t{8} << 20;  // and from there cached like the others

size_t rounded(size_t bytes) { return bytes == 0 ? 64 : (bytes + 63) / 64 * 64; }

// Hands a block of `size` (rounded) bytes back to where it came from.
void release_block(void* data, size_t size) noexcept {
  if (size < kDirectMap) std::free(data);
  else munmap(data, size);
}

struct Block {
  void* data;
  uint64_t freed_at;  // the cache's clock when it came in: the oldest go first
};

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<Block>> free_blocks;  // by rounded size, oldest first
  size_t cached = 0;
  size_t live = 0, peak_live = 0;  // bytes of cacheable-size blocks in tensors now, and at most
  uint64_t clock = 0;
#if defined(__SANITIZE_ADDRESS__)
  size_t limit = 0;  // under AddressSanitizer every free must reach it, or use-after-free hides
#else
  size_t limit = size_t{256} << 20;  // see memory.h for why this size
#endif

  // Frees the least recently cached blocks until the cache holds at most `target` bytes. Caller
  // holds the lock. (Tens of sizes at most: a scan for the oldest is cheap.)
  void shrink_to(size_t target) {
    while (cached > target && !free_blocks.empty()) {
      auto oldest = free_blocks.begin();
      for (auto it = free_blocks.begin(); it != free_blocks.end(); ++it)
        if (it->second.front().freed_at < oldest->second.front().freed_at) oldest = it;
      std::vector<Block>& blocks = oldest->second;
      release_block(blocks.front().data, oldest->first);
      blocks.erase(blocks.begin());
      cached -= oldest->first;
      if (blocks.empty()) free_blocks.erase(oldest);
    }
  }
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: tensors may be freed during static teardown
  return *c;
}


}  // namespace

namespace detail {

void* allocate_storage(size_t bytes) {
  const size_t size = rounded(bytes);
  if (size >= kMinCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.find(size);
    if (it != c.free_blocks.end()) {
      void* p = it->second.back().data;  // the most recent: warmest in cache
      it->second.pop_back();
      if (it->second.empty()) c.free_blocks.erase(it);
      c.cached -= size;
      c.live += size;
      c.peak_live = std::max(c.peak_live, c.live);
      return p;
    }
    // A miss: live + cached bytes may exceed the most ever live by half, no more; the oldest
    // cached blocks make room. So blocks of sizes no longer asked for (another phase's: evaluation
    // batches) give way to the new ones and the cache adds at most half to peak RSS, while the
    // slack lets a training step, whose mix of sizes varies within the step, keep hitting. (A
    // quarter was too little: SmallCNN steps at batch 128 and 256 then re-faulted two of their
    // 6-26 MB activations every step, 28-58 MB of fresh pages, 8% of a 1-thread step.)
    c.live += size;
    c.peak_live = std::max(c.peak_live, c.live);
    const size_t budget = c.peak_live + c.peak_live / 2 - c.live;
    if (c.cached > budget) c.shrink_to(budget);
  }
  const auto fresh = [size]() -> void* {
    if (size < kDirectMap) return std::aligned_alloc(64, size);
    void* m = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  // page aligned
    return m == MAP_FAILED ? nullptr : m;
  };
  void* p = fresh();
  if (!p) {
    release_cached_memory();  // one retry with the cache handed back
    p = fresh();
  }
  if (!p) {
    if (size >= kMinCached) {  // it never went live
      Cache& c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      c.live -= std::min(c.live, size);
    }
    throw_error("tensor: out of memory allocating ", bytes, " bytes");
  }
  return p;
}

void free_storage(void* data, size_t bytes) noexcept {
  if (!data) return;
  const size_t size = rounded(bytes);
  if (size >= kMinCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.live -= std::min(c.live, size);
    // A block over a quarter of the limit is never kept: one huge inference buffer must not
    // evict (or outlive) the many step-sized ones the cache is for.
    if (size <= c.limit / 4) {
      try {
        c.free_blocks[size].push_back({data, ++c.clock});
        c.cached += size;
        c.shrink_to(c.limit);  // the oldest make room
        return;
      } catch (...) {
        // No memory for the bookkeeping: free the block instead, and drop the empty list that
        // free_blocks[size] may have left (hits and evictions assume no list is empty).
        const auto it = c.free_blocks.find(size);
        if (it != c.free_blocks.end() && it->second.empty()) c.free_blocks.erase(it);
      }
    }
  }
  release_block(data, size);
}

}  // namespace detail

size_t cached_memory_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.cached;
}

void release_cached_memory() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.shrink_to(0);
  c.peak_live = c.live;
}

void set_memory_cache_limit(size_t bytes) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.limit = bytes;
  c.shrink_to(bytes);
}

size_t memory_cache_limit() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.limit;
}

}  // namespace eta
