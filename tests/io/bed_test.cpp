#include "helix/io/bed.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;

class BedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("helix_bed_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text) {
    const std::string path = (dir_ / ("f" + std::to_string(files_++) + ".bed")).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // The InputError message and line for a file expected to be rejected.
  std::pair<std::string, int64_t> error_of(const std::string& text) {
    const std::string path = write(text);
    try {
      read_bed(path);
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), path);
      return {e.what(), e.line()};
    }
    return {"(no InputError)", -1};
  }

  fs::path dir_;
  int files_ = 0;
};

TEST_F(BedTest, ReadsBed3AndNamesSkippingHeaders) {
  const auto intervals =
      read_bed(write("browser position chr1:1-100\n"
                     "track name=peaks\n"
                     "# comment\n"
                     "\n"
                     "chr1\t10\t20\n"
                     "chr2\t0\t5\tpeak one\t900\t+\r\n"
                     "chr3   7  7   p3\n"
                     "trackless\t1\t2\n"));
  ASSERT_EQ(intervals.size(), 4u);
  EXPECT_EQ(intervals[0].chrom, "chr1");
  EXPECT_EQ(intervals[0].start, 10);
  EXPECT_EQ(intervals[0].end, 20);
  EXPECT_EQ(intervals[0].name, "");
  EXPECT_EQ(intervals[1].chrom, "chr2");
  EXPECT_EQ(intervals[1].start, 0);
  EXPECT_EQ(intervals[1].end, 5);
  EXPECT_EQ(intervals[1].name, "peak one");  // tab-separated: spaces stay in the name
  EXPECT_EQ(intervals[2].chrom, "chr3");
  EXPECT_EQ(intervals[2].start, 7);
  EXPECT_EQ(intervals[2].end, 7);
  EXPECT_EQ(intervals[2].name, "p3");
  EXPECT_EQ(intervals[3].chrom, "trackless");
}

TEST_F(BedTest, ReadsGzip) {
  const std::string path =
      helix::test::write_compressed_file((dir_ / "a.bed.gz").string(), "chrX\t100\t250\tx\n", "wg");
  const auto intervals = read_bed(path);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(intervals[0].chrom, "chrX");
  EXPECT_EQ(intervals[0].start, 100);
  EXPECT_EQ(intervals[0].end, 250);
  EXPECT_EQ(intervals[0].name, "x");
}

TEST_F(BedTest, EmptyFileHasNoIntervals) { EXPECT_TRUE(read_bed(write("# only\n")).empty()); }

TEST_F(BedTest, ErrorsNameTheLine) {
  auto [few, few_line] = error_of("chr1\t1\t2\nchr1\t5\n");
  EXPECT_EQ(few_line, 2);
  EXPECT_NE(few.find("expected at least 3 fields (chrom, start, end), found 2"), std::string::npos);

  auto [text, text_line] = error_of("# x\nchr1\tabc\t2\n");
  EXPECT_EQ(text_line, 2);
  EXPECT_NE(text.find("start 'abc' is not an integer"), std::string::npos);

  EXPECT_EQ(error_of("chr1\t1\t2.5\n").second, 1);
  EXPECT_EQ(error_of("chr1\t1x\t2\n").second, 1);

  auto [negative, negative_line] = error_of("chr1 1 2\nchr1 -3 2\n");
  EXPECT_EQ(negative_line, 2);
  EXPECT_NE(negative.find("start -3 is negative"), std::string::npos);

  auto [order, order_line] = error_of("chr1\t9\t3\n");
  EXPECT_EQ(order_line, 1);
  EXPECT_NE(order.find("start 9 is greater than end 3"), std::string::npos);
}

TEST_F(BedTest, MissingFile) {
  const std::string path = (dir_ / "none.bed").string();
  try {
    read_bed(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": no such file");
  }
}

}  // namespace
}  // namespace helix::io
