#include "helix/io/genome.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;
using Records = std::vector<std::pair<std::string, std::string>>;

// Mixed case, N runs, IUPAC codes; lengths chosen to end mid-line and on a line boundary.
const Records kGenome = {
    {"chr1", "ACGTACGTAAnnnnnNNNNNccggttaaGGCCRYKMacgtACGTNNacgtTT"},  // 52
    {"chr2", "GATTACA"},                                               // 7
    {"chrM", "acgtacgtacgtacgtacgtacgtacgtacgtacgtacgtacgtacgtac"},    // 48 = 4 full lines
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string to_fasta(const Records& records, size_t width, const std::string& eol = "\n") {
  std::string text;
  for (const auto& [name, seq] : records) {
    text += ">" + name + " some description" + eol;
    for (size_t i = 0; i < seq.size(); i += width) text += seq.substr(i, width) + eol;
  }
  return text;
}

// Routes spdlog's default logger into a string for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

class GenomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("helix_genome_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }
  // mode "w": bgzip; "wg": plain gzip.
  std::string write_compressed(const std::string& name, const std::string& text, const char* mode) {
    return helix::test::write_compressed_file(file(name), text, mode);
  }

  fs::path dir_;
};

// Every [start, end) of every sequence matches the upper-cased truth.
void expect_genome(GenomeReader& genome, const Records& truth) {
  ASSERT_EQ(genome.sequences().size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    const auto& [name, seq] = truth[i];
    EXPECT_EQ(genome.sequences()[i].name, name);
    ASSERT_EQ(genome.sequences()[i].length, static_cast<int64_t>(seq.size()));
    const std::string expected = upper(seq);
    const int64_t n = static_cast<int64_t>(seq.size());
    for (int64_t start = 0; start <= n; ++start) {
      for (int64_t end = start; end <= n; ++end) {
        ASSERT_EQ(genome.fetch(name, start, end), expected.substr(start, end - start))
            << name << ":" << start << "-" << end;
      }
    }
  }
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(GenomeTest, PlainFastaBuildsIndexAndFetches) {
  const std::string path = write("g.fa", to_fasta(kGenome, 12));
  LogCapture log;
  auto genome = open_genome(path);
  EXPECT_TRUE(fs::exists(path + ".fai"));
  EXPECT_EQ(genome->path(), path);
  expect_genome(*genome, kGenome);
  // Second open reuses the index.
  expect_genome(*open_genome(path), kGenome);
  EXPECT_EQ(log.text(), "");  // served by faidx, no fallback
}

TEST_F(GenomeTest, NoNewlineAtEndOfFile) {
  const Records truth = {{"a", "ACGTAC"}, {"b", "GGTTA"}};
  const std::string text = ">a\nACGT\nAC\n>b\nGGTT\nA";
  for (const std::string& path :
       {write("nonl.fa", text), write_compressed("nonl.fa.gz", text, "w")}) {
    LogCapture log;
    expect_genome(*open_genome(path), truth);
    EXPECT_EQ(log.text(), "") << path;
  }
}

TEST_F(GenomeTest, WindowsLineEndings) {
  const std::string path = write("g.fa", to_fasta(kGenome, 10, "\r\n"));
  LogCapture log;
  auto genome = open_genome(path);
  EXPECT_TRUE(fs::exists(path + ".fai"));
  expect_genome(*genome, kGenome);
  EXPECT_EQ(log.text(), "");
}

TEST_F(GenomeTest, BgzipFastaBuildsBothIndexes) {
  const std::string path = write_compressed("g.fa.gz", to_fasta(kGenome, 12), "w");
  LogCapture log;
  expect_genome(*open_genome(path), kGenome);
  EXPECT_TRUE(fs::exists(path + ".fai"));
  EXPECT_TRUE(fs::exists(path + ".gzi"));
  expect_genome(*open_genome(path), kGenome);
  EXPECT_EQ(log.text(), "");
}

TEST_F(GenomeTest, ManySequencesAcrossBgzipBlocks) {
  // ~400 KB of FASTA: several 64 KB bgzip blocks, records straddling block boundaries.
  Records truth;
  uint32_t state = 12345;
  auto next = [&state] { return (state = state * 1103515245u + 12345u) >> 16; };
  for (int i = 0; i < 4000; ++i) {
    std::string seq(1 + next() % 150, 'A');
    for (char& c : seq) c = "ACGTNacgtn"[next() % 10];
    truth.emplace_back("contig_" + std::to_string(i), seq);
  }
  const std::string text = to_fasta(truth, 60);
  for (const std::string& path :
       {write("many.fa", text), write_compressed("many.fa.gz", text, "w")}) {
    LogCapture log;
    auto genome = open_genome(path);
    EXPECT_EQ(log.text(), "") << path;
    ASSERT_EQ(genome->sequences().size(), truth.size());
    for (int k = 0; k < 3000; ++k) {
      const auto& [name, seq] = truth[next() % truth.size()];
      const int64_t start = next() % seq.size();
      const int64_t end = start + next() % (seq.size() - start + 1);
      ASSERT_EQ(genome->fetch(name, start, end), upper(seq.substr(start, end - start)))
          << path << " " << name << ":" << start << "-" << end;
    }
  }
}

TEST_F(GenomeTest, PlainGzipIsLoadedIntoMemory) {
  const std::string path = write_compressed("g.fa.gz", to_fasta(kGenome, 12), "wg");
  LogCapture log;
  expect_genome(*open_genome(path), kGenome);
  EXPECT_FALSE(fs::exists(path + ".fai"));
  EXPECT_TRUE(contains(log.text(), "[warning] " + path + ": plain gzip")) << log.text();
  EXPECT_TRUE(contains(log.text(), "`bgzip`")) << log.text();
}

TEST_F(GenomeTest, TruncatedCompressedFilesAreErrors) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += to_fasta({{"s" + std::to_string(i), "ACGTTGCA"}}, 60);
  for (const char* mode : {"wg", "w"}) {
    const std::string path = write_compressed(std::string("t") + mode + ".fa.gz", text, mode);
    fs::resize_file(path, fs::file_size(path) - 12);
    const std::string message = error_of([&] { open_genome(path); });
    EXPECT_TRUE(contains(message, path + ": truncated or corrupt compressed data")) << message;
  }
}

TEST_F(GenomeTest, GzipWithBadCharacterFailsAtOpenWithLine) {
  const std::string path = write_compressed("bad.fa.gz", ">a\nACGT\n>b\nAC\nAC!T\n", "wg");
  EXPECT_TRUE(contains(error_of([&] { open_genome(path); }),
                       path + ":5: invalid character '!' in sequence b"));
}

TEST_F(GenomeTest, IndexedFastaRejectsBadCharacterOnFetch) {
  const std::string path = write("bad.fa", ">a\nACGT\n>b\nACGTXACGT\n");
  auto genome = open_genome(path);
  EXPECT_EQ(genome->fetch("a", 0, 4), "ACGT");
  EXPECT_EQ(genome->fetch("b", 0, 4), "ACGT");
  EXPECT_EQ(genome->fetch("b", 5, 9), "ACGT");
  const std::string message = error_of([&] { genome->fetch("b", 2, 7); });
  EXPECT_TRUE(contains(message, path + ": invalid character 'X' in sequence b at offset 4"))
      << message;
}

TEST_F(GenomeTest, MissingFileAndDirectory) {
  const std::string missing = file("nope.fa");
  EXPECT_EQ(error_of([&] { open_genome(missing); }), missing + ": no such file");
  EXPECT_TRUE(contains(error_of([&] { open_genome(dir_.string()); }), "directory"));
}

TEST_F(GenomeTest, EmptyFastaIsAnError) {
  const std::string expected = ": no sequences found (expected FASTA records starting with '>')";
  const std::string empty = write("empty.fa", "");
  EXPECT_EQ(error_of([&] { open_genome(empty); }), empty + expected);
  const std::string blank = write("blank.fa", "\n\n");
  EXPECT_EQ(error_of([&] { open_genome(blank); }), blank + expected);
  const std::string gz = write_compressed("empty.fa.gz", "", "wg");
  EXPECT_EQ(error_of([&] { open_genome(gz); }), gz + expected);
}

TEST_F(GenomeTest, TextBeforeFirstHeaderIsAnError) {
  const std::string path = write("notes.fa", "hello\n>a\nACGT\n");
  EXPECT_TRUE(contains(error_of([&] { open_genome(path); }), path + ":1: expected a FASTA header"));
}

TEST_F(GenomeTest, DuplicateNamesAreErrors) {
  const std::string text = ">a\nACGT\n>b\nGG\n>a\nTT\n";
  for (const std::string& path : {write("dup.fa", text), write_compressed("dup.fa.gz", text, "w"),
                                  write_compressed("dup.gzip.fa.gz", text, "wg")}) {
    const std::string message = error_of([&] { open_genome(path); });
    EXPECT_TRUE(contains(message, path + ":5: duplicate sequence name 'a' (first at line 1)"))
        << message;
  }
}

TEST_F(GenomeTest, UnknownNameAndBadRanges) {
  auto genome = open_genome(write("g.fa", to_fasta(kGenome, 12)));
  const std::string unknown = error_of([&] { genome->fetch("chrX", 0, 1); });
  EXPECT_TRUE(contains(unknown, "unknown sequence 'chrX' (the file has 3: chr1, chr2, chrM)"))
      << unknown;
  EXPECT_TRUE(contains(error_of([&] { genome->fetch("chr2", 0, 8); }),
                       "range [0, 8) is not within sequence 'chr2' of length 7"));
  EXPECT_THROW(genome->fetch("chr2", -1, 3), InputError);
  EXPECT_THROW(genome->fetch("chr2", 4, 3), InputError);
  EXPECT_EQ(genome->fetch("chr2", 7, 7), "");
}

TEST_F(GenomeTest, IrregularLineLengthsFallBackToMemory) {
  const Records truth = {{"a", "ACGTACGTAC"}, {"b", "GGGCCC"}};
  const std::string path = write("irregular.fa", ">a\nACGT\nACGTAC\n>b\nGGG\nCCC\n");
  LogCapture log;
  expect_genome(*open_genome(path), truth);
  EXPECT_TRUE(contains(log.text(), "loading the whole genome into memory")) << log.text();
}

TEST_F(GenomeTest, EmptyRecordsAreListed) {
  // faidx drops a record without sequence; the index check notices and memory loading keeps it.
  const Records truth = {{"a", "ACGT"}, {"gap", ""}, {"b", "GGCC"}};
  expect_genome(*open_genome(write("e.fa", ">a\nACGT\n>gap\n>b\nGGCC\n")), truth);
}

TEST_F(GenomeTest, OutdatedIndexIsRebuilt) {
  const Records changed = {{"chr1", "TTTTGGGG"}, {"other", "ACGTACGTACGTAAAA"}};
  for (const char* mode : {"", "w"}) {
    const std::string name = *mode ? "g.fa.gz" : "g.fa";
    auto write_genome = [&](const Records& records) {
      const std::string text = to_fasta(records, 12);
      return *mode ? write_compressed(name, text, mode) : write(name, text);
    };
    const std::string path = write_genome(kGenome);
    open_genome(path);
    ASSERT_TRUE(fs::exists(path + ".fai"));
    write_genome(changed);
    const auto past = fs::last_write_time(path) - std::chrono::hours(1);
    fs::last_write_time(path + ".fai", past);
    if (*mode) fs::last_write_time(path + ".gzi", past);
    LogCapture log;
    expect_genome(*open_genome(path), changed);
    EXPECT_FALSE(contains(log.text(), "warning")) << log.text();
    EXPECT_TRUE(contains(log.text(), "rebuilt its index")) << log.text();
  }
}

TEST_F(GenomeTest, MismatchedIndexIsNotTrusted) {
  // An index that does not match the file but is not older than it (e.g. copied along with the
  // wrong FASTA): faidx would return wrong bases; the layout check catches it.
  const std::string path = write("g.fa", to_fasta(kGenome, 12));
  open_genome(path);
  const std::string stale_index = path + ".old.fai";
  fs::copy_file(path + ".fai", stale_index);
  const Records changed = {{"chr1", "TTTTGGGG"}, {"other", "ACGTACGTACGTAAAA"}};
  write("g.fa", to_fasta(changed, 12));
  fs::copy_file(stale_index, path + ".fai", fs::copy_options::overwrite_existing);
  fs::last_write_time(path + ".fai", fs::last_write_time(path) + std::chrono::hours(1));
  LogCapture log;
  expect_genome(*open_genome(path), changed);
  EXPECT_TRUE(contains(log.text(), "does not list every record")) << log.text();
}

TEST_F(GenomeTest, UnwritableIndexFallsBackToMemory) {
  // A dangling .fai symlink makes writing the index fail even for root.
  const std::string path = write("g.fa", to_fasta(kGenome, 12));
  fs::create_symlink(dir_ / "no-such-dir" / "g.fa.fai", path + ".fai");
  LogCapture log;
  expect_genome(*open_genome(path), kGenome);
  EXPECT_TRUE(contains(log.text(), "loading the whole genome into memory")) << log.text();
  EXPECT_FALSE(fs::exists(path + ".fai"));
}

TEST_F(GenomeTest, ReadOnlyDirectoryFallsBackToMemory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write to any directory";
  const std::string path = write("g.fa", to_fasta(kGenome, 12));
  fs::permissions(dir_, fs::perms::owner_write, fs::perm_options::remove);
  LogCapture log;
  expect_genome(*open_genome(path), kGenome);
  EXPECT_TRUE(contains(log.text(), "directory not writable")) << log.text();
  EXPECT_FALSE(fs::exists(path + ".fai"));
}

TEST_F(GenomeTest, ClonesWorkFromAnotherThread) {
  const std::vector<std::string> paths = {
      write("g.fa", to_fasta(kGenome, 12)),
      write_compressed("g.bgz.fa.gz", to_fasta(kGenome, 12), "w"),
      write_compressed("g.gzip.fa.gz", to_fasta(kGenome, 12), "wg"),
  };
  for (const std::string& path : paths) {
    auto genome = open_genome(path);
    std::unique_ptr<GenomeReader> clone = genome->clone();
    std::vector<std::string> from_thread;
    std::thread worker([&] {
      for (int i = 0; i < 200; ++i)
        from_thread.push_back(clone->fetch("chr1", i % 40, i % 40 + 12));
    });
    std::vector<std::string> from_main;
    for (int i = 0; i < 200; ++i) from_main.push_back(genome->fetch("chr1", i % 40, i % 40 + 12));
    worker.join();
    EXPECT_EQ(from_thread, from_main) << path;
    EXPECT_EQ(from_main[3], upper(kGenome[0].second.substr(3, 12))) << path;
    EXPECT_EQ(clone->path(), path);
    EXPECT_EQ(clone->sequences().size(), 3u);
  }
}

}  // namespace
}  // namespace helix::io
