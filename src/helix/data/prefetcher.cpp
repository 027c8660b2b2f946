#include "helix/data/prefetcher.hpp"

namespace helix::data {
namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

uint64_t item_seed(uint64_t run_seed, uint64_t stream, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(run_seed) ^ stream) ^ index);
}

}  // namespace helix::data
