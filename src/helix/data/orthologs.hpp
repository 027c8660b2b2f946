// Ortholog groups from MAF whole-genome alignments, for contrastive (IsoCLR/Orthrus-style)
// positive pairs: each group is one stretch of the reference species (the anchor) with the
// aligned stretch of every usable partner species (its positives).
//
// Groups are whole alignment blocks (window = 0) or consecutive, non-overlapping windows of
// `window` alignment columns (window > 0), so that the pieces of all species are cut at the same
// columns and stay orthologous. Sequences are the row texts with gaps removed, uppercased.
// Rows on the '-' strand are kept as they are in the MAF: their text already is that species'
// sequence on the '-' strand (aligned to the reference), so no reverse complement is taken.
// If a block holds several rows of one species (paralogous copies), the first one is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::data {

struct OrthologOptions {
  std::string reference = "Hsap";  // species whose rows are the anchors
  // Partner species to use, in this order; empty: all other species, in the block's row order
  // (which can differ between blocks).
  std::vector<std::string> species;
  // Every group (a whole block, or one window of it) needs a reference of min_length <= L <
  // max_length bases (L = ungapped reference length); others are skipped and counted.
  int64_t min_length = 200;
  int64_t max_length = 12288;
  // 0: one group per block (so blocks of max_length reference bases or more are dropped);
  // > 0: every block is cut into consecutive, non-overlapping windows of this many alignment
  // columns (the last one shorter, kept like every window if its reference has >= min_length
  // bases); a block shorter than `window` columns gives one group.
  int64_t window = 0;
  // A member whose ungapped sequence has a larger fraction of N (every code other than A, C, G,
  // T and U counts) is left out; if that member is the reference, the whole group is skipped.
  double max_n_fraction = 0.1;
};

struct OrthologGroup {
  // Reference row's source and span: "SRC:START-END", 0-based START, END exclusive, counted on
  // the forward strand of the source (as in BED), e.g. "Hsap.22:17443628-17448117". A
  // reference row on the '-' strand gets a "(-)" suffix: "Hsap.22:100-300(-)".
  std::string id;
  std::string reference_sequence;              // gaps removed, uppercase
  std::vector<std::string> partner_species;    // e.g. "Ptro", "Ggor", "Ppyg" (see `species`)
  std::vector<std::string> partner_sequences;  // gaps removed, uppercase; same order
  int64_t line = 0;                            // 1-based MAF line of the block's `a` line
};

struct OrthologSet {
  std::vector<OrthologGroup> groups;
  int64_t blocks = 0;                // alignment blocks read
  int64_t skipped_no_reference = 0;  // blocks without a row of the reference species
  int64_t skipped_short = 0;         // groups (blocks or windows) with < min_length ref bases
  int64_t skipped_long = 0;          // groups with >= max_length reference bases
  int64_t skipped_reference_n = 0;   // groups whose reference has too many N
  int64_t skipped_no_partner = 0;    // groups left without any usable partner
  int64_t partners_n = 0;            // partner members left out for too many N
  int64_t partners_empty = 0;        // partner members with no bases in the window (all gaps)
  // One line: "9627 alignment blocks -> 9568 ortholog groups with 28702 partner sequences;
  // skipped: 0 blocks without a reference row, 0 groups below min_length, 59 at or above
  // max_length, ...; partners left out: 2 N-rich, 0 all gaps".
  std::string summary() const;
};

// Reads every block of the MAF file (plain or gzip) and builds the groups. Throws InputError for
// a malformed file (see io::MafReader) and UsageError for invalid options (min_length < 1,
// max_length <= min_length, window < 0, max_n_fraction outside [0, 1], reference listed among
// the partners).
OrthologSet read_ortholog_groups(const std::string& maf_path, const OrthologOptions& options);

}  // namespace helix::data
