// The two annotation tracks of the 6-track RNA encoding (IsoCLR/Orthrus, methods/isoclr.md §2.1):
// channel 4 marks the first nucleotide of every codon of the CDS, channel 5 the last nucleotide
// of every exon, both in transcript orientation; channels 0-3 are the one-hot A, C, G, T
// (seq/alphabet.hpp). All positions are 0-based transcript coordinates.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace helix::seq {

struct RnaTrackOptions {
  // splice.mark_transcript_end (IsoCLR I1): the original code marks the transcript's last
  // nucleotide although it is not a junction; kept by default because the released weights and
  // the public benchmark files use it. false gives the junction-only track.
  bool mark_transcript_end = true;
};

// cds_begin, cds_begin + 3, ... < cds_end; empty when cds_begin < 0 (non-coding). Whether the
// stop codon is part of [cds_begin, cds_end) is the caller's choice (data::TranscriptOptions).
std::vector<int64_t> codon_track_positions(int64_t cds_begin, int64_t cds_end);

// The last nucleotide of each exon (exon lengths in transcript order, 5' -> 3'); without
// mark_transcript_end the final exon's last nucleotide (the transcript's end) is left out.
std::vector<int64_t> splice_track_positions(const std::vector<int64_t>& exon_lengths,
                                            const RnaTrackOptions& options);

// Writes channels 4 (codon) and 5 (splice) into a zero-initialised channel-first buffer: row 4
// starts at out + 4 * row_stride, row 5 at out + 5 * row_stride, and row_stride must be at least
// the transcript length (the sum of exon_lengths). Rows 0-3 are seq::one_hot_into's. Throws
// helix::Error for a negative exon length, a CDS outside [0, length] or with end < begin, and a
// row_stride shorter than the transcript.
void rna_tracks_into(int64_t cds_begin, int64_t cds_end, const std::vector<int64_t>& exon_lengths,
                     const RnaTrackOptions& options, int64_t row_stride, float* out);

// [channels, L] float32 tensor of a transcript: one-hot A, C, G, T (N and IUPAC codes all zero,
// U read as T) and, when channels == 6, the codon and splice tracks. Throws UsageError unless
// channels is 4 or 6, and helix::Error when the sequence length differs from the sum of
// exon_lengths (and as rna_tracks_into).
// Writes the whole encoding of a transcript (one-hot A C G T rows 0-3, and with channels == 6 the
// codon and splice rows) into a zero-initialised channel-first buffer whose rows are row_stride
// floats apart, e.g. at a column offset of a padded batch. Throws as rna_track_tensor.
void rna_encode_into(const std::string& sequence, int64_t cds_begin, int64_t cds_end,
                     const std::vector<int64_t>& exon_lengths, const RnaTrackOptions& options,
                     int64_t channels, int64_t row_stride, float* out);

at::Tensor rna_track_tensor(const std::string& sequence, int64_t cds_begin, int64_t cds_end,
                            const std::vector<int64_t>& exon_lengths,
                            const RnaTrackOptions& options, int64_t channels);

}  // namespace helix::seq
