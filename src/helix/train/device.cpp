#include "helix/train/device.hpp"

#include <torch/cuda.h>

#include "helix/util/error.hpp"

namespace helix::train {

c10::Device resolve_device(const std::string& name) {
  if (name == "cpu") return c10::kCPU;
  const std::string prefix = "cuda:";
  if (name.rfind(prefix, 0) == 0) {
    const auto digits = name.substr(prefix.size());
    const bool numeric = !digits.empty() && digits.size() <= 3 &&
                         digits.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric) throw UsageError("unknown device '" + name + "' (expected cuda:N, N a number)");
    const int64_t index = std::stoll(digits);
    const int64_t count = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
    if (index >= count) {
      throw UsageError("device " + name + " requested but " +
                       (count == 0 ? std::string("no CUDA device is available")
                                   : "only " + std::to_string(count) + " CUDA device(s) exist"));
    }
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  if (name != "cuda" && name != "auto") {
    throw UsageError("unknown device '" + name + "' (expected cpu, cuda, cuda:N or auto)");
  }
  if (torch::cuda::is_available()) return c10::kCUDA;
  if (name == "cuda") throw UsageError("device cuda requested but no CUDA device is available");
  return c10::kCPU;
}

}  // namespace helix::train
