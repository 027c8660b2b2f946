#include "helix/util/error.hpp"

#include <c10/util/Exception.h>

namespace helix {
namespace {
std::string format_input_error(const std::string& file, int64_t line, const std::string& problem) {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
  }
  return out + problem;
}
}  // namespace

InputError::InputError(std::string file, int64_t line, const std::string& problem)
    : Error(format_input_error(file, line, problem)), file_(std::move(file)), line_(line) {}

void translate_torch_error(const std::string& context, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const c10::Error& e) {
    throw Error(context + ": " + e.what_without_backtrace());
  }
}

int exit_code_for(const std::exception& e) {
  if (dynamic_cast<const InputError*>(&e) != nullptr) return 2;
  if (dynamic_cast<const UsageError*>(&e) != nullptr) return 2;
  return 1;
}

}  // namespace helix
