#include "helix/io/gtf.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <string>
#include <vector>

#include "../input_error.hpp"
#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

class GtfTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  std::string write_gzip(const std::string& name, const std::string& text) {
    return test::write_compressed_file((dir_ / name).string(), text, "wg");
  }
  // The InputError of reading `path` (fails the test if none is thrown).
  InputError read_error(const std::string& path,
                        AnnotationFormat format = AnnotationFormat::kAuto) {
    return test::input_error_of([&] { read_annotation(path, format); }, path);
  }
  // Checks that the error names the file and the line, in the message too.
  void expect_error_at(const std::string& name, const std::string& text, int64_t line,
                       const std::string& fragment) {
    const std::string path = write(name, text);
    const InputError e = read_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line);
    const std::string what = e.what();
    EXPECT_NE(what.find(path + ":" + std::to_string(line) + ": "), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }

  test::TempDir dir_{"helix_gtf_test"};
};

const char* const kGtf =
    "#!genome-build test\n"
    "##description: comments and directives are skipped\n"
    "\n"
    "chr1\ttest\tgene\t1\t100\t.\t+\t.\tgene_id \"g1\"; gene_name \"ABC\";\n"
    "chr1\ttest\ttranscript\t3\t15\t.\t+\t.\tgene_id \"g1\"; transcript_id \"t1\";\n"
    "chr1\ttest\texon\t3\t6\t.\t+\t.\tgene_id \"g1\"; transcript_id \"t1\"; gene_name \"ABC\";\r\n"
    "chr1\ttest\tCDS\t4\t6\t.\t+\t0\tgene_id \"g1\"; transcript_id \"t1\"\n"
    "chr1\ttest\tstart_codon\t4\t6\t.\t+\t0\tgene_id \"g1\"; transcript_id \"t1\";\n"
    "chr1\ttest\tstop_codon\t14\t16\t.\t+\t0\ttranscript_id \"t1\"; gene_id \"g1\";\n"
    "  # an indented comment\n"
    "chr2\ttest\texon\t11\t15\t.\t-\t.\tgene_id g2 ; transcript_id t2\n"
    "chr2\ttest\texon\t1\t1\t.\t-\t.\ttranscript_id \"t;3 x\"; gene_id \"g \\\"2\\\"\"; "
    "note \"a; b\"\n";

void expect_gtf_features(const std::vector<AnnotationFeature>& f) {
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].type, FeatureType::kExon);
  EXPECT_EQ(f[0].chrom, "chr1");
  EXPECT_EQ(f[0].start, 2);  // 1-based closed [3, 6] -> 0-based half-open [2, 6)
  EXPECT_EQ(f[0].end, 6);
  EXPECT_EQ(f[0].strand, '+');
  EXPECT_EQ(f[0].transcript_id, "t1");
  EXPECT_EQ(f[0].gene_id, "g1");
  EXPECT_EQ(f[0].gene_name, "ABC");
  EXPECT_EQ(f[0].line, 6);
  EXPECT_EQ(f[1].type, FeatureType::kCds);
  EXPECT_EQ(f[1].start, 3);
  EXPECT_EQ(f[1].end, 6);
  EXPECT_EQ(f[1].transcript_id, "t1");  // no trailing ';'
  EXPECT_EQ(f[1].gene_id, "g1");
  EXPECT_EQ(f[1].gene_name, "");
  EXPECT_EQ(f[1].line, 7);
  EXPECT_EQ(f[2].type, FeatureType::kStopCodon);
  EXPECT_EQ(f[2].start, 13);
  EXPECT_EQ(f[2].end, 16);
  EXPECT_EQ(f[2].line, 9);
  EXPECT_EQ(f[3].chrom, "chr2");
  EXPECT_EQ(f[3].strand, '-');
  EXPECT_EQ(f[3].transcript_id, "t2");  // unquoted values
  EXPECT_EQ(f[3].gene_id, "g2");
  EXPECT_EQ(f[3].line, 11);
  EXPECT_EQ(f[4].start, 0);
  EXPECT_EQ(f[4].end, 1);
  EXPECT_EQ(f[4].transcript_id, "t;3 x");  // blanks and ';' inside quotes
  EXPECT_EQ(f[4].gene_id, "g \"2\"");      // escaped quotes
}

TEST_F(GtfTest, ReadsGtfFeatures) {
  const std::string path = write("a.gtf", kGtf);
  EXPECT_EQ(detect_annotation_format(path), AnnotationFormat::kGtf);
  expect_gtf_features(read_annotation(path));
}

TEST_F(GtfTest, ReadsGzipGtf) {
  expect_gtf_features(read_annotation(write_gzip("a.gtf.gz", kGtf)));
}

TEST_F(GtfTest, FirstOccurrenceOfAKeyWins) {
  const auto f =
      read_annotation(write("a.gtf",
                            "c\ts\texon\t1\t2\t.\t+\t.\ttranscript_id \"a\"; transcript_id \"b\"; "
                            "tag \"x\"; tag \"y\";\n"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].transcript_id, "a");
}

TEST_F(GtfTest, EmptyFileHasNoFeatures) {
  EXPECT_TRUE(read_annotation(write("e.gtf", "")).empty());
  EXPECT_TRUE(read_annotation(write("c.gff3", "##gff-version 3\n# nothing\n")).empty());
}

const char* const kGff3 =
    "##gff-version 3\n"
    "##sequence-region chr1 1 100\n"
    "chr1\ttest\tgene\t1\t100\t.\t+\t.\tID=gene%3A1;Name=AB%2CC;gene_id=g1\n"
    "chr1\ttest\tmRNA\t3\t15\t.\t+\t.\tID=tx1;Parent=gene%3A1;transcript_id=t%3B1\n"
    // A child before its parent, and an exon shared by two transcripts.
    "chr1\ttest\texon\t3\t6\t.\t+\t.\tID=e1;Parent=tx1,tx%2C2\r\n"
    "chr1\ttest\tlnc_RNA\t3\t6\t.\t+\t.\tID=tx%2C2;Parent=gene%3A1\n"
    "chr1\ttest\tCDS\t4\t6\t.\t+\t0\tID=cds1;Parent=tx1\n"
    "chr1\ttest\tfive_prime_UTR\t3\t3\t.\t+\t.\tParent=tx1\n"
    // Orphans: a Parent that is not in the file keeps its id and the feature's own gene keys.
    "chr%3B2\ttest\texon\t1\t5\t.\t-\t.\tParent=lost;gene_id=g9;gene_name=N9\n"
    "###\n"
    "##FASTA\n"
    ">chr1\n"
    "ACGT\n";

TEST_F(GtfTest, ReadsGff3WithParentsAndPercentEncoding) {
  const std::string path = write("a.gff", kGff3);
  EXPECT_EQ(detect_annotation_format(path), AnnotationFormat::kGff3);
  const auto f = read_annotation(path);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].transcript_id, "t;1");  // the parent's transcript_id attribute
  EXPECT_EQ(f[0].gene_id, "g1");
  EXPECT_EQ(f[0].gene_name, "AB,C");
  EXPECT_EQ(f[0].start, 2);
  EXPECT_EQ(f[0].end, 6);
  EXPECT_EQ(f[0].line, 5);
  EXPECT_EQ(f[1].transcript_id, "tx,2");  // the parent's ID, decoded after splitting on ','
  EXPECT_EQ(f[1].gene_id, "g1");
  EXPECT_EQ(f[1].line, 5);
  EXPECT_EQ(f[2].type, FeatureType::kCds);
  EXPECT_EQ(f[2].transcript_id, "t;1");
  EXPECT_EQ(f[2].line, 7);
  EXPECT_EQ(f[3].chrom, "chr;2");
  EXPECT_EQ(f[3].transcript_id, "lost");
  EXPECT_EQ(f[3].gene_id, "g9");
  EXPECT_EQ(f[3].gene_name, "N9");
  EXPECT_EQ(f[3].strand, '-');
  EXPECT_EQ(f[3].start, 0);
  EXPECT_EQ(f[3].end, 5);
}

TEST_F(GtfTest, Gff3GeneWithoutGeneIdUsesItsId) {
  const auto f = read_annotation(
      write("b.gff3",
            "c\ts\tgene\t1\t9\t.\t+\t.\tID=G1;Name=Foo\n"
            "c\ts\ttranscript\t1\t9\t.\t+\t.\tID=T1;Parent=G1\n"
            "c\ts\texon\t1\t9\t.\t+\t.\tParent=T1\n"
            // CDS directly under a gene (single-isoform annotations): the gene is the transcript.
            "c\ts\tCDS\t1\t9\t.\t+\t0\tParent=G1\n"));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].transcript_id, "T1");
  EXPECT_EQ(f[0].gene_id, "G1");
  EXPECT_EQ(f[0].gene_name, "Foo");
  EXPECT_EQ(f[1].transcript_id, "G1");
  EXPECT_EQ(f[1].gene_id, "G1");
  EXPECT_EQ(f[1].gene_name, "Foo");
}

TEST_F(GtfTest, DetectsFormatByExtensionHeaderAndContent) {
  const std::string gtf_line = "c\ts\texon\t1\t2\t.\t+\t.\ttranscript_id \"t\";\n";
  const std::string gff_line = "c\ts\texon\t1\t2\t.\t+\t.\tParent=t\n";
  EXPECT_EQ(detect_annotation_format(write("a.GTF", gff_line)), AnnotationFormat::kGtf);
  EXPECT_EQ(detect_annotation_format(write("a.gff3", gtf_line)), AnnotationFormat::kGff3);
  EXPECT_EQ(detect_annotation_format(write_gzip("b.gff3.gz", gtf_line)), AnnotationFormat::kGff3);
  EXPECT_EQ(detect_annotation_format(write_gzip("b.gtf.gz", gff_line)), AnnotationFormat::kGtf);
  EXPECT_EQ(detect_annotation_format(write("c.gff", "##gff-version 3\n" + gtf_line)),
            AnnotationFormat::kGff3);
  EXPECT_EQ(detect_annotation_format(write("d.gff", "#c\n" + gff_line)), AnnotationFormat::kGff3);
  EXPECT_EQ(detect_annotation_format(write("e.txt", gtf_line)), AnnotationFormat::kGtf);
  EXPECT_EQ(detect_annotation_format(write_gzip("f.gz", gff_line)), AnnotationFormat::kGff3);
  EXPECT_EQ(detect_annotation_format(write("g.gff", "##gff-version 2\n" + gtf_line)),
            AnnotationFormat::kGtf);
  // An explicit format wins over the content.
  EXPECT_EQ(read_annotation(write("h.txt", gtf_line), AnnotationFormat::kGtf)[0].transcript_id,
            "t");
  EXPECT_EQ(annotation_format_name(AnnotationFormat::kGff3), "gff3");
}

TEST_F(GtfTest, MissingFileIsAnInputError) {
  const std::string path = (dir_ / "missing.gtf").string();
  const InputError e = read_error(path);
  EXPECT_EQ(e.file(), path);
  EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos);
}

const char* const kGood = "c\ts\texon\t1\t10\t.\t+\t.\ttranscript_id \"t\";\n";

TEST_F(GtfTest, WrongFieldCountIsAnError) {
  expect_error_at("a.gtf", std::string(kGood) + "c\ts\texon\t1\t10\t.\t+\ttranscript_id \"t\";\n",
                  2, "expected 9 tab-separated fields");
  expect_error_at("b.gtf", std::string(kGood) + "#x\nc\ts\texon\t1\t10\t.\t+\t.\tx\textra\n", 3,
                  "found 10");
  expect_error_at("c.gtf", "c s exon 1 10 . + . transcript_id \"t\";\n", 1,
                  "found 1 (columns must be separated by tabs");
  // Also on lines whose feature is not kept: a damaged file is reported where it is damaged.
  expect_error_at("d.gtf", std::string(kGood) + "c\ts\tgene\t1\t10\n", 2, "found 5");
}

TEST_F(GtfTest, BadCoordinatesAreErrors) {
  expect_error_at("a.gtf", "c\ts\texon\tten\t20\t.\t+\t.\ttranscript_id \"t\";\n", 1,
                  "start 'ten' is not an integer");
  expect_error_at("b.gtf", std::string(kGood) + "c\ts\texon\t5\t2x\t.\t+\t.\ttranscript_id t\n", 2,
                  "end '2x' is not an integer");
  expect_error_at("c.gtf", std::string(kGood) + "c\ts\tgene\t20\t10\t.\t+\t.\tgene_id g\n", 2,
                  "start 20 is greater than end 10");
  expect_error_at("d.gtf", "c\ts\texon\t0\t10\t.\t+\t.\ttranscript_id \"t\";\n", 1, "1-based");
  expect_error_at("e.gtf", "\ts\texon\t1\t10\t.\t+\t.\ttranscript_id \"t\";\n", 1,
                  "empty sequence name");
}

TEST_F(GtfTest, StrandOfATranscriptFeatureMustBePlusOrMinus) {
  expect_error_at("a.gtf", std::string(kGood) + "c\ts\texon\t1\t10\t.\t.\t.\ttranscript_id t\n", 2,
                  "strand '.' on exon feature");
  expect_error_at("b.gff3", "c\ts\tCDS\t1\t9\t.\t?\t0\tParent=t\n", 1, "strand '?'");
  // Features that are not kept may have any strand.
  EXPECT_EQ(read_annotation(
                write("c.gtf", std::string(kGood) + "c\ts\tgene\t1\t10\t.\t.\t.\tgene_id g\n"))
                .size(),
            1u);
}

TEST_F(GtfTest, TranscriptFeatureWithoutTranscriptIsAnError) {
  expect_error_at("a.gtf", std::string(kGood) + "c\ts\tCDS\t1\t9\t.\t+\t0\tgene_id \"g\";\n", 2,
                  "CDS feature without a transcript_id attribute");
  expect_error_at("b.gtf", "c\ts\texon\t1\t9\t.\t+\t.\tID=e1;Parent=t1\n", 1, "look like GFF3");
  expect_error_at("c.gff3", "c\ts\texon\t1\t9\t.\t+\t.\tID=e1;transcript_id=t1\n", 1,
                  "exon feature without a Parent attribute");
  // Features that are not kept need no transcript.
  EXPECT_TRUE(
      read_annotation(write("d.gtf", "c\ts\tgene\t1\t9\t.\t+\t.\tgene_id \"g\";\n")).empty());
}

TEST_F(GtfTest, MalformedAttributesAreErrors) {
  expect_error_at("a.gtf", std::string(kGood) + "c\ts\texon\t1\t9\t.\t+\t.\ttranscript_id \"t;\n",
                  2, "unterminated quoted value of attribute 'transcript_id'");
  expect_error_at("b.gff3", "c\ts\texon\t1\t9\t.\t+\t.\tParent=t;transcript_id \"t\"\n", 1,
                  "has no '='");
}

}  // namespace
}  // namespace helix::io
