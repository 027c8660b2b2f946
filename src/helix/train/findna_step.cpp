#include "helix/train/findna_step.hpp"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/utils/clip_grad.h>

#include <cmath>

#include "helix/nn/module_tensors.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/swan.hpp"
#include "helix/train/ema.hpp"
#include "helix/train/pretrain_config.hpp"
#include "helix/util/error.hpp"

namespace helix::train {

FindnaSetup resolve_findna_setup(const Config& config) {
  FindnaSetup s;
  s.alphabet = seq::Alphabet::from_name(config.get_string("model.alphabet"));
  s.window = config.get_int("data.window");
  s.cls = config.get_int("findna.cls_tokens");
  const auto name = config.get_string("model.name");
  if (name != "swan") {
    throw UsageError("FinDNA pretraining needs model.name=swan (per-position outputs); got '" +
                     name + "'");
  }
  s.description =
      swan_options_from_config(config, s.alphabet.channels(), s.window + s.cls).to_json();
  s.description["alphabet"] = s.alphabet.name();
  return s;
}

data::FindnaViewOptions findna_view_options(const Config& c) {
  data::FindnaViewOptions v;
  v.mask.select_prob = c.get_double("findna.mask_prob");
  v.mask.zero_prob = c.get_double("findna.mask_zero");
  v.mask.random_prob = c.get_double("findna.mask_random");
  v.noise_std = c.get_double("findna.noise_std");
  v.rc_prob = c.get_double("findna.rc_prob");
  v.max_deletion = c.get_int("findna.max_deletion");
  v.max_insertion = c.get_int("findna.max_insertion");
  v.max_translocation = c.get_int("findna.max_translocation");
  v.cls_tokens = c.get_int("findna.cls_tokens");
  if (v.mask.zero_prob + v.mask.random_prob > 1 + 1e-12) {
    c.fail("findna.mask_random",
           "findna.mask_zero + findna.mask_random must be at most 1 (they split the selected "
           "positions), got " +
               std::to_string(v.mask.zero_prob) + " + " + std::to_string(v.mask.random_prob));
  }
  // An edit as long as the window replaces all of it: the teacher view would share nothing with
  // the student's.
  const int64_t window = c.get_int("data.window");
  for (const char* key : {"findna.max_deletion", "findna.max_insertion"}) {
    if (c.get_int(key) >= window) {
      c.fail(key, std::string(key) + " must be below data.window (" + std::to_string(window) +
                      "), got " + std::to_string(c.get_int(key)));
    }
  }
  v.rc_mode = c.get_choice("findna.rc_mode", {"complement", "flip_axes"}) == "complement"
                  ? data::RcMode::kComplement
                  : data::RcMode::kFlipAxes;
  v.translocation_only = c.get_choice("findna.teacher_augment",
                                      {"chained", "translocation_only"}) == "translocation_only";
  return v;
}

double findna_encoder_macs_per_position(const FindnaSetup& s) {
  const auto& d = s.description;
  const double width = d["width"], mlp = d["mlp_dim"], in = d["in_channels"];
  const double layers = d["n_encoders"].get<double>() * d["layers_per_encoder"].get<double>();
  return in * width + layers * 2.0 * width * mlp;
}

double findna_macs_per_position(const FindnaSetup& s) {
  const double width = s.description["width"];
  return findna_encoder_macs_per_position(s) + width * s.alphabet.channels();
}

FindnaObjectiveOptions findna_objective_options(const Config& c) {
  FindnaObjectiveOptions o;
  o.distill = {c.get_double("findna.teacher_temp"), c.get_double("findna.student_temp"),
               c.get_double("findna.center_momentum")};
  o.mlm_kind = objectives::mlm_loss_from_name(c.get_string("findna.mnm_loss"));
  o.lambda_distill = c.get_double("findna.lambda_distill");
  o.lambda_mlm = c.get_double("findna.lambda_mlm");
  o.grad_clip = c.get_double("train.grad_clip");
  o.ema_start = c.get_double("findna.ema_start");
  o.ema_end = c.get_double("findna.ema_end");
  o.ema_before_step =
      c.get_choice("findna.ema_timing", {"after_step", "before_step"}) == "before_step";
  return o;
}

FindnaStep::FindnaStep(const Config& config, torch::Device device)
    : setup_(resolve_findna_setup(config)),
      device_(device),
      objective_(findna_objective_options(config)),
      distill_(objective_.distill, setup_.cls, setup_.alphabet.channels()),
      total_steps_(config.get_int("train.steps")) {
  if (total_steps_ < 1) throw UsageError("train.steps must be positive");
  at::manual_seed(static_cast<uint64_t>(config.get_int("train.seed")));
  student_ = nn::PretrainNetwork(nn::build_encoder(setup_.description), setup_.alphabet.channels());
  teacher_ = nn::PretrainNetwork(nn::build_encoder(setup_.description), setup_.alphabet.channels());
  copy_weights(*teacher_, *student_);
  for (auto& p : teacher_->parameters()) p.set_requires_grad(false);
  student_->to(device_);
  teacher_->to(device_);
  student_->train();
  teacher_->eval();
  distill_.to(device_);
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      student_->parameters(), torch::optim::AdamWOptions(config.get_double("train.lr"))
                                  .weight_decay(config.get_double("train.weight_decay")));
  lr_ = {
      config.get_double("train.lr"),
      static_cast<int64_t>(std::llround(config.get_double("train.warmup_fraction") * total_steps_)),
      total_steps_};
}

StepResult FindnaStep::train_step(const data::FindnaBatch& batch, int64_t step) {
  const auto student_in = batch.student.to(device_);
  const auto teacher_in = batch.teacher.to(device_);
  const auto target = data::mlm_targets(batch).to(device_);
  const bool cuda = device_.is_cuda();
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  }
  auto out_s = student_->forward(student_in);
  at::Tensor out_t;
  {
    torch::NoGradGuard no_grad;
    out_t = teacher_->forward(teacher_in);
  }
  if (cuda) {
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
  }
  auto logits = out_s.narrow(1, 0, setup_.window);
  auto mlm_loss = mlm_loss_of(logits, batch, target);
  auto teacher_cls = out_t.narrow(1, setup_.window, setup_.cls).to(at::kFloat);
  auto distill_loss = distill_(out_s.narrow(1, setup_.window, setup_.cls), teacher_cls);
  auto loss = objective_.lambda_distill * distill_loss + objective_.lambda_mlm * mlm_loss;

  StepResult r;
  r.loss = loss.item<double>();
  if (!std::isfinite(r.loss)) {
    throw Error("non-finite loss (" + std::to_string(r.loss) + ")");
  }
  r.mlm_loss = mlm_loss.item<double>();
  r.distill_loss = distill_loss.item<double>();
  optimizer_->zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(student_->parameters(), objective_.grad_clip);
  r.lr = lr_.at(step);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(r.lr);
  }
  // Teacher after the optimizer step, as in DINO; before it in the original code (bug B6).
  r.ema_momentum = ema_momentum(step, total_steps_, objective_.ema_start, objective_.ema_end);
  if (objective_.ema_before_step) ema_update(*teacher_, *student_, r.ema_momentum);
  optimizer_->step();
  if (!objective_.ema_before_step) ema_update(*teacher_, *student_, r.ema_momentum);
  // Centre from training batches only (never in validation: bug B1).
  distill_.update_center(teacher_cls);
  const auto acc = objectives::masked_nucleotide_accuracy(logits.detach(), target);
  r.correct = acc.correct;
  r.counted = acc.counted;
  return r;
}

nlohmann::json FindnaStep::validate(const std::vector<data::FindnaBatch>& batches) {
  torch::NoGradGuard no_grad;
  student_->eval();
  double loss_sum = 0;
  objectives::MlmAccuracy student_acc, teacher_acc;
  for (const auto& b : batches) {
    const auto input = b.student.to(device_);
    const auto target = data::mlm_targets(b).to(device_);
    auto s = student_->forward(input).narrow(1, 0, setup_.window);
    auto t = teacher_->forward(input).narrow(1, 0, setup_.window);
    loss_sum += mlm_loss_of(s, b, target).item<double>();
    student_acc.merge(objectives::masked_nucleotide_accuracy(s, target));
    teacher_acc.merge(objectives::masked_nucleotide_accuracy(t, target));
  }
  student_->train();
  return {{"val_mlm_loss", batches.empty() ? 0.0 : loss_sum / batches.size()},
          {"val_mlm_acc", student_acc.accuracy()},
          {"val_teacher_mlm_acc", teacher_acc.accuracy()},
          {"val_majority_acc", student_acc.majority_accuracy()}};
}

at::Tensor FindnaStep::mlm_loss_of(const at::Tensor& logits, const data::FindnaBatch& batch,
                                   const at::Tensor& targets) const {
  if (objective_.mlm_kind == objectives::MlmLoss::kScrambledBce) {
    return objectives::scrambled_mask_bce(logits, batch.mlm_mask.to(device_),
                                          batch.original.to(device_));
  }
  return objectives::masked_nucleotide_loss(logits, targets, objective_.mlm_kind);
}

std::vector<std::pair<std::string, at::Tensor>> FindnaStep::checkpoint_tensors() const {
  auto tensors = nn::module_tensors(*student_, "student.");
  for (auto& t : nn::module_tensors(*teacher_, "teacher.")) tensors.push_back(t);
  tensors.emplace_back("distill.center", distill_.center());
  return tensors;
}

void FindnaStep::restore(const Checkpoint& checkpoint) {
  load_module(checkpoint, "student.", *student_);
  load_module(checkpoint, "teacher.", *teacher_);
  load_optimizer(checkpoint, *optimizer_);
  auto it = checkpoint.tensors.find("distill.center");
  if (it == checkpoint.tensors.end()) {
    throw Error("checkpoint " + checkpoint.directory.string() + " has no distill.center");
  }
  distill_.set_center(it->second);
  distill_.to(device_);
}

}  // namespace helix::train
