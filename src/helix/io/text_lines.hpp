// Line-by-line reading of text files, plain, gzip or bgzip alike (through htslib's BGZF layer),
// shared by the io text readers so that their file and decompression errors read alike.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace helix::io {

// Throws InputError(path, 0, ...) unless `path` exists, is not a directory and can be opened for
// reading. Shared by the io readers so that these errors read alike.
void require_readable_file(const std::string& path);

// Lines of a plain, gzip or bgzip text file, with the 1-based number of the line last read (for
// error messages).
class TextLineReader {
 public:
  // Throws InputError(path, 0, ...) for a missing, unreadable or directory path, a file that
  // cannot be opened, and a bgzip file whose end-of-file marker is missing (truncated at a block
  // boundary).
  explicit TextLineReader(const std::string& path);
  ~TextLineReader();
  TextLineReader(const TextLineReader&) = delete;
  TextLineReader& operator=(const TextLineReader&) = delete;

  // The next line without its '\n' and a trailing '\r'; the view stays valid until the next call.
  // False at end of file. Throws InputError(path, 0, ...) for corrupt
  // or truncated compressed data, naming the last line read whole.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next(); 0 before the first.
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  struct Buffer;  // the htslib file and line buffer
  std::string path_;
  std::unique_ptr<Buffer> buffer_;
  int64_t line_number_ = 0;
};

}  // namespace helix::io
