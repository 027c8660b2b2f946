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
  at::Tensor mlm_loss_of(const at::Tensor& logits, const data::FindnaBatch& batch) const;

  FindnaSetup setup_;
  torch::Device device_;
  nn::PretrainNetwork student_{nullptr}, teacher_{nullptr};
  objectives::DistillationLoss distill_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  LrSchedule lr_;
  int64_t total_steps_;
  double ema_start_, ema_end_, lambda_distill_, lambda_mlm_, grad_clip_;
  objectives::MlmLoss mlm_kind_;
  bool ema_before_step_ = false;
};

}  // namespace helix::train
