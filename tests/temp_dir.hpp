// A temporary directory for tests: created with mkdtemp, removed with its contents at
// destruction, with a helper that writes a file into it.
#pragma once

#include <htslib/bgzf.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace helix::test {

// Writes `contents` through htslib, as the readers read it back: mode "w" writes bgzip, "wg"
// plain gzip. Returns the path; throws std::runtime_error when htslib fails.
inline std::string write_compressed_file(const std::string& path, const std::string& contents,
                                         const char* mode) {
  BGZF* fp = bgzf_open(path.c_str(), mode);
  if (fp == nullptr) throw std::runtime_error("bgzf_open failed for " + path);
  const bool written =
      bgzf_write(fp, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  if (bgzf_close(fp) != 0 || !written) throw std::runtime_error("bgzf_write failed for " + path);
  return path;
}

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "helix_test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `contents` (binary) to the file `name` in the directory; returns its path.
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << contents;
    return file;
  }
  // The same, compressed (see write_compressed_file).
  std::string write_compressed(const std::string& name, const std::string& contents,
                               const char* mode) const {
    return write_compressed_file((path_ / name).string(), contents, mode);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace helix::test
