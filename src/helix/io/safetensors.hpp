// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then
// the raw little-endian tensor bytes. Readable by Python's `safetensors` package.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace helix::io {

struct SafetensorsContents {
  std::vector<std::pair<std::string, at::Tensor>> tensors;  // in file (offset) order
  std::map<std::string, std::string> metadata;
  // The tensor with this name; throws InputError naming the file if absent.
  const at::Tensor& at(const std::string& name) const;
  std::string path;
};

// Writes tensors (F32, F64, BF16, F16, I64, I32, U8, BOOL; moved to CPU and made contiguous)
// and string metadata atomically. Names must be unique.
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata);

// Reads a safetensors file completely. Throws InputError for a missing, truncated or malformed
// file (bad header length, invalid JSON, offsets outside the data, unsupported dtype).
SafetensorsContents load_safetensors(const std::string& path);

}  // namespace helix::io
