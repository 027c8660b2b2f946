#include "helix/objectives/self_distill.hpp"

#include <ATen/ATen.h>

namespace helix::objectives {

DistillationLoss::DistillationLoss(const DistillOptions& options, int64_t slots, int64_t channels)
    : options_(options), center_(at::zeros({slots, channels}, at::kFloat)) {}

at::Tensor DistillationLoss::operator()(const at::Tensor& student,
                                        const at::Tensor& teacher) const {
  auto t = teacher.detach().to(at::kFloat);
  auto q = at::softmax((t - center_) / options_.teacher_temp, -1);
  auto log_p = at::log_softmax(student.to(at::kFloat) / options_.student_temp, -1);
  return -(q * log_p).sum(-1).mean();
}

void DistillationLoss::update_center(const at::Tensor& teacher) {
  auto batch_mean = teacher.detach().to(at::kFloat).mean(0);
  center_.mul_(options_.center_momentum).add_(batch_mean, 1.0 - options_.center_momentum);
}

void DistillationLoss::set_center(const at::Tensor& center) {
  center_ = center.to(center_.device(), at::kFloat).clone();
}

void DistillationLoss::to(const at::Device& device) { center_ = center_.to(device); }

}  // namespace helix::objectives
