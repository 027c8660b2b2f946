#include "helix/io/table.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace fs = std::filesystem;
using helix::InputError;
using helix::io::Table;

namespace {

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "helix_table_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  // The InputError message Table::read throws for `path`.
  static std::string error_of(const std::string& path) {
    try {
      Table::read(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(TableTest, CsvQuotingFollowsRfc4180) {
  const auto path = write("t.csv",
                          "name,note\r\n"
                          "a,\"x, y\"\r\n"
                          "\r\n"
                          "\"b\",\"say \"\"hi\"\"\"\r\n"
                          "c,\"two\r\nlines\"\r\n"
                          "d,\r\n"
                          "\"\",plain\"quote\n");
  const Table t = Table::read(path);
  ASSERT_EQ(t.columns(), (std::vector<std::string>{"name", "note"}));
  ASSERT_EQ(t.num_rows(), 5u);
  EXPECT_EQ(t.cell(0, 1), "x, y");
  EXPECT_EQ(t.cell(1, 0), "b");
  EXPECT_EQ(t.cell(1, 1), "say \"hi\"");
  EXPECT_EQ(t.cell(2, 1), "two\nlines");
  EXPECT_EQ(t.cell(3, 1), "");
  EXPECT_EQ(t.cell(4, 0), "");
  EXPECT_EQ(t.cell(4, 1), "plain\"quote");
  // The blank line 3 is skipped; the row after the two-line field starts on line 7.
  EXPECT_EQ(t.line_of(0), 2);
  EXPECT_EQ(t.line_of(1), 4);
  EXPECT_EQ(t.line_of(2), 5);
  EXPECT_EQ(t.line_of(3), 7);
  EXPECT_EQ(t.line_of(4), 8);
  EXPECT_EQ(t.column_index("note"), 1u);
  EXPECT_EQ(t.path(), path);
}

TEST_F(TableTest, DelimiterFromExtensionThenHeader) {
  // Extensions decide even when the header suggests otherwise.
  EXPECT_EQ(Table::read(write("a.tsv", "x,y\tz\n1,2\t3\n")).columns().size(), 2u);
  EXPECT_EQ(Table::read(write("a.TXT", "x\ty\n1\t2\n")).cell(0, 1), "2");
  EXPECT_EQ(Table::read(write("a.tab", "x\ty\n1\t2\n")).cell(0, 1), "2");
  EXPECT_EQ(Table::read(write("b.csv", "x\ty,z\n1\t2,3\n")).cell(0, 0), "1\t2");
  // Otherwise the header line decides.
  EXPECT_EQ(Table::read(write("c.dat", "x\ty\n1,5\t2\n")).cell(0, 0), "1,5");
  EXPECT_EQ(Table::read(write("d", "x,y\n1\t5,2\n")).cell(0, 0), "1\t5");
  // A byte order mark is not part of the first column's name.
  EXPECT_EQ(Table::read(write("e.csv", "\xEF\xBB\xBFid,v\n1,2\n")).columns()[0], "id");
}

TEST_F(TableTest, ReadsBgzipAndGzip) {
  const std::string text = "id\tscore\nr1\t0.5\n\"r 2\"\t1\n";
  const std::string path =
      helix::test::write_compressed_file((dir_ / "t.tsv.gz").string(), text, "w");
  Table t = Table::read(path);
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.cell(1, 0), "r 2");

  // Plain gzip (what most users have) also works; needs the gzip program to make the fixture.
  const std::string csv = write("p.csv", "a,b\n1,2\n");
  if (std::system(("gzip -nf '" + csv + "' 2>/dev/null").c_str()) != 0) GTEST_SKIP() << "no gzip";
  t = Table::read(csv + ".gz");
  EXPECT_EQ(t.columns(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.cell(0, 1), "2");
}

TEST_F(TableTest, HeaderOnlyTableHasNoRows) {
  const Table t = Table::read(write("h.csv", "\n\na,b\n\n"));
  EXPECT_EQ(t.columns().size(), 2u);
  EXPECT_EQ(t.num_rows(), 0u);
}

TEST_F(TableTest, MissingAndEmptyFiles) {
  const std::string missing = (dir_ / "nope.csv").string();
  EXPECT_NE(error_of(missing).find(missing), std::string::npos);
  EXPECT_NE(error_of(missing).find("no such file"), std::string::npos);
  const auto empty = write("empty.csv", "");
  EXPECT_EQ(error_of(empty), empty + ": empty file (expected a header row)");
  EXPECT_EQ(error_of(write("blank.tsv", "\n\r\n\n")),
            (dir_ / "blank.tsv").string() + ": empty file (expected a header row)");
}

TEST_F(TableTest, WrongFieldCountNamesFileAndLine) {
  const auto path = write("bad.csv", "a,b\n1,2\n\n3,4,5\n");
  EXPECT_EQ(error_of(path), path + ":4: expected 2 fields (as in the header), found 3");
  try {
    Table::read(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 4);
  }
  const auto tsv = write("bad.tsv", "a\tb\nx\n");
  EXPECT_EQ(error_of(tsv), tsv + ":2: expected 2 fields (as in the header), found 1");
}

TEST_F(TableTest, UnterminatedQuoteNamesTheLineWhereItOpens) {
  const auto path = write("q.csv", "a,b\n1,2\n3,\"never\ncloses\n");
  EXPECT_EQ(error_of(path), path + ":3: unterminated quote (the field never closes)");
}

TEST_F(TableTest, DuplicateColumnNames) {
  const auto path = write("d.csv", "\nx,y,x\n1,2,3\n");
  EXPECT_EQ(error_of(path), path + ":2: duplicate column name 'x'");
}

TEST_F(TableTest, UnknownColumnListsColumns) {
  const auto path = write("c.csv", "a,b,c\n1,2,3\n");
  const Table t = Table::read(path);
  try {
    t.column_index("x");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":1: no column 'x'; columns are: a, b, c");
  }
}

}  // namespace
