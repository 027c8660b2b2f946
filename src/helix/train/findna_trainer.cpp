#include "helix/train/findna_trainer.hpp"

#include <c10/util/Exception.h>

#include <chrono>
#include <fstream>

#include "helix/data/genome_windows.hpp"
#include "helix/data/prefetcher.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/nn/registry.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/findna_step.hpp"
#include "helix/train/pretrain_config.hpp"
#include "helix/train/pretrain_loop.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/progress.hpp"
#include "helix/util/signals.hpp"

namespace helix::train {
namespace fs = std::filesystem;

const std::string& findna_config_defaults() {
  static const std::string kDefaults = R"yaml(
pretrain:
  objective: findna      # the pretraining method this config drives
model:
  name: swan             # swan (FinDNA needs per-position outputs)
  alphabet: acgtn        # acgtn: FinDNA's 5 channels A C G N T; acgt: 4 channels
  group_size: {default: 28, range: "[1, 4096]"}  # channels per shift group; width = (ceil(log2(window+cls))+1)*group_size
  mlp_dim: {default: 512, range: "[1, 1048576]"}
  n_encoders: {default: 4, range: "[1, 256]"}
  layers_per_encoder: {default: 0, range: "[0, 64]"}  # 0: ceil(log2(window + cls_tokens))
  dropout: {default: 0.0, range: "[0, 1)"}
data:
  genome: ""             # FASTA (plain, gzip, bgzip+fai) or 2bit
  window: {default: 1000, range: "[2, 10000000]"}  # nucleotides per window
  max_n_fraction: {default: 0.05, range: "[0, 1]"}  # windows with more N are redrawn
  chromosomes: []        # restrict to these sequence names (empty: all)
  regions: ""            # restrict to a BED file or NAME:START-END,... (1-based inclusive)
  holdout: ""            # held out of training, used for validation (same syntax)
  loader_threads: {default: 1, range: "[1, 256]"}  # threads building batches ahead of the training step
  prefetch: {default: 4, range: "[1, 1024]"}  # batches built ahead
  # fixed_batches 0: fresh windows and views every batch; N: N batches drawn once and repeated
  # (the original code's precomputed dataset, bug B5)
  fixed_batches: {default: 0, range: "[0, 1000000]"}
  chromosome_weighting: usable_length  # or uniform (the original sampler, bug B7)
findna:
  cls_tokens: {default: 10, range: "[1, 1024]"}  # all-zero CLS rows appended to each view
  mask_prob: {default: 0.3, range: "[0, 1]"}  # fraction of positions selected for masking
  mask_zero: {default: 0.8, range: "[0, 1]"}  # of selected: replaced by an all-zero row
  mask_random: {default: 0.1, range: "[0, 1]"}  # of selected: replaced by a random symbol (rest kept)
  noise_std: {default: 0.2, range: "[0, inf)"}  # Gaussian noise on the student view
  rc_prob: {default: 0.5, range: "[0, 1]"}  # student view reverse-complemented (targets flipped with it)
  max_deletion: {default: 20, range: "[0, 10000000]"}  # teacher view: deletion length 0..max
  max_insertion: {default: 20, range: "[0, 10000000]"}  # teacher view: insertion length 0..max
  max_translocation: {default: 20, range: "[0, 10000000]"}  # teacher view: cyclic shift 0..max, random sign
  teacher_temp: {default: 0.04, range: "(0, inf)"}
  student_temp: {default: 0.1, range: "(0, inf)"}
  center_momentum: {default: 0.9, range: "[0, 1]"}
  ema_start: {default: 0.996, range: "[0, 1]"}  # teacher EMA momentum, cosine schedule start..end
  ema_end: {default: 1.0, range: "[0, 1]"}
  lambda_distill: {default: 1.0, range: "[0, inf)"}
  lambda_mlm: {default: 1.0, range: "[0, inf)"}
  mnm_loss: softmax      # softmax (corrected), bce (correct mask), scrambled_bce (original, B2)
  rc_mode: complement    # complement (corrected) or flip_axes (original: C<->N, targets unflipped, B3)
  teacher_augment: chained  # chained (corrected) or translocation_only (original, B4)
  ema_timing: after_step # after_step (corrected, as DINO) or before_step (original, B6)
train:
  steps: {default: 46860, range: "[1, 1e12]"}  # optimizer steps (30 epochs of 1562 batches in the paper)
  batch_size: {default: 64, range: "[1, 1000000]"}
  lr: {default: 3.0e-4, range: "[0, inf)"}  # AdamW peak learning rate
  weight_decay: {default: 3.0e-4, range: "[0, inf)"}
  warmup_fraction: {default: 0.3, range: "[0, 1]"}  # linear warm-up over this fraction of steps, then cosine to 0
  grad_clip: {default: 0.5, range: "[0, inf)"}  # global gradient norm
)yaml" + pretraining_loop_keys();
  return kDefaults;
}

namespace {

constexpr uint64_t kTrainStream = 1;
constexpr uint64_t kValidationStream = 2;

data::WindowOptions window_options(const Config& c) {
  data::WindowOptions w;
  w.window = c.get_int("data.window");
  w.max_n_fraction = c.get_double("data.max_n_fraction");
  w.chromosomes = c.get_strings("data.chromosomes");
  w.regions = c.get_string("data.regions");
  w.holdout = c.get_string("data.holdout");
  w.uniform_chromosomes =
      c.get_choice("data.chromosome_weighting", {"usable_length", "uniform"}) == "uniform";
  return w;
}

data::FindnaBatch draw_batch(const data::GenomeWindows& windows, io::GenomeReader& reader,
                             const seq::Alphabet& alphabet, const data::FindnaViewOptions& views,
                             int64_t batch_size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> seqs;
  seqs.reserve(batch_size);
  for (int64_t i = 0; i < batch_size; ++i) seqs.push_back(windows.sample(reader, rng).sequence);
  return data::make_findna_batch(seqs, alphabet, views, rng);
}

}  // namespace

nlohmann::json describe_findna_model(const Config& config) {
  // A dry run checks the whole config, not only the model: every enumerated key is read here.
  findna_view_options(config);
  window_options(config);
  device_from_config(config);
  findna_objective_options(config);
  const auto s = resolve_findna_setup(config);
  nn::PretrainNetwork net(nn::build_encoder(s.description), s.alphabet.channels());
  const int64_t params = nn::count_parameters(*net);
  const int64_t positions = s.window + s.cls;
  const double forward_flops = 2.0 * findna_macs_per_position(s) * positions;
  return {{"model", s.description},
          {"params", params},
          {"encoder_params", nn::count_parameters(*net->encoder)},
          {"teacher_params", params},
          {"positions", positions},
          {"forward_gflop_per_sequence", forward_flops / 1e9},
          // Student forward + backward (3x forward) and teacher forward.
          {"train_gflop_per_sequence", 4.0 * forward_flops / 1e9}};
}

namespace {

// FinDNA's step, validation and state, driven by the shared loop.
class FindnaTask : public PretrainTask {
 public:
  FindnaTask(const Config& config, torch::Device device, std::unique_ptr<io::GenomeReader> genome)
      : config_(config),
        setup_(resolve_findna_setup(config)),
        views_(findna_view_options(config)),
        batch_size_(config.get_int("train.batch_size")),
        seed_(static_cast<uint64_t>(config.get_int("train.seed"))),
        fixed_batches_(config.get_int("data.fixed_batches")),
        genome_(std::move(genome)),
        window_options_(window_options(config)),
        train_windows_(*genome_, window_options_, data::Split::kTrain),
        trainer_(config, device) {
    if (!window_options_.holdout.empty()) {
      val_windows_ = std::make_unique<data::GenomeWindows>(*genome_, window_options_,
                                                           data::Split::kValidation);
    }
    spdlog::info("genome {}: {} training intervals, {} window starts", genome_->path(),
                 train_windows_.intervals().size(), train_windows_.num_starts());
  }

  int64_t batch_size() const override { return batch_size_; }

  void start(int64_t first_step) override {
    // Fixed held-out batches, drawn once.
    if (val_windows_) {
      for (int64_t i = 0; i < config_.get_int("train.val_batches"); ++i) {
        val_batches_.push_back(draw_batch(*val_windows_, *genome_, setup_.alphabet, views_,
                                          batch_size_,
                                          data::item_seed(seed_, kValidationStream, i)));
      }
    }
    // Loader threads each own a genome handle; batch k depends only on (seed, k).
    const int workers =
        static_cast<int>(std::max<int64_t>(1, config_.get_int("data.loader_threads")));
    for (int w = 0; w < workers; ++w) readers_.push_back(genome_->clone());
    loader_ = std::make_unique<data::OrderedPrefetcher<data::FindnaBatch>>(
        [this](int64_t index, int worker) {
          // With fixed_batches the same N batches (windows and views) come round every N steps.
          const int64_t data_index = fixed_batches_ > 0 ? index % fixed_batches_ : index;
          return draw_batch(
              train_windows_, *readers_[worker], setup_.alphabet, views_, batch_size_,
              data::item_seed(seed_, kTrainStream, static_cast<uint64_t>(data_index)));
        },
        workers, config_.get_int("data.prefetch"), first_step);
  }

  StepReport train_step(int64_t step) override {
    const auto r = trainer_.train_step(loader_->next(), step);
    StepReport report;
    report.loss = r.loss;
    report.averaged = {{"mlm_loss", r.mlm_loss, 1},
                       {"distill_loss", r.distill_loss, 1},
                       {"mlm_acc", static_cast<double>(r.correct), static_cast<double>(r.counted)}};
    report.last = {{"lr", r.lr}, {"ema_momentum", r.ema_momentum}};
    return report;
  }

  bool has_validation() const override { return val_windows_ != nullptr; }
  nlohmann::json validate() override { return trainer_.validate(val_batches_); }

  std::string status(const nlohmann::json& record) const override {
    std::string status = "loss " + format_significant(record["loss"]) + " mlm_acc " +
                         format_significant(record["mlm_acc"]);
    if (record.contains("val_mlm_acc")) {
      status += " val_mlm_acc " + format_significant(record["val_mlm_acc"]) + " (majority " +
                format_significant(record["val_majority_acc"]) + ")";
    }
    return status;
  }

  std::vector<std::pair<std::string, at::Tensor>> checkpoint_tensors() const override {
    return trainer_.checkpoint_tensors();
  }
  torch::optim::Optimizer& optimizer() override { return trainer_.optimizer(); }
  void restore(const Checkpoint& checkpoint) override { trainer_.restore(checkpoint); }
  void save_encoder(const fs::path& path, int64_t step) override {
    nn::save_encoder(path.string(), *trainer_.teacher()->encoder, setup_.alphabet.name(),
                     {{"step", std::to_string(step)}, {"objective", "findna"}});
  }

 private:
  const Config& config_;
  FindnaSetup setup_;
  data::FindnaViewOptions views_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t fixed_batches_;
  std::unique_ptr<io::GenomeReader> genome_;
  data::WindowOptions window_options_;
  data::GenomeWindows train_windows_;
  std::unique_ptr<data::GenomeWindows> val_windows_;
  FindnaStep trainer_;
  std::vector<data::FindnaBatch> val_batches_;
  std::vector<std::unique_ptr<io::GenomeReader>> readers_;
  std::unique_ptr<data::OrderedPrefetcher<data::FindnaBatch>> loader_;
};

}  // namespace

int run_findna_pretraining(const Config& config, const PretrainOptions& options) {
  resolve_findna_setup(config);
  findna_view_options(config);
  set_compute_threads(thread_setting(config, "train.threads"));
  const auto device = device_from_config(config);

  // Everything that can fail on bad input happens before the output directory is touched.
  const auto genome_path = config.get_string("data.genome");
  if (genome_path.empty()) throw UsageError("data.genome is not set (a FASTA or 2bit file)");
  FindnaTask task(config, device, io::open_genome(genome_path));
  return run_pretraining_loop(task, config, options, pretraining_input_keys(config));
}

}  // namespace helix::train
