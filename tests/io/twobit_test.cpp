#include "helix/io/twobit.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;
using Records = std::vector<std::pair<std::string, std::string>>;

struct TwoBitLayout {
  bool big_endian = false;
  uint32_t version = 0;  // 1: 64-bit offsets in the index
};

// Minimal 2bit writer (UCSC layout): N blocks from runs of N/n, mask blocks from runs of lowercase.
std::string make_twobit(const Records& records, TwoBitLayout layout = {}) {
  auto put32 = [&](std::string& dst, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      const int shift = layout.big_endian ? 8 * (3 - i) : 8 * i;
      dst.push_back(static_cast<char>((v >> shift) & 0xFF));
    }
  };
  auto put64 = [&](std::string& dst, uint64_t v) {
    put32(dst, static_cast<uint32_t>(layout.big_endian ? v >> 32 : v));
    put32(dst, static_cast<uint32_t>(layout.big_endian ? v : v >> 32));
  };
  // [start, end) runs of positions where pred holds.
  auto runs = [](const std::string& seq, auto pred) {
    std::vector<std::pair<uint32_t, uint32_t>> result;
    for (uint32_t i = 0; i < seq.size(); ++i) {
      if (!pred(seq[i])) continue;
      if (!result.empty() && result.back().second == i) {
        ++result.back().second;
      } else {
        result.emplace_back(i, i + 1);
      }
    }
    return result;
  };

  std::string head;  // header and index
  std::string body;  // sequence records
  put32(head, 0x1A412743);
  put32(head, layout.version);
  put32(head, static_cast<uint32_t>(records.size()));
  put32(head, 0);
  size_t body_start = 16;
  for (const auto& record : records) {
    body_start += 1 + record.first.size() + (layout.version == 1 ? 8 : 4);
  }
  for (const auto& [name, seq] : records) {
    head.push_back(static_cast<char>(name.size()));
    head += name;
    const uint64_t offset = body_start + body.size();
    layout.version == 1 ? put64(head, offset) : put32(head, static_cast<uint32_t>(offset));

    const auto n_blocks = runs(seq, [](char c) { return c == 'N' || c == 'n'; });
    const auto mask_blocks = runs(seq, [](char c) { return std::islower(c) != 0; });
    put32(body, static_cast<uint32_t>(seq.size()));
    for (const auto* blocks : {&n_blocks, &mask_blocks}) {
      put32(body, static_cast<uint32_t>(blocks->size()));
      for (const auto& b : *blocks) put32(body, b.first);
      for (const auto& b : *blocks) put32(body, b.second - b.first);
    }
    put32(body, 0);  // reserved
    for (size_t i = 0; i < seq.size(); i += 4) {
      unsigned byte = 0;
      for (size_t j = i; j < i + 4; ++j) {
        // T=0 C=1 A=2 G=3, first base in the high bits; N is stored as T (restored from the N
        // blocks), as is the padding of the last byte.
        const char c = j < seq.size() ? static_cast<char>(std::toupper(seq[j])) : 'T';
        byte = byte << 2 | (c == 'C' ? 1 : c == 'A' ? 2 : c == 'G' ? 3 : 0);
      }
      body.push_back(static_cast<char>(byte));
    }
  }
  return head + body;
}

const Records kGenome = {
    // N run across a byte boundary, soft-masked runs, a partial last byte.
    {"chrA", "ACGTNNNNNacgtnnGATTACAcGG"},
    {"chrB", "TTTTGGGGCCCCAAAAtgcaNNNN"},
    {"chrEmpty", ""},
    {"chrN", "NNNNN"},
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class TwoBitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("helix_twobit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string error_of(const std::string& path) {
    try {
      TwoBitReader reader(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no InputError)";
  }

  fs::path dir_;
};

bool contains_truncated(const std::string& message) {
  return message.find("truncated or corrupt 2bit file") != std::string::npos;
}

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

TEST_F(TwoBitTest, FetchesEverySubrange) {
  TwoBitReader reader(write("g.2bit", make_twobit(kGenome)));
  expect_genome(reader, kGenome);
  EXPECT_EQ(reader.fetch("chrA", 2, 11), "GTNNNNNAC");
  EXPECT_EQ(reader.fetch("chrB", 15, 21), "ATGCAN");
}

TEST_F(TwoBitTest, BigEndianAndVersion1) {
  for (const TwoBitLayout layout :
       {TwoBitLayout{true, 0}, TwoBitLayout{false, 1}, TwoBitLayout{true, 1}}) {
    const std::string path = write("g.2bit", make_twobit(kGenome, layout));
    EXPECT_TRUE(has_twobit_magic(path));
    TwoBitReader reader(path);
    expect_genome(reader, kGenome);
  }
}

TEST_F(TwoBitTest, OpenGenomeDetectsTwoBitAndClonesAcrossThreads) {
  const std::string path = write("genome.dat", make_twobit(kGenome));
  auto genome = open_genome(path);
  expect_genome(*genome, kGenome);
  auto clone = genome->clone();
  std::string from_thread;
  std::thread worker([&] { from_thread = clone->fetch("chrB", 3, 22); });
  worker.join();
  EXPECT_EQ(from_thread, "TGGGGCCCCAAAATGCANN");
  EXPECT_EQ(from_thread, genome->fetch("chrB", 3, 22));
  EXPECT_EQ(clone->path(), path);
}

TEST_F(TwoBitTest, FetchErrors) {
  TwoBitReader reader(write("g.2bit", make_twobit(kGenome)));
  EXPECT_THROW(reader.fetch("chrZ", 0, 1), InputError);
  EXPECT_THROW(reader.fetch("chrA", 0, 26), InputError);
  EXPECT_THROW(reader.fetch("chrA", -1, 2), InputError);
  EXPECT_THROW(reader.fetch("chrA", 5, 4), InputError);
  EXPECT_EQ(reader.fetch("chrEmpty", 0, 0), "");
}

TEST_F(TwoBitTest, MalformedFiles) {
  const std::string good = make_twobit(kGenome);
  EXPECT_TRUE(contains_truncated(error_of(write("cut.2bit", good.substr(0, good.size() - 3)))));
  EXPECT_TRUE(contains_truncated(error_of(write("short.2bit", good.substr(0, 30)))));
  std::string bad_version = good;
  bad_version[4] = 7;
  EXPECT_NE(error_of(write("v.2bit", bad_version)).find("unsupported version 7"),
            std::string::npos);
  EXPECT_NE(error_of(write("dup.2bit", make_twobit({{"a", "AC"}, {"a", "GT"}})))
                .find("duplicate sequence name 'a'"),
            std::string::npos);
  EXPECT_NE(error_of(write("none.2bit", make_twobit({}))).find("no sequences found"),
            std::string::npos);
  EXPECT_FALSE(has_twobit_magic(write("g.fa", ">a\nACGT\n")));
}

}  // namespace
}  // namespace helix::io
