#include "helix/data/isoclr_batch.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "helix/objectives/mlm.hpp"

namespace helix::data {

IsoclrBatch make_isoclr_batch(const PairCorpus& corpus, const std::vector<PairDraw>& pairs,
                              const IsoclrViewOptions& o, std::mt19937_64& rng) {
  const auto b = static_cast<int64_t>(pairs.size());
  const int64_t rows = 2 * b;
  std::vector<const RnaRecord*> members(rows);
  std::vector<int64_t> shifts(rows, 0), lengths(rows);
  for (int64_t i = 0; i < b; ++i) {
    members[i] = &corpus.records[pairs[i].anchor];
    members[b + i] = &corpus.records[pairs[i].partner];
  }
  std::uniform_int_distribution<int64_t> shift_of(0, std::max<int64_t>(o.max_shift, 0));
  int64_t width = 1;
  for (int64_t r = 0; r < rows; ++r) {
    if (o.augment) shifts[r] = shift_of(rng);
    lengths[r] = static_cast<int64_t>(members[r]->sequence.size()) + shifts[r];
    width = std::max(width, lengths[r]);
  }
  IsoclrBatch batch;
  batch.pairs = pairs;
  batch.x = at::zeros({rows, o.channels, width}, at::kFloat);
  batch.mlm_targets = at::full({rows, width}, objectives::kIgnore, at::kLong);
  auto* x = batch.x.data_ptr<float>();
  auto* targets = batch.mlm_targets.data_ptr<int64_t>();
  std::vector<int64_t> positions;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * o.channels * width;
    const auto& m = *members[r];
    seq::rna_encode_into(m.sequence, m.cds_begin, m.cds_end, m.exon_lengths, o.tracks, o.channels,
                         width, row + shifts[r]);
    if (!o.augment || o.mask_prob <= 0) continue;
    // Masking: round(p L) distinct positions of the record (shift excluded), all channels zeroed.
    const auto length = static_cast<int64_t>(members[r]->sequence.size());
    const auto count = std::min<int64_t>(length, std::llround(o.mask_prob * length));
    positions.resize(length);
    std::iota(positions.begin(), positions.end(), shifts[r]);
    for (int64_t k = 0; k < count; ++k) {
      std::swap(positions[k],
                positions[std::uniform_int_distribution<int64_t>(k, length - 1)(rng)]);
      const int64_t p = positions[k];
      for (int64_t c = 0; c < o.channels; ++c) {
        float& v = row[c * width + p];
        if (c < 4 && v != 0.0f) targets[r * width + p] = c;
        v = 0.0f;
      }
    }
  }
  batch.lengths = at::tensor(lengths, at::kLong);
  std::vector<int64_t> types(b);
  for (int64_t i = 0; i < b; ++i) types[i] = static_cast<int64_t>(pairs[i].type);
  batch.types = at::tensor(types, at::kLong);
  return batch;
}

}  // namespace helix::data
