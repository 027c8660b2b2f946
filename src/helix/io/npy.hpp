// NumPy .npy files, little-endian, C order. Written as format 1.0 with the exact header bytes NumPy
// writes; versions 2.0 and 3.0 are also read.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace helix::io {

// Writes a float32 / float64 / int64 / int32 / uint8 / bool tensor of any rank atomically
// (temporary name, then rename). Non-contiguous tensors are made contiguous first.
void write_npy(const std::string& path, const at::Tensor& tensor);

// Reads an .npy file written by helix or NumPy (little-endian, C order, the dtypes above).
// Throws InputError for anything else.
at::Tensor read_npy(const std::string& path);

}  // namespace helix::io
