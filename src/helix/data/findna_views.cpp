#include "helix/data/findna_views.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "helix/objectives/mlm.hpp"
#include "helix/seq/augment.hpp"
#include "helix/seq/reverse_complement.hpp"
#include "helix/util/error.hpp"

namespace helix::data {

at::Tensor mlm_targets(const FindnaBatch& batch) {
  // A masked position whose original row is all zero has no class to predict.
  return batch.original.masked_fill(batch.mlm_mask.logical_not() | batch.original.lt(0),
                                    objectives::kIgnore);
}

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
  out.mlm_mask = at::zeros({batch, length}, at::kBool);
  out.original = at::empty({batch, length}, at::kLong);
  bool* mask_out = out.mlm_mask.data_ptr<bool>();
  int64_t* original_out = out.original.data_ptr<int64_t>();
  float* student = out.student.data_ptr<float>();
  float* teacher = out.teacher.data_ptr<float>();

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
      if (options.rc_mode == RcMode::kComplement) {
        seq::reverse_complement_codes(masked, alphabet);
        seq::reverse_complement_codes(target_codes, alphabet);
        std::reverse(selected.begin(), selected.end());
      } else {
        // Bug B3 as in the original: both axes flipped; targets stay on the forward strand.
        std::reverse(masked.begin(), masked.end());
        for (auto& c : masked) {
          if (c >= 0) c = static_cast<int8_t>(channels - 1 - c);
        }
      }
    }
    float* s = student + b * channels * total;
    seq::one_hot_into(masked.data(), length, channels, total, s);
    if (options.noise_std > 0) {
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t i = 0; i < length; ++i) s[c * total + i] += noise(rng);
      }
    }
    for (int64_t i = 0; i < length; ++i) {
      mask_out[b * length + i] = selected[i] != 0;
      original_out[b * length + i] = target_codes[i];
    }

    // Teacher: clean, chained augmentations (only the translocation with bug B4).
    auto view = original;
    if (!options.translocation_only) {
      seq::random_deletion(view, options.max_deletion, alphabet, rng);
      seq::random_insertion(view, options.max_insertion, alphabet, rng);
    }
    seq::random_translocation(view, options.max_translocation, rng);
    seq::one_hot_into(view.data(), length, channels, total, teacher + b * channels * total);
  }
  return out;
}

}  // namespace helix::data
