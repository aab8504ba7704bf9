// Tensor memory: an optional cache that keeps freed large buffers (>= 64 KiB) for reuse by
// requests of exactly their size, instead of handing them back to the OS. Off by default.
// Measured (bench/compare_eta, SmallCNN, 1 thread): inference on 1000-image batches 3.4 s -> 2.3 s
// with a 256 MiB cache, because each 100 MB activation no longer comes from a fresh mmap whose
// pages the kernel zeroes again; training steps at batch 64/256 unchanged within noise (glibc
// already reuses those sizes), while peak RSS grew by up to the cache limit (297 -> 497 MB).
// Keep it off under AddressSanitizer: a cached block hides use-after-free.
#pragma once
#include <cstddef>

namespace eta {

// Bytes held in the cache now (free for reuse, not in any tensor).
size_t cached_memory_bytes();
// Returns every cached block to the OS (e.g. between phases of a program with other sizes).
void release_cached_memory();
// Largest total the cache may hold; beyond it freed blocks go straight back to the OS. Default 0
// (no caching); e.g. set_memory_cache_limit(256 << 20) for repeated large-batch inference.
// Lowering it releases what no longer fits.
void set_memory_cache_limit(size_t bytes);
size_t memory_cache_limit();

namespace detail {
// 64-byte aligned storage of at least `bytes` (at least 64); throws eta::Error when out of memory.
void* allocate_storage(size_t bytes);
// Returns a block from allocate_storage with the same `bytes`.
void free_storage(void* data, size_t bytes) noexcept;
}  // namespace detail

}  // namespace eta
