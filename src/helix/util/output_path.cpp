#include "helix/util/output_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "helix/util/error.hpp"

namespace helix {
namespace fs = std::filesystem;

namespace {

fs::path normalised(const fs::path& p) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : canonical;
}

// True when `inner` is `outer` or lies below it.
bool is_within(const fs::path& inner, const fs::path& outer) {
  const auto a = normalised(inner), b = normalised(outer);
  auto ai = a.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;  // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

// Creating (and removing) a probe file is the only reliable test: access(2) says yes to root
// in read-only or virtual directories such as /proc.
void check_accepts_new_files(const fs::path& dir, const std::string& out) {
  const auto probe = dir / (".helix-write-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int err = errno;
    throw UsageError("cannot write " + out + ": cannot create files in " + dir.string() + " (" +
                     std::strerror(err) + ")");
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

// The nearest existing ancestor of `p` (itself if it exists), which must be a directory.
fs::path existing_directory_above(const fs::path& p, const std::string& out) {
  fs::path at = fs::absolute(p).lexically_normal();
  std::error_code ec;
  while (!fs::exists(at, ec)) {
    if (!at.has_relative_path()) break;
    at = at.parent_path();
  }
  if (!fs::is_directory(at, ec)) {
    throw UsageError("cannot write " + out + ": " + at.string() + " is not a directory");
  }
  return at;
}

void check_not_input(const fs::path& out, const std::string& shown,
                     const std::vector<std::string>& inputs) {
  for (const auto& input : inputs) {
    if (input.empty() || input == "-") continue;
    if (same_file(out, input)) {
      throw UsageError("output " + shown + " is the input " + input +
                       "; writing it would destroy the input (choose another output path)");
    }
  }
}

}  // namespace

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) {
    const bool same = fs::equivalent(a, b, ec);
    if (!ec) return same;
  }
  return normalised(a) == normalised(b);
}

void check_output_file(const std::string& out, const std::vector<std::string>& inputs) {
  if (out.empty()) throw UsageError("empty output path");
  check_not_input(out, out, inputs);
  std::error_code ec;
  if (fs::is_directory(out, ec)) {
    throw UsageError("output " + out + " is an existing directory; give a file name");
  }
  fs::path parent = fs::absolute(out).parent_path();
  if (!fs::exists(parent, ec)) {
    existing_directory_above(parent, out);  // a regular file on the way is named as such
    throw UsageError("cannot write " + out + ": directory " + fs::path(out).parent_path().string() +
                     " does not exist");
  }
  if (!fs::is_directory(parent, ec)) {
    throw UsageError("cannot write " + out + ": " + parent.string() + " is not a directory");
  }
  check_accepts_new_files(parent, out);
}

void check_output_directory(const std::string& dir, const std::vector<std::string>& written,
                            const std::vector<std::string>& inputs) {
  if (dir.empty()) throw UsageError("empty output directory");
  check_not_input(dir, dir, inputs);
  for (const auto& input : inputs) {
    if (input.empty() || input == "-") continue;
    for (const auto& name : written) {
      if (is_within(input, fs::path(dir) / name)) {
        throw UsageError("input " + input + " lies where the run writes " +
                         (fs::path(dir) / name).string() +
                         "; it would be overwritten (choose another output directory)");
      }
    }
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw UsageError("output directory " + dir + " is an existing file");
  }
  check_accepts_new_files(existing_directory_above(dir, dir), dir);
}

}  // namespace helix
