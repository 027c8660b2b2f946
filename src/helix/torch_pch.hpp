// Precompiled header for helix_core: the LibTorch headers almost every TU needs.
// Kept to the narrow frontend headers rather than <torch/torch.h>.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <string>
#include <vector>
