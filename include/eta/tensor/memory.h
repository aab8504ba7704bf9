// Tensor memory: freed buffers of 64 KiB .. limit/4 are kept for reuse by requests of exactly
// their size instead of going back to the OS. A training step allocates the same sizes every
// step; without the cache glibc handed many of them back and each reuse faulted fresh pages in
// (zeroed by the kernel, charged to the cgroup, serialised on the address-space lock), which
// cost most when both threads allocated. Measured (LeNet-5 step, batch 64, lenet_ops runs
// alternated): 2 threads 3.0-3.9 ms -> 2.0-2.8 ms, 1 -> 2 thread speed-up 1.1-1.4x -> 1.4-1.7x;
// SmallCNN epoch ~10% faster.
// The limit (default 256 MiB) caps the cache; what bounds its cost in RSS is a second rule: on a
// miss, live + cached bytes may exceed the most ever live by half, and the least recently
// cached blocks are handed back to keep it so. Blocks another phase left (evaluation batches)
// thus give way, while a step's own sizes keep hitting. With a 32 MiB limit and no such rule,
// the 25.7 MB activations of a batch-256 SmallCNN step were never cached and were faulted in
// afresh every step (SmallCNN batch 256, 2 threads: 118 -> 94 ms per step in a training loop).
// Off under AddressSanitizer: a cached block would hide use-after-free. Buffers of 8 MiB and up
// are mapped and unmapped directly (not through malloc), so that peak RSS follows the live bytes:
// through malloc's heap a SmallCNN inference on 1000-image batches peaked at 586 MB RSS for
// 241 MB live, now 240 MB.
#pragma once
#include <cstddef>

namespace eta {

// Bytes held in the cache now (free for reuse, not in any tensor).
size_t cached_memory_bytes();
// Returns every cached block to the OS and forgets the peak of live bytes that bounds the cache
// (e.g. between phases of a program with other sizes).
void release_cached_memory();
// Largest total the cache may hold; beyond it the least recently cached blocks go back to the
// OS. Default 256 MiB (0 under AddressSanitizer); 0 turns caching off; e.g. 1 GiB also caches big
// inference buffers. Lowering it releases what no longer fits.
void set_memory_cache_limit(size_t bytes);
size_t memory_cache_limit();

namespace detail {
// 64-byte aligned storage of at least `bytes` (at least 64); throws eta::Error when out of memory.
void* allocate_storage(size_t bytes);
// Returns a block from allocate_storage with the same `bytes`.
void free_storage(void* data, size_t bytes) noexcept;
}  // namespace detail

}  // namespace eta
