// A caching allocator for LibTorch's CPU tensors. glibc serves every block above 32 MB (and,
// after its threshold adapts, many smaller ones) with a fresh mmap, so each activation of a
// training step is page-faulted and zeroed again on every use: measured on the FinDNA step at
// batch 8, a run of set-up plus two steps spent 9.4 s of its 13.3 s in the kernel. This allocator
// keeps freed blocks of 1 MB and more in size buckets and hands them out again; the training step's
// allocation pattern repeats every step, so after the first step nothing is faulted in. Large
// blocks are 2 MB aligned and advised as transparent huge pages (fewer faults and TLB misses in the
// matrix products). A free block up to 25 % larger than a request serves it, and the cache keeps at
// most max(1 GiB, peak live bytes) of free blocks (largest freed first), so workloads whose
// shapes change every step (variable-length batches) stay bounded. Cached blocks are also
// released when an allocation fails or on request.
#pragma once

#include <cstddef>

namespace helix {

// Makes the caching allocator LibTorch's CPU allocator (idempotent).
void install_caching_cpu_allocator();

// Returns cached free blocks to the system.
void release_cached_cpu_memory();

struct CpuAllocatorStats {
  size_t cached_free_bytes = 0;
  size_t live_cached_bytes = 0;
  size_t hits = 0;
  size_t misses = 0;
};
CpuAllocatorStats cpu_allocator_stats();

}  // namespace helix
