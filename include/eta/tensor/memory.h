// Tensor memory: large buffers are cached for reuse instead of going back to the OS. A training
// step allocates the same tensor sizes every step; without the cache each multi-MB buffer was a
// fresh mmap whose pages the kernel faulted in and zeroed again (~20% of a SmallCNN step).
// Cached blocks are reused only for requests of exactly their size, and the cache is bounded.
#pragma once
#include <cstddef>

namespace eta {

// Bytes held in the cache now (free for reuse, not in any tensor).
size_t cached_memory_bytes();
// Returns every cached block to the OS (e.g. between phases of a program with other sizes).
void release_cached_memory();
// Largest total the cache may hold; beyond it freed blocks go straight back to the OS. Default
// 256 MiB (0 under AddressSanitizer); 0 turns caching off. Lowering it releases what no longer fits.
void set_memory_cache_limit(size_t bytes);
size_t memory_cache_limit();

namespace detail {
// 64-byte aligned storage of at least `bytes` (at least 64); throws eta::Error when out of memory.
void* allocate_storage(size_t bytes);
// Returns a block from allocate_storage with the same `bytes`.
void free_storage(void* data, size_t bytes) noexcept;
}  // namespace detail

}  // namespace eta
