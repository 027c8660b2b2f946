// DINO-style self-distillation on FinDNA's CLS outputs: the teacher's outputs are centred and
// sharpened, q = softmax((t - c) / tau_t), and the student is trained towards them with
// L = mean over batch and CLS slots of -sum_k q_k log softmax(s / tau_s)_k. Slot i of the student
// pairs with slot i of the teacher; views are not swapped. The centre c is an EMA (per CLS slot)
// of the teacher's batch-mean output, updated once per training step after the loss and never
// during validation (FinDNA bug B1).
#pragma once

#include <ATen/core/Tensor.h>

namespace helix::objectives {

struct DistillOptions {
  double teacher_temp = 0.04;
  double student_temp = 0.1;
  double center_momentum = 0.9;
};

class DistillationLoss {
 public:
  // slots x channels: the shape of the centre (10 x 5 for FinDNA).
  DistillationLoss(const DistillOptions& options, int64_t slots, int64_t channels);

  // student, teacher: [B, slots, channels]. No gradient flows into the teacher.
  at::Tensor operator()(const at::Tensor& student, const at::Tensor& teacher) const;
  // c <- m c + (1 - m) mean_b teacher.
  void update_center(const at::Tensor& teacher);

  const at::Tensor& center() const { return center_; }
  void set_center(const at::Tensor& center);
  void to(const at::Device& device);

 private:
  DistillOptions options_;
  at::Tensor center_;
};

}  // namespace helix::objectives
