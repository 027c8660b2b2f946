#include "helix/io/genome.hpp"

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "helix/io/fasta.hpp"
#include "helix/io/twobit.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::io {

bool SequenceCatalog::add(std::string name, int64_t length) {
  if (!index_.emplace(name, sequences_.size()).second) return false;
  sequences_.push_back({std::move(name), length});
  return true;
}

int64_t SequenceCatalog::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

size_t SequenceCatalog::locate(const std::string& path, const std::string& name, int64_t start,
                               int64_t end) const {
  auto it = index_.find(name);
  if (it == index_.end()) {
    std::string known;
    for (size_t i = 0; i < sequences_.size() && i < 5; ++i) {
      known += (i > 0 ? ", " : "") + sequences_[i].name;
    }
    if (sequences_.size() > 5) known += ", ...";
    throw InputError(path, 0,
                     "unknown sequence '" + name + "' (the file has " +
                         std::to_string(sequences_.size()) + ": " + known + ")");
  }
  const int64_t length = sequences_[it->second].length;
  if (start < 0 || start > end || end > length) {
    throw InputError(path, 0,
                     "range [" + std::to_string(start) + ", " + std::to_string(end) +
                         ") is not within sequence '" + name + "' of length " +
                         std::to_string(length));
  }
  return it->second;
}

namespace {

void uppercase(std::string& s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}

// Everything read up front through FastaReader (which validates every character). Used where
// faidx cannot serve the file; clones share the data.
class MemoryGenome final : public GenomeReader {
 public:
  static std::unique_ptr<GenomeReader> load(const std::string& path) {
    auto data = std::make_shared<Data>();
    std::vector<int64_t> header_lines;
    FastaReader reader(path);
    FastaRecord record;
    while (reader.next(record)) {
      const int64_t previous = data->catalog.find(record.name);
      if (previous >= 0) {
        throw InputError(path, record.header_line,
                         "duplicate sequence name '" + record.name + "' (first at line " +
                             std::to_string(header_lines[size_t(previous)]) + ")");
      }
      data->catalog.add(record.name, static_cast<int64_t>(record.sequence.size()));
      header_lines.push_back(record.header_line);
      uppercase(record.sequence);
      data->bases.push_back(std::move(record.sequence));
    }
    if (data->bases.empty()) {
      throw InputError(path, 0, "no sequences found (expected FASTA records starting with '>')");
    }
    return std::unique_ptr<GenomeReader>(new MemoryGenome(path, std::move(data)));
  }

  const std::vector<SequenceInfo>& sequences() const override { return data_->catalog.sequences(); }
  std::string fetch(const std::string& name, int64_t start, int64_t end) override {
    const size_t i = data_->catalog.locate(path_, name, start, end);
    return data_->bases[i].substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
  }
  std::unique_ptr<GenomeReader> clone() const override {
    return std::unique_ptr<GenomeReader>(new MemoryGenome(path_, data_));
  }
  const std::string& path() const override { return path_; }

 private:
  struct Data {
    SequenceCatalog catalog;
    std::vector<std::string> bases;  // upper case
  };
  MemoryGenome(std::string path, std::shared_ptr<const Data> data)
      : path_(std::move(path)), data_(std::move(data)) {}
  std::string path_;
  std::shared_ptr<const Data> data_;
};

struct FaiCloser {
  void operator()(faidx_t* fai) const { fai_destroy(fai); }
};
using FaiPtr = std::unique_ptr<faidx_t, FaiCloser>;

struct BgzfCloser {
  void operator()(BGZF* fp) const { bgzf_close(fp); }
};
using BgzfPtr = std::unique_ptr<BGZF, BgzfCloser>;

class FaidxGenome final : public GenomeReader {
 public:
  FaidxGenome(std::string path, std::shared_ptr<const SequenceCatalog> catalog, FaiPtr fai)
      : path_(std::move(path)), catalog_(std::move(catalog)), fai_(std::move(fai)) {}

  const std::vector<SequenceInfo>& sequences() const override { return catalog_->sequences(); }

  std::string fetch(const std::string& name, int64_t start, int64_t end) override {
    catalog_->locate(path_, name, start, end);
    if (start == end) return {};
    hts_pos_t len = 0;
    char* raw = faidx_fetch_seq64(fai_.get(), name.c_str(), start, end - 1, &len);
    std::unique_ptr<char, decltype(&std::free)> guard(raw, &std::free);
    if (raw == nullptr || len != end - start) {
      throw InputError(path_, 0,
                       "cannot read " + name + ":" + std::to_string(start) + "-" +
                           std::to_string(end) +
                           " (file truncated, corrupt, or changed since its .fai was written)");
    }
    std::string out(raw, static_cast<size_t>(len));
    for (size_t i = 0; i < out.size(); ++i) {
      if (!is_nucleotide_code(out[i])) {
        throw InputError(path_, 0,
                         "invalid character '" + std::string(1, out[i]) + "' in sequence " + name +
                             " at offset " + std::to_string(start + int64_t(i)) +
                             " (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters)");
      }
    }
    uppercase(out);
    return out;
  }

  std::unique_ptr<GenomeReader> clone() const override {
    FaiPtr fai(fai_load3(path_.c_str(), nullptr, nullptr, 0));
    if (!fai) throw InputError(path_, 0, "cannot reopen the file and its index");
    return std::make_unique<FaidxGenome>(path_, catalog_, std::move(fai));
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::shared_ptr<const SequenceCatalog> catalog_;
  FaiPtr fai_;
};

struct FaiEntry {
  std::string name;
  int64_t length = 0, offset = 0, line_bases = 0, line_width = 0;
};

bool read_fai(const std::string& fai_path, std::vector<FaiEntry>& entries) {
  std::ifstream in(fai_path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    FaiEntry e;
    if (!(fields >> e.name >> e.length >> e.offset >> e.line_bases >> e.line_width)) return false;
    if (e.length < 0 || e.offset < 0 || e.line_bases <= 0 || e.line_width < e.line_bases) {
      return false;
    }
    entries.push_back(std::move(e));
  }
  return in.eof() && !entries.empty();
}

// Name in a FASTA header line, by faidx's rule (leading blanks skipped, ends at a blank).
std::string header_name(std::string_view line) {
  auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  auto begin = std::find_if_not(line.begin() + 1, line.end(), blank);
  return std::string(begin, std::find_if(begin, line.end(), blank));
}

// Uncompressed length of a plain or bgzip file (whose .gzi is loaded into `fp`), or -1. Needed
// because htslib aborts on an assertion when asked to seek past the end of a bgzip file.
int64_t data_length(const std::string& path, BGZF* fp) {
  if (bgzf_compression(fp) == 0) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
  }
  // The .gzi holds a count, then (compressed, uncompressed) offsets of every block start but the
  // first, as little-endian uint64 (as is this host). Read on from the last block's start.
  std::ifstream gzi(path + ".gzi", std::ios::binary);
  uint64_t count = 0, last_start = 0;
  if (!gzi.read(reinterpret_cast<char*>(&count), 8)) return -1;
  if (count > 0) {
    gzi.seekg(static_cast<std::streamoff>(8 + 16 * count - 8));
    if (!gzi.read(reinterpret_cast<char*>(&last_start), 8)) return -1;
  }
  if (bgzf_useek(fp, static_cast<off_t>(last_start), SEEK_SET) < 0) return -1;
  int64_t length = static_cast<int64_t>(last_start);
  std::vector<char> buf(1 << 16);
  ssize_t got = 0;
  while ((got = bgzf_read(fp, buf.data(), buf.size())) > 0) length += got;
  return got < 0 ? -1 : length;
}

// htslib's faidx silently drops records it does not index (a repeated name, a header without
// sequence) and trusts an existing .fai even if the FASTA changed since. So check that the bytes
// between consecutive indexed records hold nothing but blank lines and the next record's own
// header: one short read per record, and at most one block decompression per bgzip block.
bool index_covers_file(const std::string& path, const std::vector<FaiEntry>& entries) {
  constexpr int64_t kMaxGap = 1 << 20;  // a longer gap holds more than a header line
  BgzfPtr fp(bgzf_open(path.c_str(), "r"));
  if (!fp) return false;
  if (bgzf_compression(fp.get()) == 2 && bgzf_index_load(fp.get(), path.c_str(), ".gzi") < 0) {
    return false;
  }
  const int64_t length = data_length(path, fp.get());
  int64_t pos = 0;  // just past the last base of the previous record
  std::string gap;
  for (size_t i = 0; i <= entries.size(); ++i) {
    const bool last = i == entries.size();
    const int64_t gap_end = last ? length : entries[i].offset;
    if (gap_end < pos || gap_end > length || gap_end - pos > kMaxGap) return false;
    gap.resize(static_cast<size_t>(gap_end - pos));
    // No seek to the very end: htslib then fails the read that follows.
    if (!gap.empty() && (bgzf_useek(fp.get(), pos, SEEK_SET) < 0 ||
                         bgzf_read(fp.get(), gap.data(), gap.size()) != ssize_t(gap.size()))) {
      return false;
    }

    // Lines of the gap: all blank except, for an indexed record, the last one, its header.
    std::string_view rest(gap);
    if (!last) {
      if (rest.empty() || rest.back() != '\n') return false;
      rest.remove_suffix(1);
      const size_t newline = rest.rfind('\n');
      const size_t header_start = newline == std::string_view::npos ? 0 : newline + 1;
      const std::string_view header = rest.substr(header_start);
      if (header.empty() || header[0] != '>' || header_name(header) != entries[i].name) {
        return false;
      }
      rest = rest.substr(0, header_start);
    }
    if (!std::all_of(rest.begin(), rest.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
      return false;
    }
    if (!last) {
      const FaiEntry& e = entries[i];
      pos = e.offset;
      if (e.length > 0) {
        pos += (e.length - 1) / e.line_bases * e.line_width + (e.length - 1) % e.line_bases + 1;
      }
    }
  }
  return true;
}

// True if the FASTA changed after its .fai or .gzi was written (htslib would use them as is).
bool index_outdated(const std::string& path) {
  std::error_code error;
  const auto fasta_time = std::filesystem::last_write_time(path, error);
  for (const char* suffix : {".fai", ".gzi"}) {
    const auto index_time = std::filesystem::last_write_time(path + suffix, error);
    if (!error && index_time < fasta_time) return true;
  }
  return false;
}

// The faidx-backed reader, or null with `reason` set when faidx cannot serve this file.
std::unique_ptr<GenomeReader> open_faidx(const std::string& path, std::string& reason) {
  // If rebuilding fails (read-only directory), the old index may still match: the check below
  // decides.
  if (index_outdated(path) && fai_build3(path.c_str(), nullptr, nullptr) == 0) {
    spdlog::info("{}: rebuilt its index, which was older than the file", path);
  }
  FaiPtr fai(fai_load3(path.c_str(), nullptr, nullptr, FAI_CREATE));
  const std::string fai_path = path + ".fai";
  if (!fai) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    reason = ::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0
                 ? "cannot write its index " + fai_path + " (directory not writable)"
                 : "htslib faidx could not index it (see its message above; typically lines of "
                   "unequal length within a record, or an index file that cannot be written)";
    return nullptr;
  }
  std::vector<FaiEntry> entries;
  auto catalog = std::make_shared<SequenceCatalog>();
  bool ok = read_fai(fai_path, entries) && index_covers_file(path, entries);
  for (size_t i = 0; ok && i < entries.size(); ++i) {
    ok = catalog->add(entries[i].name, entries[i].length);
  }
  if (!ok) {
    reason = "its index " + fai_path +
             " does not list every record (repeated names, records without sequence, or an index "
             "made for another version of the file)";
    return nullptr;
  }
  return std::make_unique<FaidxGenome>(path, std::move(catalog), std::move(fai));
}

}  // namespace

std::unique_ptr<GenomeReader> open_genome(const std::string& path) {
  require_readable_file(path);
  if (has_twobit_magic(path)) return std::make_unique<TwoBitReader>(path);

  int compression = 0;
  {
    BgzfPtr fp(bgzf_open(path.c_str(), "r"));
    if (!fp) throw InputError(path, 0, "cannot open");
    compression = bgzf_compression(fp.get());
  }
  if (compression == 1) {
    spdlog::warn(
        "{}: plain gzip allows no random access, loading the whole genome into memory; recompress "
        "with `bgzip` for on-demand reading",
        path);
    return MemoryGenome::load(path);
  }
  // Empty and truncated files get their precise error from FastaReader.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_size == 0) return MemoryGenome::load(path);
  if (compression == 2) {
    FastaReader eof_check(path);  // its constructor rejects a bgzip file without end marker
  }

  std::string reason;
  if (auto genome = open_faidx(path, reason)) return genome;
  spdlog::warn("{}: {}; loading the whole genome into memory", path, reason);
  return MemoryGenome::load(path);
}

}  // namespace helix::io
