// One FinDNA optimisation step and the state it updates (student, EMA teacher, distillation
// centre, AdamW, schedules). The trainer drives it over a genome; the throughput benchmark
// drives the very same code on synthetic batches.
#pragma once

#include <torch/optim/adamw.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "helix/data/findna_views.hpp"
#include "helix/nn/heads.hpp"
#include "helix/objectives/mlm.hpp"
#include "helix/objectives/self_distill.hpp"
#include "helix/seq/alphabet.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/schedule.hpp"
#include "helix/util/config.hpp"

namespace helix::train {

// What a FinDNA config resolves to before anything is built.
struct FindnaSetup {
  seq::Alphabet alphabet = seq::Alphabet::from_name("acgt");
  nlohmann::json description;  // the encoder, as stored in weight files
  int64_t window = 0;
  int64_t cls = 0;
};
FindnaSetup resolve_findna_setup(const Config& config);
data::FindnaViewOptions findna_view_options(const Config& config);
// Multiply-adds per position of one forward pass (linear layers only): of the encoder alone
// (what embedding costs), and of the pretraining network (encoder + per-position head).
double findna_encoder_macs_per_position(const FindnaSetup& setup);
double findna_macs_per_position(const FindnaSetup& setup);

// The objective's settings, read and validated from the config (also by `--dry-run`).
struct FindnaObjectiveOptions {
  objectives::DistillOptions distill;
  objectives::MlmLoss mlm_kind = objectives::MlmLoss::kSoftmax;
  double lambda_distill = 1.0, lambda_mlm = 1.0, grad_clip = 0.5;
  double ema_start = 0.996, ema_end = 1.0;
  bool ema_before_step = false;  // the original code's timing (bug B6)
};
FindnaObjectiveOptions findna_objective_options(const Config& config);

struct StepResult {
  double loss = 0, mlm_loss = 0, distill_loss = 0, lr = 0, ema_momentum = 0;
  int64_t correct = 0, counted = 0;  // masked-nucleotide accuracy on the batch
};

class FindnaStep {
 public:
  // Builds student and teacher (identical at step 0, seeded by train.seed) on `device`.
  FindnaStep(const Config& config, torch::Device device);

  // One step at 0-based index `step`: forward both networks, losses, backward, clip, AdamW with
  // the scheduled learning rate, then the EMA teacher and centre updates. Throws helix::Error
  // for a non-finite loss before any weight changes.
  StepResult train_step(const data::FindnaBatch& batch, int64_t step);

  // Held-out masked-nucleotide loss and accuracy (student and teacher) and the accuracy of
  // always predicting the most frequent base.
  nlohmann::json validate(const std::vector<data::FindnaBatch>& batches);

  std::vector<std::pair<std::string, at::Tensor>> checkpoint_tensors() const;
  void restore(const Checkpoint& checkpoint);

  const FindnaSetup& setup() const { return setup_; }
  nn::PretrainNetwork& student() { return student_; }
  nn::PretrainNetwork& teacher() { return teacher_; }
  torch::optim::AdamW& optimizer() { return *optimizer_; }

 private:
  // targets: mlm_targets(batch), already on the device.
  at::Tensor mlm_loss_of(const at::Tensor& logits, const data::FindnaBatch& batch,
                         const at::Tensor& targets) const;

  FindnaSetup setup_;
  torch::Device device_;
  nn::PretrainNetwork student_{nullptr}, teacher_{nullptr};
  FindnaObjectiveOptions objective_;
  objectives::DistillationLoss distill_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  LrSchedule lr_;
  int64_t total_steps_;
};

}  // namespace helix::train
