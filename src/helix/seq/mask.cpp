#include "helix/seq/mask.hpp"

#include "helix/seq/alphabet.hpp"

namespace helix::seq {

void apply_mask(int8_t* codes, uint8_t* selected, int64_t length, int64_t channels,
                const MaskOptions& options, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> symbol(0, static_cast<int>(channels) - 1);
  for (int64_t i = 0; i < length; ++i) {
    if (unit(rng) >= options.select_prob) {
      selected[i] = 0;
      continue;
    }
    selected[i] = 1;
    const double r = unit(rng);
    if (r < options.zero_prob) {
      codes[i] = kZeroRow;
    } else if (r < options.zero_prob + options.random_prob) {
      codes[i] = static_cast<int8_t>(symbol(rng));
    }
  }
}

}  // namespace helix::seq
