#include "helix/train/ema.hpp"

#include <torch/csrc/autograd/grad_mode.h>

#include "helix/util/error.hpp"

namespace helix::train {

void ema_update(torch::nn::Module& teacher, const torch::nn::Module& student, double momentum) {
  torch::NoGradGuard no_grad;
  auto t = teacher.parameters();
  const auto s = student.parameters();
  if (t.size() != s.size()) throw Error("ema_update: teacher and student differ in parameters");
  for (size_t i = 0; i < t.size(); ++i) t[i].mul_(momentum).add_(s[i], 1.0 - momentum);
  auto tb = teacher.buffers();
  const auto sb = student.buffers();
  for (size_t i = 0; i < tb.size() && i < sb.size(); ++i) tb[i].copy_(sb[i]);
}

void copy_weights(torch::nn::Module& to, const torch::nn::Module& from) {
  torch::NoGradGuard no_grad;
  auto t = to.named_parameters();
  for (const auto& p : from.named_parameters()) t[p.key()].copy_(p.value());
  auto tb = to.named_buffers();
  for (const auto& b : from.named_buffers()) tb[b.key()].copy_(b.value());
}

}  // namespace helix::train
