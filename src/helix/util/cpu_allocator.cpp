#include "helix/util/cpu_allocator.hpp"

#include <c10/core/Allocator.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace helix {
namespace {

constexpr size_t kCachedMin = size_t{1} << 20;  // smaller blocks: glibc's heap handles them well
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kSmallAlignment = 64;

// Free blocks are kept up to this many bytes, or the peak of live cached bytes if higher: a run
// whose batches change shape every step (variable-length RNA batches, embedding by length) would
// otherwise cache one block per shape and grow without bound.
constexpr size_t kMinCacheCap = size_t{1} << 30;
// A free block up to this factor larger than the request is reused for it, so that nearby shapes
// share blocks (at most 25 % of a block is idle).
constexpr double kReuseSlack = 1.25;

size_t bucket_size(size_t n) { return (n + kHugePage - 1) / kHugePage * kHugePage; }

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t n) const override {
    void* p = n < kCachedMin ? allocate_small(n) : allocate_cached(n);
    return {p, p, &CachingCpuAllocator::free_block, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::free_block; }

  static CachingCpuAllocator& instance() {
    static CachingCpuAllocator allocator;
    return allocator;
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_locked();
  }

  CpuAllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    CpuAllocatorStats s = stats_;
    s.cached_free_bytes = cached_free_bytes_;
    return s;
  }

 private:
  static void* allocate_small(size_t n) {
    void* p = nullptr;
    if (posix_memalign(&p, kSmallAlignment, n == 0 ? 1 : n) != 0) throw std::bad_alloc();
    return p;
  }

  void* allocate_cached(size_t n) const {
    auto& self = const_cast<CachingCpuAllocator&>(*this);
    const size_t size = bucket_size(n);
    std::lock_guard<std::mutex> lock(self.mutex_);
    auto it = self.free_.lower_bound(size);
    if (it != self.free_.end() && static_cast<double>(it->first) <= kReuseSlack * size) {
      const size_t block = it->first;
      void* p = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) self.free_.erase(it);
      self.cached_free_bytes_ -= block;
      self.live_[p] = block;
      ++self.stats_.hits;
      self.note_live(block);
      return p;
    }
    void* p = nullptr;
    if (posix_memalign(&p, kHugePage, size) != 0) {
      self.release_locked();  // give cached blocks back and try once more
      if (posix_memalign(&p, kHugePage, size) != 0) throw std::bad_alloc();
    }
    madvise(p, size, MADV_HUGEPAGE);
    self.live_[p] = size;
    ++self.stats_.misses;
    self.note_live(size);
    return p;
  }

  void note_live(size_t size) {
    stats_.live_cached_bytes += size;
    peak_live_bytes_ = std::max(peak_live_bytes_, stats_.live_cached_bytes);
  }

  static void free_block(void* p) {
    if (p == nullptr) return;
    auto& self = instance();
    {
      std::lock_guard<std::mutex> lock(self.mutex_);
      auto it = self.live_.find(p);
      if (it != self.live_.end()) {
        const size_t size = it->second;
        self.stats_.live_cached_bytes -= size;
        self.live_.erase(it);
        self.free_[size].push_back(p);
        self.cached_free_bytes_ += size;
        self.trim_locked();
        return;
      }
    }
    std::free(p);  // a small block
  }

  void release_locked() {
    for (auto& [size, blocks] : free_) {
      for (void* p : blocks) std::free(p);
    }
    free_.clear();
    cached_free_bytes_ = 0;
  }

  // Frees the largest cached blocks until the cache is within its cap.
  void trim_locked() {
    const size_t cap = std::max(kMinCacheCap, peak_live_bytes_);
    while (cached_free_bytes_ > cap && !free_.empty()) {
      auto largest = std::prev(free_.end());
      std::free(largest->second.back());
      largest->second.pop_back();
      cached_free_bytes_ -= largest->first;
      if (largest->second.empty()) free_.erase(largest);
    }
  }

  std::mutex mutex_;
  std::unordered_map<void*, size_t> live_;
  std::map<size_t, std::vector<void*>> free_;  // by block size, for best-fit reuse
  size_t cached_free_bytes_ = 0;
  size_t peak_live_bytes_ = 0;
  CpuAllocatorStats stats_;
};

}  // namespace

void install_caching_cpu_allocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Priority above LibTorch's default registration so it is not replaced later.
    c10::SetAllocator(c10::DeviceType::CPU, &CachingCpuAllocator::instance(), 10);
  });
}

void release_cached_cpu_memory() { CachingCpuAllocator::instance().release(); }

CpuAllocatorStats cpu_allocator_stats() { return CachingCpuAllocator::instance().stats(); }

}  // namespace helix
