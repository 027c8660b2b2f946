// IsoCLR contrastive pretraining on RNA (docs/methods/isoclr.md): each anchor transcript is paired
// with one partner per draw (a splice isoform of its gene, an ortholog from a multiple alignment
// or homology table, else itself), both go through one encoder with masked mean pooling and a
// projection head, and the decoupled contrastive loss pulls partners together and pushes the rest
// of the batch apart. Optional weighted masked-nucleotide term. Same loop, checkpoints, resume and
// encoder.safetensors export as FinDNA.
#pragma once

#include <torch/optim/adamw.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/data/isoclr_batch.hpp"
#include "helix/nn/encoder.hpp"
#include "helix/nn/heads.hpp"
#include "helix/objectives/contrastive.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/pretrain_loop.hpp"
#include "helix/train/schedule.hpp"
#include "helix/util/config.hpp"

namespace helix::train {

// The config schema with the published Orthrus/IsoCLR values as defaults (sections pretrain,
// model, data, isoclr, train).
const std::string& isoclr_config_defaults();

// The encoder the config describes, as stored in weight files.
nlohmann::json isoclr_encoder_description(const Config& config);
// What `helix pretrain --dry-run` prints for an IsoCLR config: encoder, parameter counts.
nlohmann::json describe_isoclr_model(const Config& config);

// Reads the corpus the config names (transcripts with their GTF, optional homology table,
// optional MAF orthologs). Throws InputError for bad files; logs counted skips.
data::PairCorpus load_isoclr_corpus(const Config& config);

struct IsoclrStepResult {
  double loss = 0, contrastive = 0, mlm = 0, lr = 0, grad_norm = 0;
  int64_t pairs[3] = {0, 0, 0};  // by PairType
};

// Model, heads, optimiser and schedule of one IsoCLR run; the trainer and tests drive it.
class IsoclrStep {
 public:
  IsoclrStep(const Config& config, torch::Device device);

  IsoclrStepResult train_step(const data::IsoclrBatch& batch, int64_t step);
  // Held-out metrics on unaugmented batches: contrastive loss, top-1 retrieval of the partner
  // among the batch's partners, and mean cosine similarity of the pooled embeddings of positive
  // pairs against shuffled pairs.
  nlohmann::json validate(const std::vector<data::IsoclrBatch>& batches);
  // Pooled encoder embeddings [N, D] of rows of a batch (eval mode, no gradient).
  at::Tensor embed(const at::Tensor& x, const at::Tensor& lengths);

  std::vector<std::pair<std::string, at::Tensor>> checkpoint_tensors() const;
  void restore(const Checkpoint& checkpoint);
  torch::optim::AdamW& optimizer() { return *optimizer_; }
  nn::EncoderBase& encoder() { return *encoder_; }
  const nlohmann::json& description() const { return description_; }

 private:
  // Pooled [2B, D] features and, for the MLM term, per-position features [2B, L, D].
  std::pair<at::Tensor, at::Tensor> encode(const at::Tensor& x, const at::Tensor& lengths);

  nlohmann::json description_;
  torch::Device device_;
  std::shared_ptr<nn::EncoderBase> encoder_;
  nn::MlpHead projection_{nullptr};
  nn::MlpHead mlm_head_{nullptr};
  objectives::ContrastiveOptions loss_;
  double weights_[3] = {1, 1, 1};
  double cl_weight_ = 1, mlm_weight_ = 0, grad_clip_ = 5;
  uint64_t seed_ = 0;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<double> peak_lrs_;  // per parameter group; the schedule is a factor on each
  LrSchedule lr_;
};

int run_isoclr_pretraining(const Config& config, const PretrainOptions& options);

}  // namespace helix::train
