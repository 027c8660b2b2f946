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

}  // namespace
}  // namespace helix
