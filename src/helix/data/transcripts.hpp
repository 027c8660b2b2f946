// Mature (spliced) transcripts from a gene annotation (GTF or GFF3, see io/gtf.hpp), with their
// CDS and exon structure in transcript coordinates: the input of the 6-track RNA encoding
// (seq/rna_tracks.hpp). Sequences come either from a genome (exons fetched and joined) or from a
// transcript FASTA whose records are matched to the annotation by id.
//
// Annotation checks (InputError naming the annotation file and the line of the offending
// feature): exons of one transcript on different chromosomes or strands, overlapping exons
// (including the same exon listed twice), and a CDS or stop_codon feature not inside one of its
// transcript's exons. Exons listed out of order are fine: they are sorted (the file order of
// features carries no meaning in GTF/GFF3).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace helix::io {
class GenomeReader;
}

namespace helix::data {

struct TranscriptOptions {
  // cds.include_stop: extend the CDS by the stop codon (genePred convention, IsoCLR I2). GTF CDS
  // features exclude the stop codon; the stop_codon features are added when present, else the
  // CDS is extended by 3 nt (as far as the transcript reaches).
  bool include_stop = false;
  // Transcripts with length >= max_length are dropped (counted), not truncated (IsoCLR §2.2).
  int64_t max_length = 12288;
  // Transcripts shorter than this are dropped (counted).
  int64_t min_length = 1;
};

struct Transcript {
  std::string id, gene_id, gene_name, chrom;
  char strand = '+';
  std::vector<std::pair<int64_t, int64_t>> exons;  // genomic, 0-based half-open, ascending
  std::string sequence;                            // mature RNA, transcript orientation, ACGTN..
  std::vector<int64_t> exon_lengths;               // in transcript order (5' -> 3')
  // Transcript coordinates [begin, end) of the CDS; -1, -1 for a non-coding transcript. The stop
  // codon is excluded unless TranscriptOptions::include_stop.
  int64_t cds_begin = -1, cds_end = -1;
  int64_t source_line = 0;  // annotation line of the transcript's first feature (for messages)

  int64_t length() const { return static_cast<int64_t>(sequence.size()); }
  bool coding() const { return cds_begin >= 0; }
};

// Transcripts left out, by reason; each with the first id met, for messages.
struct TranscriptSkips {
  struct Reason {
    int64_t count = 0;
    std::string example;  // first id skipped for this reason
    void add(const std::string& id);
  };
  Reason too_long;       // length >= max_length
  Reason too_short;      // length < min_length
  Reason no_exons;       // only CDS/stop_codon features in the annotation
  Reason unknown_chrom;  // genome path: the chromosome is not in the genome
  Reason no_sequence;    // FASTA path: id in the annotation, not in the FASTA
  Reason not_in_gtf;     // FASTA path: id in the FASTA, not in the annotation

  int64_t total() const;
  // (name, count) for every reason, in a fixed order (for JSON reports).
  std::vector<std::pair<std::string, int64_t>> counts() const;
  // One line for a warning, e.g. "2 too_long (e.g. ENST1), 5 not_in_gtf (e.g. X)"; "none".
  std::string summary() const;
};

struct TranscriptSet {
  std::vector<Transcript> transcripts;  // in order of first appearance in the annotation
  TranscriptSkips skipped;
};

// Mature transcripts of `annotation_path` with sequences fetched from `genome`: exon sequences
// are joined in genomic order; on the minus strand the result is reverse-complemented, so the
// exon order is reversed too. A transcript on a chromosome missing from the genome is a counted
// skip, but InputError when that leaves no transcript (naming example chromosomes of both
// files: "chr1" vs "1"); an exon beyond the chromosome's end is an InputError at its line.
TranscriptSet assemble_transcripts(io::GenomeReader& genome, const std::string& annotation_path,
                                   const TranscriptOptions& options);

// Mature transcripts whose sequences are read from a transcript FASTA (e.g. GENCODE's
// transcripts.fa or IsoformSwitchAnalyzeR's isoform_nt.fasta), matched to the annotation by
// transcript id. A record name matches an annotation id exactly, or through its part before the
// first '|' (GENCODE headers), or without a trailing ".N" version (Ensembl cDNA vs a GTF
// without versions). Ids in only one of the two files are counted skips; InputError when no id
// matches at all (showing an example id from each file). Also InputError (FASTA file, header
// line) for a duplicate record and for a sequence whose length differs from the sum of its
// exons. Sequences are upper-cased with U read as T.
TranscriptSet read_transcripts(const std::string& fasta_path, const std::string& annotation_path,
                               const TranscriptOptions& options);

}  // namespace helix::data
