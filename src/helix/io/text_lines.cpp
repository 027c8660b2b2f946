#include "helix/io/text_lines.hpp"

#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "helix/util/error.hpp"

namespace helix::io {

void require_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw InputError(path, 0, "no such file");
    throw InputError(path, 0, std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path, 0, "is a directory, expected a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError(path, 0, std::string("cannot read: ") + std::strerror(errno));
  std::fclose(f);
}

struct TextLineReader::Buffer {
  BGZF* fp = nullptr;
  kstring_t line = KS_INITIALIZE;
  ~Buffer() {
    if (fp != nullptr) bgzf_close(fp);
    ks_free(&line);
  }
};

TextLineReader::TextLineReader(const std::string& path)
    : path_(path), buffer_(std::make_unique<Buffer>()) {
  require_readable_file(path);
  buffer_->fp = bgzf_open(path.c_str(), "r");
  if (buffer_->fp == nullptr) {
    throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  }
  // A bgzip file cut exactly at a block boundary decompresses cleanly; only the missing
  // end-of-file marker tells it apart from a complete file.
  if (bgzf_compression(buffer_->fp) == 2 && bgzf_check_EOF(buffer_->fp) == 0) {
    throw InputError(path, 0,
                     "truncated or corrupt compressed data (bgzip end-of-file marker missing)");
  }
}

TextLineReader::~TextLineReader() = default;

bool TextLineReader::next(std::string_view& line) {
  kstring_t& buf = buffer_->line;
  const int n = bgzf_getline(buffer_->fp, '\n', &buf);
  if (n == -1) return false;
  if (n < -1) {
    throw InputError(path_, 0,
                     "truncated or corrupt compressed data " +
                         (line_number_ == 0 ? std::string("(nothing could be decompressed)")
                                            : "(after line " + std::to_string(line_number_) + ")"));
  }
  ++line_number_;
  line = std::string_view(buf.s, buf.l);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

}  // namespace helix::io
