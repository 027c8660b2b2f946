#include "helix/util/cpu_allocator.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace helix {
namespace {

TEST(CachingCpuAllocator, ReusesFreedLargeBlocksAndReleasesThem) {
  install_caching_cpu_allocator();
  const auto before = cpu_allocator_stats();
  void* first = nullptr;
  {
    auto t = at::ones({1 << 20});  // 4 MB: cached
    first = t.data_ptr();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % (2 << 20), 0u) << "2 MB aligned";
  }
  const auto freed = cpu_allocator_stats();
  EXPECT_GE(freed.cached_free_bytes, size_t{4} << 20);
  {
    auto again = at::zeros({1 << 20});  // same size: the same block comes back, zeroed
    EXPECT_EQ(again.data_ptr(), first);
    EXPECT_EQ(again.sum().item<float>(), 0.0f);
    EXPECT_EQ(cpu_allocator_stats().hits, freed.hits + 1);
  }
  {
    auto small = at::ones({16});  // below 1 MB: not cached, stats unchanged
    EXPECT_EQ(small.sum().item<float>(), 16.0f);
  }
  EXPECT_EQ(cpu_allocator_stats().misses, freed.misses);
  EXPECT_GT(freed.misses, before.misses);
  release_cached_cpu_memory();
  EXPECT_EQ(cpu_allocator_stats().cached_free_bytes, 0u);
}

// Batches whose shape changes every step (variable-length RNA) must not grow the cache without
// bound: nearby sizes share blocks, and the free cache stays within max(1 GiB, peak live bytes).
TEST(CachingCpuAllocator, VaryingSizesReuseNearbyBlocksAndTheCacheStaysBounded) {
  install_caching_cpu_allocator();
  release_cached_cpu_memory();
  {
    auto t = at::empty({10 << 20}, at::kByte);  // 10 MB
  }
  const auto after_first = cpu_allocator_stats();
  {
    auto slightly_smaller = at::empty({9 << 20}, at::kByte);  // served by the 10 MB block
  }
  EXPECT_EQ(cpu_allocator_stats().hits, after_first.hits + 1);
  EXPECT_EQ(cpu_allocator_stats().misses, after_first.misses);
  // Growing sizes 4, 6, ..., 100 MB one at a time (pages never touched): no free block fits the
  // next request, so without the cap the cache would hold about 2.5 GB.
  for (int64_t mb = 4; mb <= 100; mb += 2) {
    auto t = at::empty({mb << 20}, at::kByte);
  }
  EXPECT_LE(cpu_allocator_stats().cached_free_bytes, size_t{1} << 30);
  release_cached_cpu_memory();
}

}  // namespace
}  // namespace helix
