#include "helix/data/transcripts.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../input_error.hpp"
#include "../temp_dir.hpp"
#include "helix/io/fasta.hpp"
#include "helix/io/genome.hpp"
#include "helix/seq/rna_tracks.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

// 0         1
// 01234567890123456789
// AACCGGTTACGATCGGCATT
const char* const kChr1 = "AACCGGTTACGATCGGCATT";

// Acceptance check 1 (methods/isoclr.md §10): exons [2, 6) and [10, 15), CDS [3, 13), written
// 1-based closed as a GTF does; the CDS is one feature per exon.
const char* const kToyGtf =
    "chr1\ttest\texon\t3\t6\t.\t+\t.\ttranscript_id \"plus\"; gene_id \"g\";\n"
    "chr1\ttest\texon\t11\t15\t.\t+\t.\ttranscript_id \"plus\"; gene_id \"g\";\n"
    "chr1\ttest\tCDS\t4\t6\t.\t+\t0\ttranscript_id \"plus\"; gene_id \"g\";\n"
    "chr1\ttest\tCDS\t11\t13\t.\t+\t2\ttranscript_id \"plus\"; gene_id \"g\";\n"
    "chr1\ttest\texon\t3\t6\t.\t-\t.\ttranscript_id \"minus\"; gene_id \"h\";\n"
    "chr1\ttest\texon\t11\t15\t.\t-\t.\ttranscript_id \"minus\"; gene_id \"h\";\n"
    "chr1\ttest\tCDS\t4\t6\t.\t-\t0\ttranscript_id \"minus\"; gene_id \"h\";\n"
    "chr1\ttest\tCDS\t11\t13\t.\t-\t2\ttranscript_id \"minus\"; gene_id \"h\";\n";

// Positions where row `row` of a [C, L] tensor is non-zero.
std::vector<int64_t> ones(const at::Tensor& t, int64_t row) {
  std::vector<int64_t> out;
  auto a = t.accessor<float, 2>();
  for (int64_t i = 0; i < t.size(1); ++i) {
    if (a[row][i] != 0.0f) out.push_back(i);
  }
  return out;
}

std::string decode_one_hot(const at::Tensor& t) {
  std::string s;
  auto a = t.accessor<float, 2>();
  for (int64_t i = 0; i < t.size(1); ++i) {
    char c = 'N';
    for (int64_t r = 0; r < 4; ++r) {
      if (a[r][i] != 0.0f) c = "ACGT"[r];
    }
    s += c;
  }
  return s;
}

class TranscriptsTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  // A fresh file each time, so that no faidx index of an earlier genome is reused.
  std::unique_ptr<io::GenomeReader> genome(const std::string& text) {
    return io::open_genome(write("genome" + std::to_string(genomes_++) + ".fa", text));
  }
  TranscriptSet assemble(const std::string& gtf_text, const TranscriptOptions& options = {},
                         const std::string& genome_text = std::string(">chr1\n") + kChr1 + "\n",
                         const std::string& name = "a.gtf") {
    auto g = genome(genome_text);
    return assemble_transcripts(*g, write(name, gtf_text), options);
  }
  // The InputError of `fn` (fails the test if none is thrown).
  template <typename Fn>
  InputError error_of(Fn fn) {
    return test::input_error_of(fn);
  }
  // Assembling `gtf_text` fails at `line` of the GTF with a message containing `fragment`.
  void expect_gtf_error(const std::string& gtf_text, int64_t line, const std::string& fragment,
                        bool fasta_too = true) {
    auto g = genome(std::string(">chr1\n") + kChr1 + "\n>chr2\nACGTACGTACGTACGTACGT\n");
    const std::string path = write("bad.gtf", gtf_text);
    const InputError e = error_of([&] { assemble_transcripts(*g, path, {}); });
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line);
    const std::string what = e.what();
    EXPECT_NE(what.find(path + ":" + std::to_string(line) + ": "), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    if (!fasta_too) return;
    // The transcript FASTA path checks the annotation alike.
    const std::string fasta = write("t.fa", ">t\nACGT\n");
    EXPECT_EQ(error_of([&] { read_transcripts(fasta, path, {}); }).line(), line);
  }

  test::TempDir dir_{"helix_transcripts_test"};
  int genomes_ = 0;
};

TEST_F(TranscriptsTest, ToyTranscriptAcceptanceCheck) {
  const TranscriptSet set = assemble(kToyGtf);
  ASSERT_EQ(set.transcripts.size(), 2u);
  EXPECT_EQ(set.skipped.total(), 0);

  const Transcript& plus = set.transcripts[0];
  EXPECT_EQ(plus.id, "plus");
  EXPECT_EQ(plus.gene_id, "g");
  EXPECT_EQ(plus.chrom, "chr1");
  EXPECT_EQ(plus.strand, '+');
  EXPECT_EQ(plus.exons, (std::vector<std::pair<int64_t, int64_t>>{{2, 6}, {10, 15}}));
  EXPECT_EQ(plus.sequence, "CCGGGATCG");  // [2, 6) + [10, 15)
  EXPECT_EQ(plus.exon_lengths, (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(plus.cds_begin, 1);
  EXPECT_EQ(plus.cds_end, 7);
  EXPECT_EQ(plus.source_line, 1);

  const Transcript& minus = set.transcripts[1];
  EXPECT_EQ(minus.id, "minus");
  EXPECT_EQ(minus.strand, '-');
  EXPECT_EQ(minus.exons, plus.exons);  // genomic, ascending
  // Genomic positions 14..10 then 5..2, complemented.
  EXPECT_EQ(minus.sequence, "CGATCCCGG");
  EXPECT_EQ(minus.exon_lengths, (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(minus.cds_begin, 2);
  EXPECT_EQ(minus.cds_end, 8);
  EXPECT_EQ(minus.source_line, 5);

  for (bool mark_end : {true, false}) {
    seq::RnaTrackOptions track_options;
    track_options.mark_transcript_end = mark_end;
    const auto p = seq::rna_track_tensor(plus.sequence, plus.cds_begin, plus.cds_end,
                                         plus.exon_lengths, track_options, 6);
    const auto m = seq::rna_track_tensor(minus.sequence, minus.cds_begin, minus.cds_end,
                                         minus.exon_lengths, track_options, 6);
    ASSERT_EQ(p.sizes(), (std::vector<int64_t>{6, 9}));
    EXPECT_EQ(decode_one_hot(p), plus.sequence);
    EXPECT_EQ(decode_one_hot(m), minus.sequence);
    EXPECT_EQ(ones(p, 4), (std::vector<int64_t>{1, 4}));
    EXPECT_EQ(ones(m, 4), (std::vector<int64_t>{2, 5}));
    using Positions = std::vector<int64_t>;
    EXPECT_EQ(ones(p, 5), (mark_end ? Positions{3, 8} : Positions{3}));
    EXPECT_EQ(ones(m, 5), (mark_end ? Positions{4, 8} : Positions{4}));
  }
}

TEST_F(TranscriptsTest, UnorderedExonsAreSorted) {
  // The same transcripts with every feature of each transcript listed in reverse order.
  const std::string reversed =
      "chr1\ttest\tCDS\t11\t13\t.\t+\t2\ttranscript_id \"plus\"; gene_id \"g\";\n"
      "chr1\ttest\texon\t11\t15\t.\t+\t.\ttranscript_id \"plus\"; gene_id \"g\";\n"
      "chr1\ttest\tCDS\t4\t6\t.\t+\t0\ttranscript_id \"plus\"; gene_id \"g\";\n"
      "chr1\ttest\texon\t3\t6\t.\t+\t.\ttranscript_id \"plus\"; gene_id \"g\";\n"
      "chr1\ttest\texon\t3\t6\t.\t-\t.\ttranscript_id \"minus\"; gene_id \"h\";\n"
      "chr1\ttest\texon\t11\t15\t.\t-\t.\ttranscript_id \"minus\"; gene_id \"h\";\n"
      "chr1\ttest\tCDS\t11\t13\t.\t-\t2\ttranscript_id \"minus\"; gene_id \"h\";\n"
      "chr1\ttest\tCDS\t4\t6\t.\t-\t0\ttranscript_id \"minus\"; gene_id \"h\";\n";
  const TranscriptSet a = assemble(kToyGtf);
  const TranscriptSet b = assemble(reversed, {}, std::string(">chr1\n") + kChr1 + "\n", "b.gtf");
  ASSERT_EQ(b.transcripts.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.transcripts[i].exons, b.transcripts[i].exons);
    EXPECT_EQ(a.transcripts[i].sequence, b.transcripts[i].sequence);
    EXPECT_EQ(a.transcripts[i].exon_lengths, b.transcripts[i].exon_lengths);
    EXPECT_EQ(a.transcripts[i].cds_begin, b.transcripts[i].cds_begin);
    EXPECT_EQ(a.transcripts[i].cds_end, b.transcripts[i].cds_end);
  }
}

TEST_F(TranscriptsTest, KeepsFirstAppearanceOrderAndSingleExonTranscripts) {
  const TranscriptSet set = assemble(
      "chr1\ts\texon\t15\t20\t.\t-\t.\ttranscript_id \"z\"; gene_id \"g2\";\n"
      "chr1\ts\texon\t1\t4\t.\t+\t.\ttranscript_id \"a\"; gene_id \"g1\";\n"
      "chr1\ts\texon\t8\t9\t.\t+\t.\ttranscript_id \"m\"; gene_id \"g1\";\n"
      "chr1\ts\texon\t6\t6\t.\t+\t.\ttranscript_id \"a\"; gene_id \"g1\";\n");
  ASSERT_EQ(set.transcripts.size(), 3u);
  EXPECT_EQ(set.transcripts[0].id, "z");
  EXPECT_EQ(set.transcripts[0].sequence, "AATGCC");  // revcomp of GGCATT
  EXPECT_FALSE(set.transcripts[0].coding());
  EXPECT_EQ(set.transcripts[1].id, "a");
  EXPECT_EQ(set.transcripts[1].sequence, "AACCG");
  EXPECT_EQ(set.transcripts[1].exon_lengths, (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(set.transcripts[2].id, "m");
  EXPECT_EQ(seq::splice_track_positions(set.transcripts[2].exon_lengths, {}),
            (std::vector<int64_t>{1}));
}

// Acceptance check 2: a transcript of 12,287 nt is kept, one of 12,288 nt is dropped.
TEST_F(TranscriptsTest, LengthFilterAcceptanceCheck) {
  std::string chrom;
  for (int i = 0; i < 14000; ++i) chrom += "ACGGT"[(i * 7 + i / 5) % 5];
  const std::string single_exon =
      "chrL\ts\texon\t1\t12287\t.\t+\t.\ttranscript_id \"keep\";\n"
      "chrL\ts\texon\t1\t12288\t.\t+\t.\ttranscript_id \"drop\";\n";
  const std::string gtf = single_exon +
                          "chrL\ts\texon\t1\t6000\t.\t-\t.\ttranscript_id \"keep2\";\n"
                          "chrL\ts\texon\t7001\t13287\t.\t-\t.\ttranscript_id \"keep2\";\n"
                          "chrL\ts\texon\t1\t6000\t.\t-\t.\ttranscript_id \"drop2\";\n"
                          "chrL\ts\texon\t7001\t13288\t.\t-\t.\ttranscript_id \"drop2\";\n";
  const TranscriptSet set = assemble(gtf, {}, ">chrL\n" + chrom + "\n");
  ASSERT_EQ(set.transcripts.size(), 2u);
  EXPECT_EQ(set.transcripts[0].id, "keep");
  EXPECT_EQ(set.transcripts[0].length(), 12287);
  EXPECT_EQ(set.transcripts[1].id, "keep2");
  EXPECT_EQ(set.transcripts[1].length(), 12287);
  EXPECT_EQ(set.skipped.too_long.count, 2);
  EXPECT_EQ(set.skipped.too_long.example, "drop");
  EXPECT_EQ(set.skipped.total(), 2);
  EXPECT_EQ(set.skipped.summary(), "2 too_long (e.g. drop)");

  // The same through a transcript FASTA.
  std::string fasta =
      ">keep\n" + chrom.substr(0, 12287) + "\n>drop\n" + chrom.substr(0, 12288) + "\n";
  const TranscriptSet from_fasta =
      read_transcripts(write("t.fa", fasta), write("l.gtf", single_exon), {});
  ASSERT_EQ(from_fasta.transcripts.size(), 1u);
  EXPECT_EQ(from_fasta.transcripts[0].id, "keep");
  EXPECT_EQ(from_fasta.skipped.too_long.count, 1);

  TranscriptOptions options;
  options.max_length = 12287;
  options.min_length = 12287;
  EXPECT_EQ(assemble(gtf, options, ">chrL\n" + chrom + "\n").transcripts.size(), 0u);
  options.max_length = 20000;
  options.min_length = 12288;
  const TranscriptSet longer = assemble(gtf, options, ">chrL\n" + chrom + "\n");
  EXPECT_EQ(longer.transcripts.size(), 2u);
  EXPECT_EQ(longer.skipped.too_short.count, 2);
}

TEST_F(TranscriptsTest, Gff3GivesTheSameTranscriptsAsGtf) {
  const std::string gtf =
      "chr1\ts\texon\t11\t15\t.\t+\t.\tgene_id \"g:1\"; transcript_id \"tx;1\"; gene_name "
      "\"AB,C\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\tgene_id \"g:1\"; transcript_id \"tx;1\"; gene_name \"AB,C\";\n"
      "chr1\ts\tCDS\t4\t6\t.\t+\t0\tgene_id \"g:1\"; transcript_id \"tx;1\"; gene_name \"AB,C\";\n"
      "chr1\ts\tCDS\t11\t13\t.\t+\t2\tgene_id \"g:1\"; transcript_id \"tx;1\"; gene_name "
      "\"AB,C\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\tgene_id \"g:1\"; transcript_id \"tx2\"; gene_name \"AB,C\";\n"
      "chr1\ts\texon\t3\t6\t.\t-\t.\tgene_id \"h\"; transcript_id \"m=1\";\n"
      "chr1\ts\texon\t11\t15\t.\t-\t.\tgene_id \"h\"; transcript_id \"m=1\";\n"
      "chr1\ts\tCDS\t11\t13\t.\t-\t0\tgene_id \"h\"; transcript_id \"m=1\";\n"
      "chr1\ts\tstop_codon\t4\t6\t.\t-\t0\tgene_id \"h\"; transcript_id \"m=1\";\n";
  const std::string gff3 =
      "##gff-version 3\n"
      "chr1\ts\tgene\t3\t15\t.\t+\t.\tID=g%3A1;Name=AB%2CC\n"
      "chr1\ts\tmRNA\t3\t15\t.\t+\t.\tID=tx%3B1;Parent=g%3A1\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\tParent=tx%3B1\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\tParent=tx%3B1,tx2\n"  // shared by two isoforms
      "chr1\ts\tCDS\t4\t6\t.\t+\t0\tID=cds1;Parent=tx%3B1\n"
      "chr1\ts\tCDS\t11\t13\t.\t+\t2\tID=cds1;Parent=tx%3B1\n"
      "chr1\ts\tlnc_RNA\t3\t6\t.\t+\t.\tID=tx2;Parent=g%3A1\n"
      "chr1\ts\tgene\t3\t15\t.\t-\t.\tID=h\n"
      "chr1\ts\texon\t3\t6\t.\t-\t.\tParent=m%3D1\n"
      "chr1\ts\texon\t11\t15\t.\t-\t.\tParent=m%3D1\n"
      "chr1\ts\tCDS\t11\t13\t.\t-\t0\tParent=m%3D1\n"
      "chr1\ts\tstop_codon\t4\t6\t.\t-\t0\tParent=m%3D1\n"
      "chr1\ts\ttranscript\t3\t15\t.\t-\t.\tID=m%3D1;Parent=h\n";
  for (bool include_stop : {false, true}) {
    TranscriptOptions options;
    options.include_stop = include_stop;
    const std::string genome_text = std::string(">chr1\n") + kChr1 + "\n";
    const TranscriptSet a = assemble(gtf, options, genome_text, "x.gtf");
    const TranscriptSet b = assemble(gff3, options, genome_text, "x.gff3");
    ASSERT_EQ(a.transcripts.size(), 3u);
    ASSERT_EQ(b.transcripts.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      const Transcript& x = a.transcripts[i];
      const Transcript& y = b.transcripts[i];
      EXPECT_EQ(x.id, y.id);
      EXPECT_EQ(x.gene_id, y.gene_id);
      EXPECT_EQ(x.gene_name, y.gene_name);
      EXPECT_EQ(x.chrom, y.chrom);
      EXPECT_EQ(x.strand, y.strand);
      EXPECT_EQ(x.exons, y.exons);
      EXPECT_EQ(x.sequence, y.sequence);
      EXPECT_EQ(x.exon_lengths, y.exon_lengths);
      EXPECT_EQ(x.cds_begin, y.cds_begin);
      EXPECT_EQ(x.cds_end, y.cds_end);
    }
    EXPECT_EQ(b.transcripts[0].id, "tx;1");
    EXPECT_EQ(b.transcripts[0].gene_id, "g:1");
    EXPECT_EQ(b.transcripts[0].gene_name, "AB,C");
    EXPECT_EQ(b.transcripts[1].id, "tx2");
    EXPECT_EQ(b.transcripts[1].gene_id, "g:1");
    EXPECT_EQ(b.transcripts[2].id, "m=1");
    EXPECT_EQ(b.transcripts[2].gene_id, "h");
    // Minus strand, reading 14..10 then 5..2: CDS [10, 13) is transcript [2, 5), the stop codon
    // [3, 6) is transcript [5, 8).
    EXPECT_EQ(b.transcripts[2].cds_begin, 2);
    EXPECT_EQ(b.transcripts[2].cds_end, include_stop ? 8 : 5);
  }
}

TEST_F(TranscriptsTest, IncludeStopUsesStopCodonFeatures) {
  // Plus strand: CDS [2, 5) = transcript [0, 3); the stop codon is split by the intron:
  // [5, 6) + [10, 12) = transcript [3, 6).
  const std::string gtf =
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"p\";\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"p\";\n"
      "chr1\ts\tCDS\t3\t5\t.\t+\t0\ttranscript_id \"p\";\n"
      "chr1\ts\tstop_codon\t6\t6\t.\t+\t0\ttranscript_id \"p\";\n"
      "chr1\ts\tstop_codon\t11\t12\t.\t+\t2\ttranscript_id \"p\";\n"
      // Minus strand: transcript reads 14..10 then 5..2. CDS [12, 15) = transcript [0, 3);
      // stop [10, 12) + [5, 6) = transcript [3, 6).
      "chr1\ts\texon\t3\t6\t.\t-\t.\ttranscript_id \"m\";\n"
      "chr1\ts\texon\t11\t15\t.\t-\t.\ttranscript_id \"m\";\n"
      "chr1\ts\tCDS\t13\t15\t.\t-\t0\ttranscript_id \"m\";\n"
      "chr1\ts\tstop_codon\t11\t12\t.\t-\t0\ttranscript_id \"m\";\n"
      "chr1\ts\tstop_codon\t6\t6\t.\t-\t2\ttranscript_id \"m\";\n";
  const TranscriptSet excluded = assemble(gtf);
  TranscriptOptions options;
  options.include_stop = true;
  const TranscriptSet included = assemble(gtf, options);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(excluded.transcripts[i].cds_begin, 0) << i;
    EXPECT_EQ(excluded.transcripts[i].cds_end, 3) << i;
    EXPECT_EQ(included.transcripts[i].cds_begin, 0) << i;
    EXPECT_EQ(included.transcripts[i].cds_end, 6) << i;
    EXPECT_EQ(seq::codon_track_positions(included.transcripts[i].cds_begin,
                                         included.transcripts[i].cds_end),
              (std::vector<int64_t>{0, 3}));
  }
  EXPECT_EQ(included.transcripts[0].sequence.substr(3, 3), "GGA");
  EXPECT_EQ(included.transcripts[1].sequence.substr(3, 3), "TCC");
}

TEST_F(TranscriptsTest, IncludeStopWithoutStopCodonExtendsByThreeWithinTheTranscript) {
  const std::string gtf =
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"a\";\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"a\";\n"
      "chr1\ts\tCDS\t3\t5\t.\t+\t0\ttranscript_id \"a\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"b\";\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"b\";\n"
      "chr1\ts\tCDS\t12\t14\t.\t+\t0\ttranscript_id \"b\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"nc\";\n"
      "chr1\ts\tstop_codon\t4\t6\t.\t+\t0\ttranscript_id \"nc\";\n";
  TranscriptOptions options;
  options.include_stop = true;
  const TranscriptSet set = assemble(gtf, options);
  ASSERT_EQ(set.transcripts.size(), 3u);
  EXPECT_EQ(set.transcripts[0].cds_end, 6);
  EXPECT_EQ(set.transcripts[1].cds_begin, 5);
  EXPECT_EQ(set.transcripts[1].cds_end, 9);   // 8 + 3, clamped to the transcript's 9 nt
  EXPECT_FALSE(set.transcripts[2].coding());  // a stop codon alone makes no CDS
  EXPECT_EQ(set.transcripts[2].cds_end, -1);
}

TEST_F(TranscriptsTest, OverlappingExonsAreAnError) {
  expect_gtf_error(
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t6\t9\t.\t+\t.\ttranscript_id \"t\";\n",
      3, "exon 6-9 of transcript t overlaps its exon 3-6 (line 1)");
  expect_gtf_error(
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"u\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n",
      3, "overlaps");
  // Adjacent exons do not overlap.
  EXPECT_EQ(assemble("chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
                     "chr1\ts\texon\t7\t9\t.\t+\t.\ttranscript_id \"t\";\n")
                .transcripts[0]
                .sequence,
            "CCGGTTA");
}

TEST_F(TranscriptsTest, TranscriptOnTwoChromosomesOrStrandsIsAnError) {
  expect_gtf_error(
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"u\";\n"
      "chr2\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"t\";\n",
      3, "transcript t is on chr2 strand +, but the transcript's first feature (line 1)");
  expect_gtf_error(
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\tCDS\t4\t6\t.\t-\t0\ttranscript_id \"t\";\n",
      2, "strand -");
}

TEST_F(TranscriptsTest, CdsOutsideTheExonsIsAnError) {
  const std::string exons =
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t11\t15\t.\t+\t.\ttranscript_id \"t\";\n";
  expect_gtf_error(exons + "chr1\ts\tCDS\t7\t9\t.\t+\t0\ttranscript_id \"t\";\n", 3,
                   "CDS 7-9 of transcript t is not inside one of its exons");
  expect_gtf_error(exons + "chr1\ts\tCDS\t5\t12\t.\t+\t0\ttranscript_id \"t\";\n", 3, "CDS 5-12");
  expect_gtf_error(exons + "chr1\ts\tCDS\t4\t6\t.\t+\t0\ttranscript_id \"t\";\n" +
                       "chr1\ts\tstop_codon\t15\t17\t.\t+\t0\ttranscript_id \"t\";\n",
                   4, "stop_codon 15-17");
}

TEST_F(TranscriptsTest, ExonBeyondTheChromosomeIsAnError) {
  expect_gtf_error(
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chr1\ts\texon\t11\t21\t.\t+\t.\ttranscript_id \"t\";\n",
      2, "exon 11-21 of transcript t ends beyond chr1 (length 20", /*fasta_too=*/false);
}

TEST_F(TranscriptsTest, TranscriptOnAnUnknownChromosomeIsSkipped) {
  const TranscriptSet set = assemble(
      "chrX\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"x\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n"
      "chrX\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"y\";\n"
      // Only a CDS: no exon features to build the transcript from.
      "chr1\ts\tCDS\t3\t5\t.\t+\t0\ttranscript_id \"c\";\n");
  ASSERT_EQ(set.transcripts.size(), 1u);
  EXPECT_EQ(set.transcripts[0].id, "t");
  EXPECT_EQ(set.skipped.unknown_chrom.count, 2);
  EXPECT_EQ(set.skipped.no_exons.count, 1);
  EXPECT_EQ(set.skipped.summary(), "1 no_exons (e.g. c), 2 unknown_chrom (e.g. x)");

  auto g = genome(std::string(">chr1\n") + kChr1 + "\n");
  const std::string path = write("other.gtf", "1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"t\";\n");
  const InputError e = error_of([&] { assemble_transcripts(*g, path, {}); });
  EXPECT_EQ(e.file(), path);
  EXPECT_NE(std::string(e.what()).find("annotation: e.g. '1'; genome: e.g. 'chr1'"),
            std::string::npos)
      << e.what();
}

TEST_F(TranscriptsTest, AnnotationWithoutTranscriptsIsAnError) {
  auto g = genome(std::string(">chr1\n") + kChr1 + "\n");
  const std::string path = write("genes.gtf", "chr1\ts\tgene\t3\t6\t.\t+\t.\tgene_id \"g\";\n");
  const InputError e = error_of([&] { assemble_transcripts(*g, path, {}); });
  EXPECT_EQ(e.file(), path);
  EXPECT_NE(std::string(e.what()).find("no exon, CDS or stop_codon features"), std::string::npos);
}

TEST_F(TranscriptsTest, BadOptionsAreUsageErrors) {
  auto g = genome(std::string(">chr1\n") + kChr1 + "\n");
  const std::string path = write("a.gtf", kToyGtf);
  TranscriptOptions options;
  options.max_length = 0;
  EXPECT_THROW(assemble_transcripts(*g, path, options), UsageError);
}

// ---- transcript FASTA ----

TEST_F(TranscriptsTest, ReadsTranscriptFasta) {
  const std::string gtf = write("a.gtf", kToyGtf);
  // Lowercase and U are normalised; "extra" is not in the annotation.
  const std::string fasta =
      write("t.fa", ">extra\nACGT\n>minus desc\ncgauc\nCCGG\n>plus\nCCGGGAUCG\n");
  const TranscriptSet set = read_transcripts(fasta, gtf, {});
  ASSERT_EQ(set.transcripts.size(), 2u);
  EXPECT_EQ(set.transcripts[0].id, "plus");  // annotation order, not FASTA order
  EXPECT_EQ(set.transcripts[0].sequence, "CCGGGATCG");
  EXPECT_EQ(set.transcripts[0].cds_begin, 1);
  EXPECT_EQ(set.transcripts[0].cds_end, 7);
  EXPECT_EQ(set.transcripts[1].id, "minus");
  EXPECT_EQ(set.transcripts[1].sequence, "CGATCCCGG");
  EXPECT_EQ(set.transcripts[1].exon_lengths, (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(set.skipped.not_in_gtf.count, 1);
  EXPECT_EQ(set.skipped.not_in_gtf.example, "extra");
  EXPECT_EQ(set.skipped.summary(), "1 not_in_gtf (e.g. extra)");
}

TEST_F(TranscriptsTest, TranscriptsMissingFromTheFastaAreCounted) {
  const TranscriptSet set =
      read_transcripts(write("t.fa", ">plus\nCCGGGATCG\n"), write("a.gtf", kToyGtf), {});
  ASSERT_EQ(set.transcripts.size(), 1u);
  EXPECT_EQ(set.skipped.no_sequence.count, 1);
  EXPECT_EQ(set.skipped.no_sequence.example, "minus");
  const auto counts = set.skipped.counts();
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts[4], (std::pair<std::string, int64_t>{"no_sequence", 1}));
}

TEST_F(TranscriptsTest, FastaNamesMatchThroughGencodeHeadersAndVersions) {
  const std::string gtf =
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"ENST1.2\";\n"
      "chr1\ts\texon\t3\t6\t.\t+\t.\ttranscript_id \"ENST2\";\n";
  const TranscriptSet set = read_transcripts(
      write("t.fa",
            ">ENST1.2|ENSG1.1|-|-|ABC-201|ABC|4|protein_coding|\nCCGG\n>ENST2.7 cdna\nCCGG\n"),
      write("a.gtf", gtf), {});
  ASSERT_EQ(set.transcripts.size(), 2u);
  EXPECT_EQ(set.skipped.total(), 0);
}

TEST_F(TranscriptsTest, FastaLengthMismatchIsAnError) {
  const std::string gtf = write("a.gtf", kToyGtf);
  const std::string fasta = write("t.fa", ">plus\nCCGGGATCG\n>minus\nCGATCCCG\n");
  const InputError e = error_of([&] { read_transcripts(fasta, gtf, {}); });
  EXPECT_EQ(e.file(), fasta);
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find(fasta +
                                       ":3: sequence minus is 8 nt, but the exons of "
                                       "transcript minus in " +
                                       gtf + " (line 5) add up to 9 nt"),
            std::string::npos)
      << e.what();
}

TEST_F(TranscriptsTest, DuplicateFastaRecordIsAnError) {
  const std::string fasta = write("t.fa", ">plus\nCCGGGATCG\n>x\nA\n>plus\nCCGGGATCG\n");
  const InputError e = error_of([&] { read_transcripts(fasta, write("a.gtf", kToyGtf), {}); });
  EXPECT_EQ(e.file(), fasta);
  EXPECT_EQ(e.line(), 5);
  EXPECT_NE(std::string(e.what()).find("second record for transcript plus (first at line 1)"),
            std::string::npos);
}

TEST_F(TranscriptsTest, NoMatchingIdsIsAnError) {
  const std::string fasta = write("t.fa", ">NM_0001\nACGT\n>NM_0002\nACGT\n");
  const InputError e = error_of([&] { read_transcripts(fasta, write("a.gtf", kToyGtf), {}); });
  EXPECT_EQ(e.file(), fasta);
  const std::string what = e.what();
  EXPECT_NE(what.find("FASTA: e.g. 'NM_0001'; annotation: e.g. 'plus'"), std::string::npos) << what;
  EXPECT_NE(what.find("transcript ids do not match"), std::string::npos);
}

// ---- real data ----

// IsoformSwitchAnalyzeR's example data set (Cufflinks transcripts of human chr1): copy
// extdata/example.gtf.gz and extdata/example_isoform_nt.fasta.gz into data/isoforms/.
TEST(TranscriptRealData, IsoformSwitchAnalyzeRExample) {
  const std::string dir = std::string(HELIX_SOURCE_DIR) + "/data/isoforms/";
  const std::string gtf = dir + "example.gtf.gz";
  const std::string fasta = dir + "example_isoform_nt.fasta.gz";
  if (!std::filesystem::exists(gtf) || !std::filesystem::exists(fasta)) {
    GTEST_SKIP() << "needs " << gtf << " and " << fasta
                 << " (IsoformSwitchAnalyzeR's extdata/example.gtf.gz and "
                    "example_isoform_nt.fasta.gz)";
  }
  int64_t records = 0;
  {
    io::FastaReader reader(fasta);
    io::FastaRecord record;
    while (reader.next(record)) ++records;
  }
  EXPECT_EQ(records, 1092);

  // Every FASTA record matches an annotated transcript of the same length.
  TranscriptOptions unlimited;
  unlimited.max_length = int64_t{1} << 40;
  const TranscriptSet all = read_transcripts(fasta, gtf, unlimited);
  EXPECT_EQ(all.transcripts.size(), 1092u);
  EXPECT_EQ(all.skipped.total(), 0) << all.skipped.summary();
  std::map<std::string, int> isoforms;
  for (const Transcript& t : all.transcripts) ++isoforms[t.gene_id];
  int64_t genes_with_isoforms = 0;
  for (const auto& [gene, n] : isoforms) genes_with_isoforms += n >= 2;
  // As the package documents: 375 genes, 234 of them with at least 2 isoforms.
  EXPECT_EQ(isoforms.size(), 375u);
  EXPECT_EQ(genes_with_isoforms, 234);

  const TranscriptSet set = read_transcripts(fasta, gtf, {});
  std::map<std::string, int> kept_isoforms;
  int64_t coding = 0, atg = 0, stop_after = 0, stop_inside = 0, minus = 0, multi_exon = 0;
  for (const Transcript& t : set.transcripts) {
    ++kept_isoforms[t.gene_id];
    minus += t.strand == '-';
    multi_exon += t.exon_lengths.size() > 1;
    ASSERT_LT(t.length(), 12288) << t.id;
    if (!t.coding()) continue;
    ++coding;
    ASSERT_GE(t.cds_begin, 0) << t.id;
    ASSERT_LE(t.cds_begin, t.cds_end) << t.id;
    ASSERT_LE(t.cds_end, t.length()) << t.id;
    for (int64_t p : seq::codon_track_positions(t.cds_begin, t.cds_end)) {
      ASSERT_LT(p, t.length()) << t.id;
    }
    atg += t.sequence.compare(t.cds_begin, 3, "ATG") == 0;
    auto is_stop = [&](int64_t p) {
      if (p < 0 || p + 3 > t.length()) return false;
      const std::string c = t.sequence.substr(p, 3);
      return c == "TAA" || c == "TAG" || c == "TGA";
    };
    stop_after += is_stop(t.cds_end);
    stop_inside += is_stop(t.cds_end - 3);
    const auto tracks =
        seq::rna_track_tensor(t.sequence, t.cds_begin, t.cds_end, t.exon_lengths, {}, 6);
    ASSERT_EQ(tracks.size(1), t.length());
  }
  int64_t kept_genes_with_isoforms = 0;
  for (const auto& [gene, n] : kept_isoforms) kept_genes_with_isoforms += n >= 2;
  std::cout << "[ real data ] " << set.transcripts.size() << " transcripts kept (skipped "
            << set.skipped.summary() << "), genes " << kept_isoforms.size()
            << ", genes with >=2 isoforms " << kept_genes_with_isoforms << ", minus strand "
            << minus << ", multi-exon " << multi_exon << ", coding " << coding
            << ", ATG at cds_begin " << atg << ", stop codon right after cds_end " << stop_after
            << ", stop codon ending at cds_end " << stop_inside << "\n";

  // Measured: 6 transcripts reach 12,288 nt; 1,072 of the 1,086 kept are coding.
  EXPECT_EQ(set.transcripts.size(), 1086u);
  EXPECT_EQ(set.skipped.too_long.count, 6);
  EXPECT_EQ(set.skipped.total(), 6);
  EXPECT_EQ(coding, 1072);
  // Every coding transcript starts with ATG (measured 1072/1072), and the CDS excludes the stop
  // codon as GTF CDS features do (a stop codon follows cds_end in 1021/1072; none ends at it).
  EXPECT_GE(atg, coding * 99 / 100);
  EXPECT_GE(stop_after, coding * 9 / 10);
  EXPECT_EQ(stop_inside, 0);
}

}  // namespace
}  // namespace helix::data
