#include "helix/data/findna_views.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "helix/objectives/mlm.hpp"
#include "helix/seq/augment.hpp"
#include "helix/seq/reverse_complement.hpp"
#include "helix/util/error.hpp"

namespace helix::data {

FindnaBatch make_findna_batch(const std::vector<std::string>& windows,
                              const seq::Alphabet& alphabet, const FindnaViewOptions& options,
                              std::mt19937_64& rng) {
  const auto batch = static_cast<int64_t>(windows.size());
  if (batch == 0) throw Error("make_findna_batch: empty batch");
  const auto length = static_cast<int64_t>(windows[0].size());
  const int64_t total = length + options.cls_tokens;
  const int64_t channels = alphabet.channels();

  FindnaBatch out;
  out.student = at::zeros({batch, channels, total}, at::kFloat);
  out.teacher = at::zeros({batch, channels, total}, at::kFloat);
  out.mlm_target = at::full({batch, length}, objectives::kIgnore, at::kLong);
  float* student = out.student.data_ptr<float>();
  float* teacher = out.teacher.data_ptr<float>();
  int64_t* target = out.mlm_target.data_ptr<int64_t>();

  std::normal_distribution<float> noise(0.0f, static_cast<float>(options.noise_std));
  std::bernoulli_distribution flip(options.rc_prob);
  std::vector<uint8_t> selected(length);
  for (int64_t b = 0; b < batch; ++b) {
    if (static_cast<int64_t>(windows[b].size()) != length) {
      throw Error("make_findna_batch: windows of different lengths");
    }
    const auto original = seq::encode(windows[b], alphabet);

    // Student: mask, optionally reverse-complement input, targets and mask together, then noise.
    auto masked = original;
    seq::apply_mask(masked.data(), selected.data(), length, channels, options.mask, rng);
    auto target_codes = original;
    if (flip(rng)) {
      seq::reverse_complement_codes(masked, alphabet);
      seq::reverse_complement_codes(target_codes, alphabet);
      std::reverse(selected.begin(), selected.end());
    }
    float* s = student + b * channels * total;
    seq::one_hot_into(masked.data(), length, channels, total, s);
    if (options.noise_std > 0) {
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t i = 0; i < length; ++i) s[c * total + i] += noise(rng);
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      // A masked position whose original row is all zero has no class to predict.
      if (selected[i] && target_codes[i] >= 0)
        target[b * length + i] = static_cast<int64_t>(target_codes[i]);
    }

    // Teacher: clean, chained augmentations.
    auto view = original;
    seq::random_deletion(view, options.max_deletion, alphabet, rng);
    seq::random_insertion(view, options.max_insertion, alphabet, rng);
    seq::random_translocation(view, options.max_translocation, rng);
    seq::one_hot_into(view.data(), length, channels, total, teacher + b * channels * total);
  }
  return out;
}

}  // namespace helix::data
