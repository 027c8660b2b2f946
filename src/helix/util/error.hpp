// One exception hierarchy for helix. Commands catch these at the boundary and map them to exit
// codes: InputError and UsageError -> 2 (bad input or usage), anything else -> 1.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace helix {

// Base of every error helix throws on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// The user asked for something malformed (bad option, unknown config key, bad override).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what) {}
};

// A user-supplied file is missing or malformed. Carries the file and (when known) the 1-based
// line so the message can point at the exact place.
class InputError : public Error {
 public:
  InputError(std::string file, int64_t line, const std::string& problem);
  explicit InputError(const std::string& problem) : InputError("", 0, problem) {}
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }

 private:
  std::string file_;
  int64_t line_;
};

// Runs fn and rethrows LibTorch's c10::Error as helix::Error with `context` prepended, so that
// messages reaching the user say what helix was doing rather than where in ATen it failed.
void translate_torch_error(const std::string& context, const std::function<void()>& fn);

// Exit code for an exception caught at the command boundary.
int exit_code_for(const std::exception& e);

}  // namespace helix
