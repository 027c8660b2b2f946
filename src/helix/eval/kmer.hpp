// k-mer count features of nucleotide sequences, the classic baseline next to learned embeddings.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace helix::eval {

// Counts of the overlapping k-mers of every sequence: float32 [N, 4^k]. Letters are read
// case-insensitively over ACGT with U as T; a k-mer containing any other character (N, gaps,
// IUPAC codes) is skipped. Column of a k-mer: its base-4 number with A=0 < C=1 < G=2 < T=3, first
// letter most significant (so AA..A is 0, AC is 1, TT..T is 4^k - 1: lexicographic order). With
// normalise, each row is divided by its number of valid k-mers (a row without any stays zero).
// k must be in [1, 8], else helix::UsageError.
at::Tensor kmer_counts(const std::vector<std::string>& seqs, int k, bool normalise = true);

// The k-mer of column index (the inverse of the ordering above); index in [0, 4^k).
std::string kmer_string(int64_t index, int k);

}  // namespace helix::eval
