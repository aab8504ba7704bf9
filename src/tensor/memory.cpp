// The caching allocator behind Storage (see eta/tensor/memory.h). Blocks below kMinCached bytes
// go straight to malloc, which already recycles small sizes well.
#include "eta/tensor/memory.h"

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "eta/error.h"

namespace eta {
namespace {

constexpr size_t kMinCached = size_t{1} << 16;  // 64 KiB

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // by rounded size
  size_t cached = 0;
#if defined(__SANITIZE_ADDRESS__)
  size_t limit = 0;  // under AddressSanitizer every free must reach it, or use-after-free hides
#else
  size_t limit = size_t{32} << 20;  // see memory.h for why this size
#endif

  // Frees blocks (any size) until the cache holds at most `target` bytes. Caller holds the lock.
  void shrink_to(size_t target) {
    for (auto it = free_blocks.begin(); it != free_blocks.end() && cached > target;) {
      std::vector<void*>& blocks = it->second;
      while (!blocks.empty() && cached > target) {
        std::free(blocks.back());
        blocks.pop_back();
        cached -= it->first;
      }
      it = blocks.empty() ? free_blocks.erase(it) : std::next(it);
    }
  }
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: tensors may be freed during static teardown
  return *c;
}

size_t rounded(size_t bytes) { return bytes == 0 ? 64 : (bytes + 63) / 64 * 64; }

}  // namespace

namespace detail {

void* allocate_storage(size_t bytes) {
  const size_t size = rounded(bytes);
  if (size >= kMinCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.find(size);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.cached -= size;
      return p;
    }
  }
  void* p = std::aligned_alloc(64, size);
  if (!p) {
    release_cached_memory();  // one retry with the cache handed back
    p = std::aligned_alloc(64, size);
  }
  if (!p) throw_error("tensor: out of memory allocating ", bytes, " bytes");
  return p;
}

void free_storage(void* data, size_t bytes) noexcept {
  if (!data) return;
  const size_t size = rounded(bytes);
  if (size >= kMinCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    // A block over a quarter of the limit is never kept: one huge inference buffer must not
    // evict (or outlive) the many step-sized ones the cache is for.
    if (size <= c.limit / 4 && c.cached + size <= c.limit) {
      try {
        c.free_blocks[size].push_back(data);
        c.cached += size;
        return;
      } catch (...) {  // no memory for the bookkeeping: free the block instead
      }
    }
  }
  std::free(data);
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
