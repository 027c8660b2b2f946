#include "helix/io/text_lines.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>

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

class TextLinesTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  // Through htslib, as the reader reads it back; mode "w": bgzip, "wg": plain gzip.
  std::string write_compressed(const std::string& name, const std::string& text, const char* mode) {
    return test::write_compressed_file((dir_ / name).string(), text, mode);
  }

  // Every line with its number, as the reader reports them.
  static std::vector<std::pair<int64_t, std::string>> read_all(const std::string& path) {
    TextLineReader reader(path);
    EXPECT_EQ(reader.path(), path);
    EXPECT_EQ(reader.line_number(), 0);
    std::vector<std::pair<int64_t, std::string>> lines;
    std::string_view line;
    while (reader.next(line)) lines.emplace_back(reader.line_number(), std::string(line));
    return lines;
  }

  static InputError error_of(const std::string& path) {
    return test::input_error_of([&] { read_all(path); }, path);
  }

  static std::string many_lines() {
    std::string text;
    // Varied enough that half the compressed stream holds more than one 64 KiB output block.
    for (int i = 0; i < 100000; ++i) text += "line " + std::to_string(i * 7919 % 100003) + "\n";
    return text;
  }

  test::TempDir dir_{"helix_text_lines_test"};
};

TEST_F(TextLinesTest, LinesWithoutTerminatorsAndNumbered) {
  const std::string text = "a\r\n\nb c\nlast";
  const std::vector<std::pair<int64_t, std::string>> expected = {
      {1, "a"}, {2, ""}, {3, "b c"}, {4, "last"}};
  EXPECT_EQ(read_all(write("plain.txt", text)), expected);
  EXPECT_EQ(read_all(write_compressed("bgzip.txt.gz", text, "w")), expected);
  EXPECT_EQ(read_all(write_compressed("gzip.txt.gz", text, "wg")), expected);
  EXPECT_TRUE(read_all(write("empty.txt", "")).empty());
}

TEST_F(TextLinesTest, MissingFileOrDirectory) {
  const std::string missing = (dir_ / "missing.txt").string();
  InputError e = error_of(missing);
  EXPECT_EQ(std::string(e.what()), missing + ": no such file");
  EXPECT_EQ(e.line(), 0);
  e = error_of(dir_.path().string());
  EXPECT_EQ(std::string(e.what()), dir_.path().string() + ": is a directory, expected a file");
}

TEST_F(TextLinesTest, BgzipWithoutEndMarkerIsRejectedUpFront) {
  const std::string path = write_compressed("cut.txt.gz", many_lines(), "w");
  fs::resize_file(path, fs::file_size(path) - 28);  // just the 28-byte end-of-file block
  try {
    TextLineReader reader(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": truncated or corrupt compressed data (bgzip end-of-file marker missing)");
  }
}

TEST_F(TextLinesTest, TruncatedGzipNamesTheLastGoodLine) {
  const std::string path = write_compressed("cut.txt.gz", many_lines(), "wg");
  fs::resize_file(path, fs::file_size(path) / 2);
  const InputError e = error_of(path);
  EXPECT_EQ(e.file(), path);
  EXPECT_EQ(e.line(), 0);
  const std::string message = e.what();
  EXPECT_NE(message.find(": truncated or corrupt compressed data (after line "), std::string::npos)
      << message;
}

TEST_F(TextLinesTest, CorruptStartSaysNothingCouldBeDecompressed) {
  const std::string path = write_compressed("bad.txt.gz", many_lines(), "wg");
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
  }
  EXPECT_EQ(std::string(error_of(path).what()),
            path + ": truncated or corrupt compressed data (nothing could be decompressed)");
}

}  // namespace
}  // namespace helix::io
