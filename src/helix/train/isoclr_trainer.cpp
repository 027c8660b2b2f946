#include "helix/train/isoclr_trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/utils/clip_grad.h>

#include <cmath>

#include "helix/data/orthologs.hpp"
#include "helix/data/prefetcher.hpp"
#include "helix/data/transcripts.hpp"
#include "helix/io/genome.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/nn/module_tensors.hpp"
#include "helix/nn/pooling.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/swan.hpp"
#include "helix/objectives/mlm.hpp"
#include "helix/train/pretrain_config.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/progress.hpp"

namespace helix::train {
namespace fs = std::filesystem;

const std::string& isoclr_config_defaults() {
  static const std::string kDefaults = R"yaml(
pretrain:
  objective: isoclr      # the pretraining method this config drives
model:
  name: dilated_resnet   # dilated_resnet (dilated_small by default) or swan
  tracks: {default: 6, range: "[4, 6]"}  # 6: A C G T + codon + splice tracks; 4: nucleotides only
  filters: {default: [64, 128, 128, 256], range: "[1, 65536]"}  # dilated_resnet: channels per stage
  blocks: {default: [2, 2, 2, 2], range: "[0, 1000]"}  # dilated_resnet: residual blocks per stage
  dilations: {default: [1, 2, 4, 8], range: "[1, 1000000]"}  # dilated_resnet: dilation per stage
  kernel_size: {default: 2, range: "[1, 10000]"}  # dilated_resnet
  dropout: {default: 0.1, range: "[0, 1)"}  # dilated_resnet (none in the last stage); swan
  group_size: {default: 28, range: "[1, 4096]"}  # swan: channels per shift group
  mlp_dim: {default: 512, range: "[1, 1048576]"}  # swan
  n_encoders: {default: 1, range: "[1, 256]"}  # swan
  layers_per_encoder: {default: 0, range: "[0, 64]"}  # swan: 0 = ceil(log2 data.max_length)
data:
  transcripts: ""        # FASTA of mature transcripts (ids as in data.gtf), or
  genome: ""             #   a genome FASTA/2bit from which data.gtf's exons are assembled
  gtf: ""                # GTF or GFF3 annotation (exons, CDS, transcript and gene ids)
  homology: ""           # optional two-column table: gene id, homology group
  maf: ""                # optional multiple alignment (MAF): ortholog pairs
  maf_reference: Hsap    # species prefix (before the '.') of the anchor rows in data.maf
  maf_window: {default: 3000, range: "[0, 1e9]"}  # alignment columns per ortholog window (0: whole blocks)
  maf_min_length: {default: 200, range: "[1, 1e9]"}  # shorter ortholog windows are skipped
  max_length: {default: 12288, range: "[1, 1e9]"}  # sequences this long or longer are dropped, not truncated
  long_threshold: {default: 3900, range: "[1, 1e9]"}  # anchors at least this long form the long bucket
  holdout_fraction: {default: 0.05, range: "[0, 1)"}  # of the short bucket (whole genes), for validation
  loader_threads: {default: 1, range: "[1, 256]"}  # threads building batches ahead of the training step
  prefetch: {default: 4, range: "[1, 1024]"}  # batches built ahead
isoclr:
  loss: dcl              # dcl (two log-sum-exps, as the released models), dcl_pooled, ntxent
  temperature: {default: 0.1, range: "(0, inf)"}
  projection_hidden: {default: 512, range: "[1, 1048576]"}
  projection_dim: {default: 128, range: "[1, 1048576]"}
  mask_prob: {default: 0.15, range: "[0, 1)"}  # positions per view with all channels zeroed
  max_shift: {default: 3, range: "[0, 1000000]"}  # random right shift 0..max_shift per view
  p_ortho: {default: -1.0, range: "[-1, 1]"}  # < 0: partner uniform over isoforms and orthologs; else P(ortholog)
  w_self: {default: 1.0, range: "[0, inf)"}  # pair-type weights on the positive term
  w_splice: {default: 1.0, range: "[0, inf)"}
  w_ortho: {default: 1.0, range: "[0, inf)"}
  mark_transcript_end: true  # splice track marks the last base (I1, as the released weights)
  include_stop: false    # codon track includes the stop codon (genePred convention, I2)
  cl_weight: {default: 1.0, range: "[0, inf)"}  # weight of the contrastive loss
  mlm_weight: {default: 0.0, range: "[0, inf)"}  # weight of the masked-nucleotide loss (needs a per-position encoder)
train:
  steps: {default: 20000, range: "[1, 1e12]"}  # optimiser steps
  batch_size: {default: 150, range: "[2, 1000000]"}  # pairs per batch from the short bucket
  batch_size_long: {default: 50, range: "[2, 1000000]"}  # pairs per batch from the long bucket
  lr: {default: 1.0e-3, range: "[0, inf)"}  # AdamW peak learning rate of the encoder
  weight_decay: {default: 5.0e-5, range: "[0, inf)"}
  head_lr: {default: 1.0e-3, range: "[0, inf)"}  # projection (and MLM) head
  head_weight_decay: {default: 1.0e-4, range: "[0, inf)"}
  warmup_fraction: {default: 0.1, range: "[0, 1)"}  # warm-up over min(warmup_max_steps, fraction x steps), then cosine to 0
  warmup_max_steps: {default: 10000, range: "[0, 1e12]"}
  warmup_start_factor: {default: 0.1, range: "[0, 1]"}  # warm-up starts at this fraction of lr
  grad_clip: {default: 5.0, range: "[0, inf)"}  # global gradient norm (0: off, the original code's behaviour, I3)
)yaml" + pretraining_loop_keys();
  return kDefaults;
}

namespace {

constexpr uint64_t kTrainStream = 11;
constexpr uint64_t kValidationStream = 12;
constexpr uint64_t kDropoutStream = 13;

std::vector<int64_t> get_ints(const Config& c, const std::string& key) {
  std::vector<int64_t> out;
  for (const auto& s : c.get_strings(key)) {
    try {
      size_t used = 0;
      out.push_back(std::stoll(s, &used));
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (const std::exception&) {
      c.fail(key, key + " must be a list of integers; got '" + s + "'");
    }
  }
  return out;
}

int64_t tracks_of(const Config& c) {
  const auto tracks = c.get_int("model.tracks");
  if (tracks != 4 && tracks != 6) c.fail("model.tracks", "model.tracks must be 4 or 6");
  return tracks;
}

data::IsoclrViewOptions view_options(const Config& c, bool augment) {
  data::IsoclrViewOptions v;
  v.channels = tracks_of(c);
  v.tracks.mark_transcript_end = c.get_bool("isoclr.mark_transcript_end");
  v.augment = augment;
  v.mask_prob = c.get_double("isoclr.mask_prob");
  v.max_shift = c.get_int("isoclr.max_shift");
  return v;
}

data::RnaRecord record_of(const data::Transcript& t) {
  data::RnaRecord r;
  r.id = t.id;
  r.group = t.gene_id;
  r.sequence = t.sequence;
  r.exon_lengths = t.exon_lengths;
  r.cds_begin = t.cds_begin;
  r.cds_end = t.cds_end;
  return r;
}

data::RnaRecord unspliced(std::string id, std::string group, std::string sequence) {
  data::RnaRecord r;
  r.id = std::move(id);
  r.group = std::move(group);
  r.exon_lengths = {static_cast<int64_t>(sequence.size())};
  r.sequence = std::move(sequence);
  return r;
}

}  // namespace

nlohmann::json isoclr_encoder_description(const Config& c) {
  const auto name = c.get_choice("model.name", {"dilated_resnet", "swan"});
  const auto tracks = tracks_of(c);
  nlohmann::json d;
  if (name == "dilated_resnet") {
    d = {{"name", name},
         {"in_channels", tracks},
         {"filters", get_ints(c, "model.filters")},
         {"blocks", get_ints(c, "model.blocks")},
         {"dilations", get_ints(c, "model.dilations")},
         {"kernel_size", c.get_int("model.kernel_size")},
         {"dropout", c.get_double("model.dropout")}};
  } else {
    d = swan_options_from_config(c, tracks, c.get_int("data.max_length")).to_json();
  }
  d["alphabet"] = "acgt";
  // Validates the options (and fills derived fields) by building the encoder once.
  d = nn::describe_encoder(*nn::build_encoder(d), "acgt");
  return d;
}

nlohmann::json describe_isoclr_model(const Config& config) {
  view_options(config, true);
  device_from_config(config);
  objectives::contrastive_form_from_name(config.get_string("isoclr.loss"));
  const auto description = isoclr_encoder_description(config);
  auto encoder = nn::build_encoder(description);
  nn::MlpHeadImpl head({encoder->output_dim(), config.get_int("isoclr.projection_hidden"),
                        config.get_int("isoclr.projection_dim"), false});
  const auto encoder_params = nn::count_parameters(*encoder);
  const auto head_params = nn::count_parameters(head);
  return {{"model", description},
          {"encoder_params", encoder_params},
          {"projection_params", head_params},
          {"params", encoder_params + head_params},
          {"embedding_dim", encoder->output_dim()}};
}

data::PairCorpus load_isoclr_corpus(const Config& c) {
  data::TranscriptOptions topt;
  topt.include_stop = c.get_bool("isoclr.include_stop");
  topt.max_length = c.get_int("data.max_length");
  const auto transcripts = c.get_string("data.transcripts");
  const auto genome = c.get_string("data.genome");
  const auto gtf = c.get_string("data.gtf");
  const auto maf = c.get_string("data.maf");
  if (transcripts.empty() && genome.empty() && maf.empty()) {
    throw UsageError(
        "no training data: set data.transcripts (or data.genome) with data.gtf, and/or data.maf");
  }
  if (!transcripts.empty() && !genome.empty()) {
    throw UsageError("set data.transcripts or data.genome, not both");
  }
  if ((!transcripts.empty() || !genome.empty()) && gtf.empty()) {
    throw UsageError("data.gtf is required with data.transcripts or data.genome");
  }
  data::PairCorpus corpus;
  if (!gtf.empty()) {
    if (transcripts.empty() && genome.empty()) {
      throw UsageError("data.gtf needs data.transcripts or data.genome for the sequences");
    }
    data::TranscriptSet set;
    if (!transcripts.empty()) {
      set = data::read_transcripts(transcripts, gtf, topt);
    } else {
      auto reader = io::open_genome(genome);
      set = data::assemble_transcripts(*reader, gtf, topt);
    }
    spdlog::info("transcripts: {} read from {}; skipped: {}", set.transcripts.size(), gtf,
                 set.skipped.summary());
    std::unordered_map<std::string, std::string> homology;
    if (!c.get_string("data.homology").empty()) {
      homology = data::read_homology_table(c.get_string("data.homology"));
    }
    std::vector<data::RnaRecord> records;
    records.reserve(set.transcripts.size());
    for (const auto& t : set.transcripts) records.push_back(record_of(t));
    corpus.add_transcripts(std::move(records), homology);
  } else if (!c.get_string("data.homology").empty()) {
    throw UsageError("data.homology needs transcripts (data.gtf)");
  }
  if (!maf.empty()) {
    data::OrthologOptions o;
    o.reference = c.get_string("data.maf_reference");
    o.window = c.get_int("data.maf_window");
    o.min_length = c.get_int("data.maf_min_length");
    o.max_length = c.get_int("data.max_length");
    auto set = data::read_ortholog_groups(maf, o);
    spdlog::info("orthologs: {} groups from {}; {}", set.groups.size(), maf, set.summary());
    for (auto& g : set.groups) {
      std::vector<data::RnaRecord> partners;
      for (size_t k = 0; k < g.partner_sequences.size(); ++k) {
        partners.push_back(
            unspliced(g.id + "/" + g.partner_species[k], g.id, std::move(g.partner_sequences[k])));
      }
      corpus.add_ortholog_group(unspliced(g.id, g.id, std::move(g.reference_sequence)),
                                std::move(partners));
    }
  }
  if (corpus.num_anchors() < 2) {
    throw UsageError("the training data hold " + std::to_string(corpus.num_anchors()) +
                     " usable sequences; contrastive pretraining needs at least 2");
  }
  spdlog::info("pairs: {}", corpus.summary());
  return corpus;
}

IsoclrStep::IsoclrStep(const Config& c, torch::Device device)
    : description_(isoclr_encoder_description(c)), device_(device) {
  const int64_t total_steps = c.get_int("train.steps");
  if (total_steps < 1) throw UsageError("train.steps must be positive");
  loss_.form = objectives::contrastive_form_from_name(c.get_string("isoclr.loss"));
  loss_.temperature = c.get_double("isoclr.temperature");
  weights_[0] = c.get_double("isoclr.w_self");
  weights_[1] = c.get_double("isoclr.w_splice");
  weights_[2] = c.get_double("isoclr.w_ortho");
  cl_weight_ = c.get_double("isoclr.cl_weight");
  mlm_weight_ = c.get_double("isoclr.mlm_weight");
  grad_clip_ = c.get_double("train.grad_clip");
  seed_ = static_cast<uint64_t>(c.get_int("train.seed"));
  at::manual_seed(seed_);
  encoder_ = nn::build_encoder(description_);
  if (mlm_weight_ > 0 && encoder_->output_length(1000) != 1000) {
    c.fail("isoclr.mlm_weight",
           "isoclr.mlm_weight > 0 needs an encoder with one output per position (swan); " +
               description_["name"].get<std::string>() + " downsamples");
  }
  projection_ =
      nn::MlpHead(nn::MlpHeadOptions{encoder_->output_dim(), c.get_int("isoclr.projection_hidden"),
                                     c.get_int("isoclr.projection_dim"), false});
  // The MLM head exists only with an MLM term (so runs without one neither train nor store it).
  if (mlm_weight_ > 0) {
    mlm_head_ = nn::MlpHead(nn::MlpHeadOptions{encoder_->output_dim(), 512, 4, true});
    mlm_head_->to(device_);
    mlm_head_->train();
  }
  encoder_->to(device_);
  projection_->to(device_);
  encoder_->train();
  projection_->train();
  // Two parameter groups, as Orthrus: the encoder and the heads.
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(encoder_->parameters(),
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(c.get_double("train.lr"))
                              .weight_decay(c.get_double("train.weight_decay"))));
  auto head_params = projection_->parameters();
  if (mlm_head_) {
    for (auto& p : mlm_head_->parameters()) head_params.push_back(p);
  }
  groups.emplace_back(head_params, std::make_unique<torch::optim::AdamWOptions>(
                                       torch::optim::AdamWOptions(c.get_double("train.head_lr"))
                                           .weight_decay(c.get_double("train.head_weight_decay"))));
  peak_lrs_ = {c.get_double("train.lr"), c.get_double("train.head_lr")};
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      std::move(groups), torch::optim::AdamWOptions(c.get_double("train.lr")));
  const double warmup_fraction = c.get_double("train.warmup_fraction");
  lr_.peak = 1.0;  // a factor on each group's own peak
  lr_.warmup_steps = std::min<int64_t>(c.get_int("train.warmup_max_steps"),
                                       std::llround(warmup_fraction * total_steps));
  lr_.total_steps = total_steps;
  lr_.start_factor = c.get_double("train.warmup_start_factor");
}

std::pair<at::Tensor, at::Tensor> IsoclrStep::encode(const at::Tensor& x,
                                                     const at::Tensor& lengths) {
  auto features = encoder_->forward(x);
  // Pooled positions per row: ceil(L / 32) for the ResNet (I6), L for per-position encoders.
  std::vector<int64_t> pooled(lengths.size(0));
  const auto* l = lengths.data_ptr<int64_t>();
  for (size_t r = 0; r < pooled.size(); ++r) pooled[r] = encoder_->output_length(l[r]);
  auto mean = nn::masked_mean(features, at::tensor(pooled, at::kLong).to(device_));
  return {mean, features};
}

IsoclrStepResult IsoclrStep::train_step(const data::IsoclrBatch& batch, int64_t step) {
  const int64_t b = batch.pairs_count();
  // Dropout masks depend on (seed, step) only, so a resumed run repeats an uninterrupted one.
  at::manual_seed(data::item_seed(seed_, kDropoutStream, static_cast<uint64_t>(step)));
  const auto x = batch.x.to(device_);
  const bool cuda = device_.is_cuda();
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  }
  auto [pooled, features] = encode(x, batch.lengths);
  auto z = projection_->forward(pooled);
  at::Tensor mlm_logits;
  at::Tensor mlm_targets;
  if (mlm_head_) {
    // The MLM head runs on the masked positions only (its batch norm sees no padding).
    auto targets = batch.mlm_targets.to(device_).narrow(1, 0, features.size(1));
    auto where = targets.ne(objectives::kIgnore).nonzero();
    auto rows = features.index({where.select(1, 0), where.select(1, 1)});
    mlm_targets = targets.index({where.select(1, 0), where.select(1, 1)});
    if (rows.size(0) > 1) mlm_logits = mlm_head_->forward(rows);
  }
  if (cuda) {
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
  }
  z = z.to(at::kFloat);
  z = z / z.norm(2, {1}, true).clamp_min(1e-12);
  const auto weights_table = at::tensor({weights_[0], weights_[1], weights_[2]}, at::kFloat);
  const auto weights = weights_table.index_select(0, batch.types).to(device_);
  auto contrastive =
      objectives::contrastive_loss(z.narrow(0, 0, b), z.narrow(0, b, b), loss_, weights);
  auto loss = cl_weight_ * contrastive;
  IsoclrStepResult r;
  if (mlm_logits.defined()) {
    auto mlm = at::cross_entropy_loss(mlm_logits.to(at::kFloat), mlm_targets);
    loss = loss + mlm_weight_ * mlm;
    r.mlm = mlm.item<double>();
  }
  r.loss = loss.item<double>();
  if (!std::isfinite(r.loss)) throw Error("non-finite loss (" + std::to_string(r.loss) + ")");
  r.contrastive = contrastive.item<double>();
  for (int64_t i = 0; i < b; ++i) ++r.pairs[static_cast<int>(batch.pairs[i].type)];
  optimizer_->zero_grad();
  loss.backward();
  std::vector<at::Tensor> params;
  for (auto& group : optimizer_->param_groups()) {
    for (auto& p : group.params()) params.push_back(p);
  }
  // Clipping at grad_clip (I3: the original configured it but never applied it); 0 turns it off.
  r.grad_norm = grad_clip_ > 0 ? torch::nn::utils::clip_grad_norm_(params, grad_clip_)
                               : torch::nn::utils::clip_grad_norm_(
                                     params, std::numeric_limits<double>::infinity());
  const double factor = lr_.at(step);
  auto& groups = optimizer_->param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    static_cast<torch::optim::AdamWOptions&>(groups[g].options()).lr(factor * peak_lrs_[g]);
  }
  r.lr = factor * peak_lrs_[0];
  optimizer_->step();
  return r;
}

at::Tensor IsoclrStep::embed(const at::Tensor& x, const at::Tensor& lengths) {
  torch::NoGradGuard no_grad;
  encoder_->eval();
  auto pooled = encode(x.to(device_), lengths).first.to(at::kFloat);
  encoder_->train();
  return pooled;
}

nlohmann::json IsoclrStep::validate(const std::vector<data::IsoclrBatch>& batches) {
  torch::NoGradGuard no_grad;
  encoder_->eval();
  projection_->eval();
  double loss_sum = 0, positive_cos = 0, shuffled_cos = 0;
  int64_t hits = 0, counted = 0, pairs = 0, shuffled = 0;
  int64_t type_hits[3] = {0, 0, 0}, type_counted[3] = {0, 0, 0};
  for (const auto& batch : batches) {
    const int64_t b = batch.pairs_count();
    auto pooled = encode(batch.x.to(device_), batch.lengths).first.to(at::kFloat);
    auto z = projection_->forward(pooled).to(at::kFloat);
    z = z / z.norm(2, {1}, true).clamp_min(1e-12);
    loss_sum +=
        objectives::contrastive_loss(z.narrow(0, 0, b), z.narrow(0, b, b), loss_).item<double>();
    // Retrieval: is each anchor's own partner its most similar partner in the batch?
    auto similarity = at::matmul(z.narrow(0, 0, b), z.narrow(0, b, b).t());
    auto best = similarity.argmax(1).to(at::kCPU);
    auto e = pooled / pooled.norm(2, {1}, true).clamp_min(1e-12);
    auto cos = (e.narrow(0, 0, b) * e.narrow(0, b, b)).sum(1).to(at::kCPU);
    // Shuffled pairs: anchor i against the partner of pair i + 1.
    auto rolled = (e.narrow(0, 0, b) * e.narrow(0, b, b).roll(1, 0)).sum(1).to(at::kCPU);
    for (int64_t i = 0; i < b; ++i) {
      if (batch.pairs[i].type == data::PairType::kSelf) continue;  // trivially identical views
      const bool hit = best[i].item<int64_t>() == i;
      hits += hit;
      ++counted;
      const auto type = static_cast<int>(batch.pairs[i].type);
      type_hits[type] += hit;
      ++type_counted[type];
      positive_cos += cos[i].item<double>();
      ++pairs;
    }
    shuffled_cos += rolled.sum().item<double>();
    shuffled += b;
  }
  encoder_->train();
  projection_->train();
  auto share = [](int64_t part, int64_t whole) {
    return whole ? static_cast<double>(part) / whole : 0.0;
  };
  return {{"val_loss", batches.empty() ? 0.0 : loss_sum / batches.size()},
          {"val_top1", share(hits, counted)},
          {"val_top1_splice", share(type_hits[1], type_counted[1])},
          {"val_top1_ortho", share(type_hits[2], type_counted[2])},
          {"val_positive_cosine", pairs ? positive_cos / pairs : 0.0},
          {"val_shuffled_cosine", shuffled ? shuffled_cos / shuffled : 0.0},
          {"val_pairs", counted},
          {"val_splice_pairs", type_counted[1]},
          {"val_ortho_pairs", type_counted[2]}};
}

std::vector<std::pair<std::string, at::Tensor>> IsoclrStep::checkpoint_tensors() const {
  auto tensors = nn::module_tensors(*encoder_, "encoder.");
  for (auto& t : nn::module_tensors(*projection_, "projection.")) tensors.push_back(t);
  if (mlm_head_) {
    for (auto& t : nn::module_tensors(*mlm_head_, "mlm_head.")) tensors.push_back(t);
  }
  return tensors;
}

void IsoclrStep::restore(const Checkpoint& checkpoint) {
  load_module(checkpoint, "encoder.", *encoder_);
  load_module(checkpoint, "projection.", *projection_);
  if (mlm_head_) load_module(checkpoint, "mlm_head.", *mlm_head_);
  load_optimizer(checkpoint, *optimizer_);
}

namespace {

// IsoCLR's data, step and validation, driven by the shared loop.
class IsoclrTask : public PretrainTask {
 public:
  IsoclrTask(const Config& config, torch::Device device)
      : config_(config),
        corpus_(load_isoclr_corpus(config)),
        train_views_(view_options(config, true)),
        val_views_(view_options(config, false)),
        batch_short_(config.get_int("train.batch_size")),
        batch_long_(config.get_int("train.batch_size_long")),
        seed_(static_cast<uint64_t>(config.get_int("train.seed"))),
        p_ortho_(config.get_double("isoclr.p_ortho")),
        with_mlm_(config.get_double("isoclr.mlm_weight") > 0),
        step_(config, device) {
    const double holdout = config.get_double("data.holdout_fraction");
    buckets_ = data::bucket_anchors(corpus_, config.get_int("data.long_threshold"), holdout, seed_);
    if (buckets_.short_train.size() + buckets_.long_train.size() < 2) {
      throw UsageError("fewer than 2 training anchors after the hold-out");
    }
    p_long_ = buckets_.long_batch_probability(batch_short_, batch_long_);
    spdlog::info(
        "anchors: {} short and {} long for training, {} held out; {:.3f} of batches from the "
        "long bucket",
        buckets_.short_train.size(), buckets_.long_train.size(), buckets_.validation.size(),
        p_long_);
  }

  int64_t batch_size() const override { return batch_short_; }

  void start(int64_t first_step) override {
    // Fixed held-out batches: partners drawn once, no augmentation.
    if (buckets_.validation.size() >= 2) {
      const auto& v = buckets_.validation;
      const auto n = static_cast<int64_t>(v.size());
      for (int64_t i = 0; i < config_.get_int("train.val_batches"); ++i) {
        std::mt19937_64 rng(data::item_seed(seed_, kValidationStream, i));
        std::vector<data::PairDraw> pairs;
        for (int64_t k = 0; k < std::min(batch_short_, n); ++k) {
          pairs.push_back(data::draw_pair(corpus_, v[(i * batch_short_ + k) % n], p_ortho_, rng));
        }
        val_batches_.push_back(data::make_isoclr_batch(corpus_, pairs, val_views_, rng));
      }
    }
    const int workers =
        static_cast<int>(std::max<int64_t>(1, config_.get_int("data.loader_threads")));
    loader_ = std::make_unique<data::OrderedPrefetcher<data::IsoclrBatch>>(
        [this](int64_t index, int) { return draw_batch(index); }, workers,
        config_.get_int("data.prefetch"), first_step);
  }

  StepReport train_step(int64_t step) override {
    const auto r = step_.train_step(loader_->next(), step);
    StepReport report;
    report.loss = r.loss;
    const double pairs = r.pairs[0] + r.pairs[1] + r.pairs[2];
    report.averaged = {{"contrastive_loss", r.contrastive, 1},
                       {"grad_norm", r.grad_norm, 1},
                       {"self_pairs", static_cast<double>(r.pairs[0]), pairs},
                       {"splice_pairs", static_cast<double>(r.pairs[1]), pairs},
                       {"ortho_pairs", static_cast<double>(r.pairs[2]), pairs}};
    if (with_mlm_) report.averaged.push_back({"mlm_loss", r.mlm, 1});
    report.last = {{"lr", r.lr}};
    return report;
  }

  bool has_validation() const override { return !val_batches_.empty(); }
  nlohmann::json validate() override { return step_.validate(val_batches_); }

  std::string status(const nlohmann::json& record) const override {
    std::string status = "loss " + format_significant(record["loss"]);
    if (record.contains("val_top1")) {
      status += " val_loss " + format_significant(record["val_loss"]) + " val_top1 " +
                format_significant(record["val_top1"]) + " cos+ " +
                format_significant(record["val_positive_cosine"]) + " cos~ " +
                format_significant(record["val_shuffled_cosine"]);
    }
    return status;
  }

  std::vector<std::pair<std::string, at::Tensor>> checkpoint_tensors() const override {
    return step_.checkpoint_tensors();
  }
  torch::optim::Optimizer& optimizer() override { return step_.optimizer(); }
  void restore(const Checkpoint& checkpoint) override { step_.restore(checkpoint); }
  void save_encoder(const fs::path& path, int64_t step) override {
    nn::save_encoder(
        path.string(), step_.encoder(), "acgt",
        {{"step", std::to_string(step)},
         {"objective", "isoclr"},
         {"tracks", std::to_string(train_views_.channels)},
         {"mark_transcript_end", train_views_.tracks.mark_transcript_end ? "true" : "false"}});
  }

 private:
  // Batch k depends only on (seed, k): the bucket, the anchors (uniform with replacement within
  // the bucket), one partner per anchor, and the augmentations.
  data::IsoclrBatch draw_batch(int64_t index) const {
    std::mt19937_64 rng(data::item_seed(seed_, kTrainStream, static_cast<uint64_t>(index)));
    const bool long_batch = std::uniform_real_distribution<double>(0, 1)(rng) < p_long_;
    const auto& bucket = long_batch ? buckets_.long_train : buckets_.short_train;
    const int64_t size = long_batch ? batch_long_ : batch_short_;
    std::uniform_int_distribution<size_t> pick(0, bucket.size() - 1);
    std::vector<data::PairDraw> pairs;
    pairs.reserve(size);
    for (int64_t k = 0; k < size; ++k) {
      pairs.push_back(data::draw_pair(corpus_, bucket[pick(rng)], p_ortho_, rng));
    }
    return data::make_isoclr_batch(corpus_, pairs, train_views_, rng);
  }

  const Config& config_;
  data::PairCorpus corpus_;
  data::IsoclrViewOptions train_views_, val_views_;
  int64_t batch_short_, batch_long_;
  uint64_t seed_;
  double p_ortho_;
  bool with_mlm_;  // report the MLM loss (read once, not per step)
  IsoclrStep step_;
  data::AnchorBuckets buckets_;
  double p_long_ = 0;
  std::vector<data::IsoclrBatch> val_batches_;
  std::unique_ptr<data::OrderedPrefetcher<data::IsoclrBatch>> loader_;
};

}  // namespace

int run_isoclr_pretraining(const Config& config, const PretrainOptions& options) {
  set_compute_threads(thread_setting(config, "train.threads"));
  const auto device = device_from_config(config);
  // Everything that can fail on bad input (files, options) happens before the run directory is
  // touched.
  IsoclrTask task(config, device);
  return run_pretraining_loop(task, config, options, pretraining_input_keys(config));
}

}  // namespace helix::train
