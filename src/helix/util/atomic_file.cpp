#include "helix/util/atomic_file.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "helix/util/error.hpp"

namespace helix {

std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  static std::atomic<int> counter{0};
  auto name = "." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
              std::to_string(counter++);
  return path.parent_path() / name;
}

void write_atomic_with(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path&)>& writer) {
  const auto tmp = temporary_sibling(path);
  auto discard = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(tmp, ignored);
  };
  try {
    writer(tmp);
    std::filesystem::rename(tmp, path);
  } catch (const std::filesystem::filesystem_error& e) {
    discard();
    throw Error("cannot write " + path.string() + ": " + e.code().message());
  } catch (const Error& e) {
    discard();
    // The hidden temporary means nothing to the user: messages name the path they gave.
    std::string what = e.what();
    for (auto at = what.find(tmp.string()); at != std::string::npos;
         at = what.find(tmp.string(), at + path.string().size())) {
      what.replace(at, tmp.string().size(), path.string());
    }
    if (dynamic_cast<const InputError*>(&e) || dynamic_cast<const UsageError*>(&e)) throw;
    throw Error(what);
  } catch (...) {
    discard();
    throw;
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& contents) {
  write_atomic_with(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error("cannot write " + tmp.string());
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) throw Error("failed writing " + tmp.string());
  });
}

}  // namespace helix
