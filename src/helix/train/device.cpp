#include "helix/train/device.hpp"

#include <torch/cuda.h>

#include "helix/util/error.hpp"

namespace helix::train {

c10::Device resolve_device(const std::string& name) {
  if (name == "cpu") return c10::kCPU;
  if (name != "cuda" && name != "auto") {
    throw UsageError("unknown device '" + name + "' (expected cpu, cuda or auto)");
  }
  if (torch::cuda::is_available()) return c10::kCUDA;
  if (name == "cuda") throw UsageError("device cuda requested but no CUDA device is available");
  return c10::kCPU;
}

}  // namespace helix::train
