#include "helix/io/fasta.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../input_error.hpp"
#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;

class FastaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("helix_fasta_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // mode "w": bgzip; "wg": plain gzip.
  std::string write_compressed(const std::string& name, const std::string& text, const char* mode) {
    return helix::test::write_compressed_file((dir_ / name).string(), text, mode);
  }

  std::vector<FastaRecord> read_all(const std::string& path) {
    FastaReader reader(path);
    std::vector<FastaRecord> records;
    FastaRecord record;
    while (reader.next(record)) records.push_back(record);
    EXPECT_FALSE(reader.next(record));  // stays at end
    return records;
  }

  // The InputError thrown by reading the whole file (fails the test if none is thrown).
  InputError read_error(const std::string& path) {
    return helix::test::input_error_of([&] { read_all(path); }, path);
  }

  fs::path dir_;
};

const char* const kMulti =
    ">chr1 first sequence\r\n"
    "ACGTacgtNN\r\n"
    "NNRYKM\n"
    ">chr2\n"
    "swbdhvu\n"
    "\n"
    "GATTACA \n"
    ">empty\n"
    ">  chr3   desc with  spaces \t\n"
    "ACGT";

void expect_multi(const std::vector<FastaRecord>& records) {
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].name, "chr1");
  EXPECT_EQ(records[0].description, "first sequence");
  EXPECT_EQ(records[0].sequence, "ACGTacgtNNNNRYKM");
  EXPECT_EQ(records[0].header_line, 1);
  EXPECT_EQ(records[1].name, "chr2");
  EXPECT_EQ(records[1].description, "");
  EXPECT_EQ(records[1].sequence, "swbdhvuGATTACA");
  EXPECT_EQ(records[1].header_line, 4);
  EXPECT_EQ(records[2].name, "empty");
  EXPECT_EQ(records[2].sequence, "");
  EXPECT_EQ(records[2].header_line, 8);
  EXPECT_EQ(records[3].name, "chr3");
  EXPECT_EQ(records[3].description, "desc with  spaces");
  EXPECT_EQ(records[3].sequence, "ACGT");
  EXPECT_EQ(records[3].header_line, 9);
}

TEST(NucleotideCode, AcceptsIupacInEitherCase) {
  for (char c : std::string("ACGTUNRYKMSWBDHVacgtunrykmswbdhv")) {
    EXPECT_TRUE(is_nucleotide_code(c)) << c;
  }
  for (char c : std::string("EFIJLOPQXZefijlopqxz-*.0 \t>\r")) {
    EXPECT_FALSE(is_nucleotide_code(c)) << c;
  }
  EXPECT_FALSE(is_nucleotide_code('\0'));
  EXPECT_FALSE(is_nucleotide_code(static_cast<char>(0xC1)));
}

TEST_F(FastaTest, ReadsPlainMultiRecordFile) { expect_multi(read_all(write("a.fa", kMulti))); }

TEST_F(FastaTest, ReadsGzipAndBgzip) {
  expect_multi(read_all(write_compressed("a.fa.gz", kMulti, "wg")));
  expect_multi(read_all(write_compressed("b.fa.gz", kMulti, "w")));
}

TEST_F(FastaTest, SkipsBlankLinesBeforeFirstHeader) {
  const auto records = read_all(write("a.fa", "\n  \n>x\nAC\n"));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sequence, "AC");
  EXPECT_EQ(records[0].header_line, 3);
}

TEST_F(FastaTest, EmptyFileHasNoRecords) { EXPECT_TRUE(read_all(write("e.fa", "")).empty()); }

TEST_F(FastaTest, InvalidCharacterReportsExactLine) {
  const std::string path = write("bad.fa", ">a\nACGT\n>b seq\nACGT\nACXT\n");
  const InputError e = read_error(path);
  EXPECT_EQ(e.file(), path);
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(std::string(e.what()),
            path +
                ":5: invalid character 'X' in sequence b (expected a nucleotide code: ACGTUN or "
                "IUPAC ambiguity letters)");
}

TEST_F(FastaTest, InvalidCharacterInGzipReportsLine) {
  const InputError e = read_error(write_compressed("bad.fa.gz", ">a\nAC\nA-\n", "wg"));
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("invalid character '-' in sequence a"), std::string::npos);
}

TEST_F(FastaTest, TextBeforeFirstHeaderIsAnError) {
  EXPECT_EQ(read_error(write("a.fa", "ACGT\n>a\nAC\n")).line(), 1);
  const InputError e = read_error(write("b.fa", "\n\nsome notes\n>a\nAC\n"));
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("'>'"), std::string::npos);
}

TEST_F(FastaTest, HeaderWithoutNameIsAnError) {
  EXPECT_EQ(read_error(write("a.fa", ">a\nAC\n>  \nAC\n")).line(), 3);
}

// Many records, so that the compressed stream is longer than a few bytes of trailer.
std::string big_fasta() {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += ">seq" + std::to_string(i) + "\n";
    for (int j = 0; j < 5; ++j) text += std::string("ACGTTGCAAGGCTTAC").substr(j, 11) + "\n";
  }
  return text;
}

TEST_F(FastaTest, TruncatedGzipIsAnError) {
  const std::string path = write_compressed("t.fa.gz", big_fasta(), "wg");
  ASSERT_EQ(read_all(path).size(), 200u);
  fs::resize_file(path, fs::file_size(path) - 10);
  const InputError e = read_error(path);
  EXPECT_EQ(e.file(), path);
  EXPECT_NE(std::string(e.what()).find("truncated or corrupt compressed data"), std::string::npos);
}

TEST_F(FastaTest, TruncatedBgzipIsAnError) {
  // 10 bytes: the end-of-file block is damaged; 28: it is gone, the data blocks are intact;
  // 40: a data block is cut.
  for (int chop : {10, 28, 40}) {
    const std::string path =
        write_compressed("t" + std::to_string(chop) + ".fa.gz", big_fasta(), "w");
    fs::resize_file(path, fs::file_size(path) - chop);
    const InputError e = read_error(path);
    EXPECT_EQ(e.file(), path) << chop;
    EXPECT_NE(std::string(e.what()).find("truncated or corrupt compressed data"), std::string::npos)
        << chop << ": " << e.what();
  }
}

TEST_F(FastaTest, CorruptGzipIsAnError) {
  const std::string path = write_compressed("c.fa.gz", big_fasta(), "wg");
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
  }
  EXPECT_NE(std::string(read_error(path).what()).find("truncated or corrupt compressed data"),
            std::string::npos);
}

TEST_F(FastaTest, MissingFileOrDirectory) {
  const std::string missing = (dir_ / "missing.fa").string();
  try {
    FastaReader reader(missing);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": no such file");
    EXPECT_EQ(e.line(), 0);
  }
  EXPECT_THROW(FastaReader(dir_.string()), InputError);
}

}  // namespace
}  // namespace helix::io
