#include "helix/io/twobit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include "helix/io/fasta.hpp"
#include "helix/util/error.hpp"

namespace helix::io {

struct TwoBitReader::Index {
  struct Record {
    int64_t packed_offset = 0;                          // file offset of the 2-bit packed bases
    std::vector<std::pair<int64_t, int64_t>> n_blocks;  // [start, end), sorted and disjoint
  };
  SequenceCatalog catalog;
  std::vector<Record> records;
};

namespace {

constexpr uint32_t kMagic = 0x1A412743;
constexpr uint32_t kMagicSwapped = 0x4327411A;

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw InputError(path, 0, "truncated or corrupt 2bit file: " + what);
}

void read_at(int fd, const std::string& path, int64_t offset, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t got = ::pread(fd, p, n, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(path, 0, std::string("read error: ") + std::strerror(errno));
    if (got == 0) corrupt(path, "unexpected end of file at byte " + std::to_string(offset));
    p += got;
    n -= static_cast<size_t>(got);
    offset += got;
  }
}

// Buffered reads of the many small fields of the index and sequence headers, which are usually
// contiguous, so opening a genome of many scaffolds costs few system calls.
class Cursor {
 public:
  Cursor(int fd, const std::string& path, int64_t file_size, bool swap)
      : fd_(fd), path_(path), file_size_(file_size), swap_(swap) {}

  void seek(int64_t pos) { pos_ = pos; }
  int64_t pos() const { return pos_; }

  uint8_t u8() { return static_cast<uint8_t>(*take(1)); }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);
    return swap_ ? __builtin_bswap32(v) : v;
  }
  uint64_t u64() {
    uint64_t v;
    std::memcpy(&v, take(8), 8);
    return swap_ ? __builtin_bswap64(v) : v;
  }
  std::string bytes(size_t n) { return std::string(take(n), n); }

 private:
  const char* take(size_t n) {
    if (pos_ < buf_start_ || pos_ + static_cast<int64_t>(n) > buf_start_ + int64_t(buf_.size())) {
      if (pos_ + static_cast<int64_t>(n) > file_size_) {
        corrupt(path_, "unexpected end of file at byte " + std::to_string(pos_));
      }
      buf_.resize(static_cast<size_t>(std::min<int64_t>(
          std::max<int64_t>(static_cast<int64_t>(n), 1 << 16), file_size_ - pos_)));
      read_at(fd_, path_, pos_, buf_.data(), buf_.size());
      buf_start_ = pos_;
    }
    const char* p = buf_.data() + (pos_ - buf_start_);
    pos_ += static_cast<int64_t>(n);
    return p;
  }

  int fd_;
  const std::string& path_;
  int64_t file_size_;
  bool swap_;
  int64_t pos_ = 0;
  int64_t buf_start_ = 0;
  std::vector<char> buf_;
};

int open_readonly(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  return fd;
}

std::shared_ptr<const TwoBitReader::Index> read_index(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw InputError(path, 0, std::strerror(errno));
  const int64_t size = st.st_size;

  uint32_t magic = 0;
  if (size >= 4) read_at(fd, path, 0, &magic, 4);
  if (magic != kMagic && magic != kMagicSwapped) corrupt(path, "bad signature");
  Cursor in(fd, path, size, magic == kMagicSwapped);
  in.seek(4);
  const uint32_t version = in.u32();
  if (version > 1) corrupt(path, "unsupported version " + std::to_string(version));
  const uint32_t count = in.u32();
  in.u32();  // reserved
  // Each index entry takes at least 6 bytes; a larger count is garbage, not a reason to allocate.
  if (count == 0) throw InputError(path, 0, "no sequences found");
  if (count > size / 6) corrupt(path, "sequence count " + std::to_string(count));

  std::vector<std::pair<std::string, int64_t>> entries(count);
  for (auto& [name, offset] : entries) {
    name = in.bytes(in.u8());
    offset = static_cast<int64_t>(version == 1 ? in.u64() : in.u32());
  }

  auto index = std::make_shared<TwoBitReader::Index>();
  index->records.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string& name = entries[i].first;
    auto& rec = index->records[i];
    if (entries[i].second < 0 || entries[i].second >= size) {
      corrupt(path, "sequence " + name + " has an offset past the end of the file");
    }
    in.seek(entries[i].second);
    const int64_t length = in.u32();
    const uint32_t n_count = in.u32();
    if (int64_t(n_count) * 8 > size) corrupt(path, "N block count of " + name);
    std::vector<uint32_t> starts(n_count);
    for (auto& s : starts) s = in.u32();
    for (uint32_t b = 0; b < n_count; ++b) {
      const int64_t end = int64_t(starts[b]) + in.u32();
      if (end > length) corrupt(path, "N block past the end of sequence " + name);
      if (end > starts[b]) rec.n_blocks.emplace_back(starts[b], end);
    }
    // Merge so that fetch() can binary-search disjoint blocks.
    std::sort(rec.n_blocks.begin(), rec.n_blocks.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    for (const auto& b : rec.n_blocks) {
      if (!merged.empty() && b.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, b.second);
      } else {
        merged.push_back(b);
      }
    }
    rec.n_blocks = std::move(merged);
    // Soft-mask blocks are skipped: fetch() returns upper case.
    const uint32_t mask_count = in.u32();
    if (int64_t(mask_count) * 8 > size) corrupt(path, "mask block count of " + name);
    in.seek(in.pos() + int64_t(mask_count) * 8 + 4);  // blocks, then a reserved word
    rec.packed_offset = in.pos();
    if (rec.packed_offset + (length + 3) / 4 > size) {
      corrupt(path, "sequence " + name + " extends past the end of the file");
    }
    if (!index->catalog.add(name, length)) {
      throw InputError(path, 0, "duplicate sequence name '" + name + "'");
    }
  }
  return index;
}

}  // namespace

bool has_twobit_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint32_t magic = 0;
  return in.read(reinterpret_cast<char*>(&magic), 4) && (magic == kMagic || magic == kMagicSwapped);
}

TwoBitReader::TwoBitReader(const std::string& path) : path_(path) {
  require_readable_file(path);
  fd_ = open_readonly(path);
  try {
    index_ = read_index(fd_, path);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

TwoBitReader::TwoBitReader(std::string path, std::shared_ptr<const Index> index)
    : path_(std::move(path)), index_(std::move(index)), fd_(open_readonly(path_)) {}

TwoBitReader::~TwoBitReader() { ::close(fd_); }

const std::vector<SequenceInfo>& TwoBitReader::sequences() const {
  return index_->catalog.sequences();
}

std::unique_ptr<GenomeReader> TwoBitReader::clone() const {
  return std::unique_ptr<GenomeReader>(new TwoBitReader(path_, index_));
}

std::string TwoBitReader::fetch(const std::string& name, int64_t start, int64_t end) {
  const Index::Record& rec = index_->records[index_->catalog.locate(path_, name, start, end)];
  std::string out(static_cast<size_t>(end - start), 'N');
  if (start == end) return out;

  // Four bases per byte, first base in the high bits; codes 0..3 are T, C, A, G.
  const int64_t first = start / 4;
  std::vector<unsigned char> packed(static_cast<size_t>((end - 1) / 4 - first + 1));
  read_at(fd_, path_, rec.packed_offset + first, packed.data(), packed.size());
  static constexpr char kBases[] = {'T', 'C', 'A', 'G'};
  for (int64_t pos = start; pos < end; ++pos) {
    const unsigned byte = packed[static_cast<size_t>(pos / 4 - first)];
    out[static_cast<size_t>(pos - start)] = kBases[(byte >> (6 - 2 * (pos % 4))) & 3];
  }

  auto block = std::partition_point(rec.n_blocks.begin(), rec.n_blocks.end(),
                                    [start](const auto& b) { return b.second <= start; });
  for (; block != rec.n_blocks.end() && block->first < end; ++block) {
    const int64_t from = std::max(block->first, start);
    const int64_t to = std::min(block->second, end);
    std::fill(out.begin() + (from - start), out.begin() + (to - start), 'N');
  }
  return out;
}

}  // namespace helix::io
