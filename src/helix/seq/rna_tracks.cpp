#include "helix/seq/rna_tracks.hpp"

#include <ATen/ATen.h>

#include "helix/seq/alphabet.hpp"
#include "helix/util/error.hpp"

namespace helix::seq {
namespace {

int64_t total_length(const std::vector<int64_t>& exon_lengths) {
  int64_t total = 0;
  for (int64_t n : exon_lengths) {
    if (n < 0) throw Error("rna tracks: negative exon length " + std::to_string(n));
    total += n;
  }
  return total;
}

}  // namespace

std::vector<int64_t> codon_track_positions(int64_t cds_begin, int64_t cds_end) {
  std::vector<int64_t> positions;
  if (cds_begin < 0) return positions;
  for (int64_t p = cds_begin; p < cds_end; p += 3) positions.push_back(p);
  return positions;
}

std::vector<int64_t> splice_track_positions(const std::vector<int64_t>& exon_lengths,
                                            const RnaTrackOptions& options) {
  std::vector<int64_t> positions;
  int64_t end = 0;
  for (int64_t n : exon_lengths) {
    end += n;
    if (n > 0) positions.push_back(end - 1);  // an empty exon has no last nucleotide
  }
  if (!options.mark_transcript_end && !positions.empty() && positions.back() == end - 1) {
    positions.pop_back();
  }
  return positions;
}

void rna_tracks_into(int64_t cds_begin, int64_t cds_end, const std::vector<int64_t>& exon_lengths,
                     const RnaTrackOptions& options, int64_t row_stride, float* out) {
  const int64_t length = total_length(exon_lengths);
  if (row_stride < length) {
    throw Error("rna tracks: row stride " + std::to_string(row_stride) +
                " is shorter than the transcript (" + std::to_string(length) + " nt)");
  }
  if (cds_begin >= 0 && (cds_end < cds_begin || cds_end > length)) {
    throw Error("rna tracks: CDS [" + std::to_string(cds_begin) + ", " + std::to_string(cds_end) +
                ") is not within the transcript [0, " + std::to_string(length) + ")");
  }
  float* codon = out + 4 * row_stride;
  for (int64_t p : codon_track_positions(cds_begin, cds_end)) codon[p] = 1.0f;
  float* splice = out + 5 * row_stride;
  for (int64_t p : splice_track_positions(exon_lengths, options)) splice[p] = 1.0f;
}

void rna_encode_into(const std::string& sequence, int64_t cds_begin, int64_t cds_end,
                     const std::vector<int64_t>& exon_lengths, const RnaTrackOptions& options,
                     int64_t channels, int64_t row_stride, float* out) {
  if (channels != 4 && channels != 6) {
    throw UsageError("RNA tracks: channels must be 4 or 6, got " + std::to_string(channels));
  }
  const auto length = static_cast<int64_t>(sequence.size());
  if (total_length(exon_lengths) != length) {
    throw Error("rna tracks: the exons add up to " + std::to_string(total_length(exon_lengths)) +
                " nt but the sequence is " + std::to_string(length) + " nt");
  }
  static const Alphabet acgt = Alphabet::from_name("acgt");
  const std::vector<int8_t> codes = encode(sequence, acgt);
  one_hot_into(codes.data(), length, 4, row_stride, out);
  if (channels == 6) rna_tracks_into(cds_begin, cds_end, exon_lengths, options, row_stride, out);
}

at::Tensor rna_track_tensor(const std::string& sequence, int64_t cds_begin, int64_t cds_end,
                            const std::vector<int64_t>& exon_lengths,
                            const RnaTrackOptions& options, int64_t channels) {
  const auto length = static_cast<int64_t>(sequence.size());
  auto out = at::zeros({channels == 4 ? 4 : 6, length}, at::kFloat);
  rna_encode_into(sequence, cds_begin, cds_end, exon_lengths, options, channels, length,
                  out.data_ptr<float>());
  return out;
}

}  // namespace helix::seq
