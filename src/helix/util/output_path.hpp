// Checks on output paths made before any work starts, so that a run never destroys one of its
// own inputs and never fails at the very end because its output cannot be written. Each check
// throws UsageError (exit 2) naming the path the user gave.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace helix {

// True when a and b name the same file: the same inode when both exist (links, hard links,
// "..", relative and absolute spellings), else the same normalised absolute path.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// `out` will be written as one file: it must not be one of `inputs` (empty entries ignored),
// must not be an existing directory, and its directory must exist and accept new files.
void check_output_file(const std::string& out, const std::vector<std::string>& inputs);

// `dir` will be created (if needed) and the entries `written` (file or directory names directly
// inside it) written: `dir` must not be an input file, no input may be one of those entries or lie
// inside one, `dir` must be a directory or creatable (its nearest existing ancestor a writable
// directory), and an existing `dir` must accept new files.
void check_output_directory(const std::string& dir, const std::vector<std::string>& written,
                            const std::vector<std::string>& inputs);

}  // namespace helix
