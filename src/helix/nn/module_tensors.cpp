#include "helix/nn/module_tensors.hpp"

#include <torch/csrc/autograd/grad_mode.h>

namespace helix::nn {

std::vector<std::pair<std::string, at::Tensor>> module_tensors(const torch::nn::Module& module,
                                                               const std::string& prefix) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : module.named_parameters())
    out.emplace_back(prefix + p.key(), p.value().detach());
  for (const auto& b : module.named_buffers())
    out.emplace_back(prefix + b.key(), b.value().detach());
  return out;
}

void load_module_tensors(const std::map<std::string, at::Tensor>& stored, const std::string& prefix,
                         torch::nn::Module& module,
                         const std::function<void(const std::string&)>& fail) {
  torch::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, at::Tensor target) {
    auto it = stored.find(prefix + name);
    if (it == stored.end()) {
      fail("missing tensor '" + prefix + name + "'");
    } else if (it->second.sizes() != target.sizes()) {
      fail("tensor '" + prefix + name + "' has shape " + c10::str(it->second.sizes()) +
           ", the model expects " + c10::str(target.sizes()));
    } else {
      target.copy_(it->second);
    }
  };
  for (auto& p : module.named_parameters()) restore(p.key(), p.value());
  for (auto& b : module.named_buffers()) restore(b.key(), b.value());
}

}  // namespace helix::nn
