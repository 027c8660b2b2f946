// Exponential moving average of parameters: teacher <- m teacher + (1 - m) student.
#pragma once

#include <torch/nn/module.h>

namespace helix::train {

// Both modules must have the same parameters in the same order. Buffers (e.g. batch-norm
// statistics) are copied from the student.
void ema_update(torch::nn::Module& teacher, const torch::nn::Module& student, double momentum);

// Copies every parameter and buffer of `from` into `to` (same architecture).
void copy_weights(torch::nn::Module& to, const torch::nn::Module& from);

}  // namespace helix::train
