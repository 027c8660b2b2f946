// Reader of gene annotations in GTF (GTF2.2 / GENCODE: `key "value";` attributes) and GFF3
// (`key=value;` attributes, percent-encoded, features linked by ID and Parent), plain or
// gzip/bgzip. Only the features a mature transcript needs are returned (exon, CDS, stop_codon);
// every other line is still checked for the 9-column layout and its coordinates, so that a
// damaged file is reported where it is damaged rather than silently thinned out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::io {

enum class AnnotationFormat { kAuto, kGtf, kGff3 };

enum class FeatureType { kExon, kCds, kStopCodon };

struct AnnotationFeature {
  FeatureType type = FeatureType::kExon;
  std::string chrom;
  int64_t start = 0;  // 0-based, half-open (converted from the file's 1-based closed [start, end])
  int64_t end = 0;
  char strand = '+';          // '+' or '-'
  std::string transcript_id;  // GTF: transcript_id; GFF3: the Parent (see read_annotation)
  std::string gene_id;        // empty when the file does not say
  std::string gene_name;      // empty when the file does not say
  int64_t line = 0;           // 1-based line in the file
};

// "gtf" / "gff3".
std::string annotation_format_name(AnnotationFormat format);

// The format of `path`: by extension (.gtf -> GTF, .gff3 -> GFF3, each optionally followed by
// .gz), otherwise (.gff and anything else) by content: a `##gff-version 3` directive means GFF3,
// else the first feature line's attributes decide (`key=value` -> GFF3, `key "value"` -> GTF).
// A file without feature lines reads as GTF. Throws InputError for an unreadable file.
AnnotationFormat detect_annotation_format(const std::string& path);

// Reads the exon, CDS and stop_codon features of a GTF or GFF3 file, in file order.
//
// Lines: '#' comments and directives, blank lines and '\r' line ends are skipped; in GFF3 a
// `##FASTA` directive ends the annotation. Every other line must have 9 tab-separated fields and
// 1-based coordinates 1 <= start <= end.
//
// GTF attributes: `key value` pairs separated by ';' (the last ';' is optional); values may be
// quoted, and a quoted value may contain blanks and ';'. transcript_id, gene_id and gene_name are
// recorded (the first occurrence of each key wins).
//
// GFF3 attributes: `key=value` pairs separated by ';', values percent-decoded (%3B, %3D, %2C ...;
// a malformed escape is kept literally). An exon/CDS/stop_codon names its transcript(s) through
// Parent (a comma-separated list gives one feature per parent: exons shared by isoforms). The
// parent's transcript_id attribute is used as the transcript id when the parent feature is in
// the file and has one (Ensembl's `ID=transcript:ENST...;transcript_id=ENST...`), else the Parent
// value itself. The gene is the transcript feature's Parent (its gene_id attribute, else its
// ID), and its name the gene feature's Name (else a gene_name attribute on the gene, transcript
// or feature). Parents may appear after their children.
//
// Throws InputError (file, 1-based line) for: a line with other than 9 tab-separated fields, an
// empty sequence name, a non-integer coordinate, start < 1 or start > end, an unterminated quote
// (GTF) or an attribute without '=' (GFF3), and, on exon/CDS/stop_codon lines only, a strand
// other than '+' or '-' (a transcript needs a strand) or a missing transcript_id (GTF) / Parent
// (GFF3).
std::vector<AnnotationFeature> read_annotation(const std::string& path,
                                               AnnotationFormat format = AnnotationFormat::kAuto);

}  // namespace helix::io
