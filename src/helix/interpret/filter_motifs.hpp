// The first-layer filter motif baseline (Basset, Kelley et al. 2016; calico/basenji
// bin/basenji_motifs.py): a PWM per filter of a CNN's first conv layer, built from the windows of
// real sequences that activate it most. Per filter: its activation after batch norm and ReLU on
// every window of `kernel` bases that lies inside a sequence and holds only A, C, G or T (the
// model's padding is never used); threshold = threshold_fraction x the filter's maximum over all
// windows; PWM = per-column base counts of the windows above the threshold plus a pseudo-count,
// normalised. A filter whose maximum is <= 0 never fires on the sequences: dead, no PWM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "helix/motif/motif.hpp"
#include "helix/nn/conv_net.hpp"

namespace helix::interpret {

struct FilterMotifOptions {
  double threshold_fraction = 0.5;  // windows with activation > this x the filter's maximum
  double pseudocount = 0.5;         // added to each base's count in every column
  // Input positions per batch (sequences are batched, and longer ones cut into overlapping
  // pieces, up to this many positions); memory is a few times positions x (filters + 4 x kernel)
  // floats. 0: 2^24 / (filters + 4 x kernel), i.e. about 64 MB per such tensor.
  int64_t batch_positions = 0;
  std::string alphabet = "acgt";  // the model's input alphabet (acgt or acgtn)
};

struct FilterMotif {
  int64_t filter = 0;
  bool dead = false;          // no window activates it (maximum <= 0): no PWM
  double max_activation = 0;  // maximum over all windows, after batch norm and ReLU
  double threshold = 0;       // threshold_fraction x max_activation
  int64_t sites = 0;          // windows with activation > threshold
  double mean_ic = 0;         // information content of the PWM in bits, mean over its columns
  // id f<filter>, the PWM (kernel rows of A, C, G, T), sites; no rows when dead.
  motif::Motif motif;
};

struct FilterMotifResult {
  int64_t kernel = 0;                // first-layer kernel width = PWM length
  int64_t sequences = 0;             // sequences scanned
  int64_t windows = 0;               // windows of `kernel` A/C/G/T bases scored per filter
  int64_t skipped_windows = 0;       // windows holding another letter (N, IUPAC), not scored
  std::vector<FilterMotif> filters;  // one per first-layer filter, in channel order

  int64_t dead_filters() const;
};

// The PWM of every first-layer filter of `net` (its inference-mode batch-norm statistics folded
// into the conv) from `sequences` (any letters; windows with a letter other than A, C, G, T, U
// are skipped; sequences shorter than the kernel add no window). Runs on the device of the net's
// weights, without gradients. Throws UsageError for options out of range (threshold_fraction in
// [0, 1), pseudocount >= 0) or an alphabet whose channel count differs from the net's input.
FilterMotifResult filter_motifs(const nn::ConvNetImpl& net,
                                const std::vector<std::string>& sequences,
                                const FilterMotifOptions& options = {});

}  // namespace helix::interpret
