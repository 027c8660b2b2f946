// Device choice shared by training and evaluation commands.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace helix::train {

// "cpu", "cuda" or "cuda:N" (UsageError when no such CUDA device is available) or "auto" (CUDA
// when available); any other name is a UsageError.
c10::Device resolve_device(const std::string& name);

}  // namespace helix::train
