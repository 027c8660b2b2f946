#include "helix/util/cpu_allocator.hpp"

#include <c10/core/Allocator.h>
#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace helix {
namespace {

constexpr size_t kCachedMin = size_t{1} << 20;  // smaller blocks: glibc's heap handles them well
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kSmallAlignment = 64;

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
    for (const auto& [size, blocks] : free_) s.cached_free_bytes += size * blocks.size();
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
    auto it = self.free_.find(size);
    if (it != self.free_.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      self.live_[p] = size;
      ++self.stats_.hits;
      self.stats_.live_cached_bytes += size;
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
    self.stats_.live_cached_bytes += size;
    return p;
  }

  static void free_block(void* p) {
    if (p == nullptr) return;
    auto& self = instance();
    {
      std::lock_guard<std::mutex> lock(self.mutex_);
      auto it = self.live_.find(p);
      if (it != self.live_.end()) {
        self.free_[it->second].push_back(p);
        self.stats_.live_cached_bytes -= it->second;
        self.live_.erase(it);
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
  }

  std::mutex mutex_;
  std::unordered_map<void*, size_t> live_;
  std::unordered_map<size_t, std::vector<void*>> free_;
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
