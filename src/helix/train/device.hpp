// Device choice shared by training and evaluation commands.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace helix::train {

// "cpu", "cuda" (UsageError when no CUDA device is available) or "auto" (CUDA when available).
c10::Device resolve_device(const std::string& name);

}  // namespace helix::train
