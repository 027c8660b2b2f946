// Motif files: MEME text format (read and write) and the JASPAR formats (read): `.jaspar`
// (">ID NAME" then rows "A [ 1 2 ... ]" for A, C, G, T), classic `.pfm` (four rows of counts, one
// per base) and the position-per-row layout (">ID" then one row of A C G T counts per position,
// as the transfac-derived JASPAR 2022 bundle in shared/data/motifs). Several motifs per file.
#pragma once

#include <string>
#include <vector>

#include "helix/motif/motif.hpp"

namespace helix::io {

// Format by content: a file containing a "MEME version" line is MEME, anything starting with
// '>' is JASPAR-like. Throws InputError (file, line) for a missing or empty file, a motif without
// rows, a non-numeric or negative entry, rows of different lengths, a matrix that is not 4 x L,
// a MEME matrix whose row count differs from its `w=`, or a MEME alphabet other than ACGT.
std::vector<motif::Motif> read_motifs(const std::string& path);

// MEME text format (version 4, ACGT, both strands, uniform background; nsites= the motif's sites,
// or 20 when unknown), written atomically. Probabilities with 6 decimals.
void write_meme(const std::string& path, const std::vector<motif::Motif>& motifs);

}  // namespace helix::io
