// Writes that never leave a half-written result: data goes to a temporary name in the same
// directory and is renamed over the target only once complete.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace helix {

// Writes `contents` to `path` atomically.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

// Calls writer(tmp_path) to produce the file, then renames tmp_path to `path`. If writer throws,
// the temporary is removed and the exception propagates.
void write_atomic_with(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path&)>& writer);

// A temporary sibling name for `path` (same directory, so rename is atomic).
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

}  // namespace helix
