// A module's parameters and buffers as named tensors, out and back in: what weight files and
// checkpoints store.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace helix::nn {

// Parameters then buffers, detached, each named `prefix + module name`.
std::vector<std::pair<std::string, at::Tensor>> module_tensors(const torch::nn::Module& module,
                                                               const std::string& prefix = "");

// Copies `stored[prefix + name]` into every parameter and buffer of `module`. A missing or
// mis-shaped tensor calls `fail(message)`, which must throw (so each caller reports it in its own
// terms: a bad input file, a checkpoint from another config).
void load_module_tensors(const std::map<std::string, at::Tensor>& stored, const std::string& prefix,
                         torch::nn::Module& module,
                         const std::function<void(const std::string&)>& fail);

}  // namespace helix::nn
