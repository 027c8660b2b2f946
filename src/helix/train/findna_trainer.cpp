#include "helix/train/findna_trainer.hpp"

#include <c10/util/Exception.h>

#include <chrono>
#include <fstream>

#include "helix/data/genome_windows.hpp"
#include "helix/data/prefetcher.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/nn/registry.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/device.hpp"
#include "helix/train/findna_step.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/progress.hpp"
#include "helix/util/signals.hpp"

namespace helix::train {
namespace fs = std::filesystem;

const std::string& findna_config_defaults() {
  static const std::string kDefaults = R"(
pretrain:
  objective: findna      # the pretraining method this config drives
model:
  name: swan             # swan (FinDNA needs per-position outputs)
  alphabet: acgtn        # acgtn: FinDNA's 5 channels A C G N T; acgt: 4 channels
  group_size: 28         # channels per shift group; width = (ceil(log2(window+cls))+1)*group_size
  mlp_dim: 512
  n_encoders: 4
  layers_per_encoder: 0  # 0: ceil(log2(window + cls_tokens))
  dropout: 0.0
data:
  genome: ""             # FASTA (plain, gzip, bgzip+fai) or 2bit
  window: 1000           # nucleotides per window
  max_n_fraction: 0.05   # windows with more N are redrawn
  chromosomes: []        # restrict to these sequence names (empty: all)
  regions: ""            # restrict to a BED file or NAME:START-END,... (1-based inclusive)
  holdout: ""            # held out of training, used for validation (same syntax)
  loader_threads: 1      # threads building batches ahead of the training step
  prefetch: 4            # batches built ahead
  fixed_batches: 0       # 0: fresh windows and views every batch; N: N batches drawn once and
                         #   repeated (the original code's precomputed dataset, bug B5)
  chromosome_weighting: usable_length  # or uniform (the original sampler, bug B7)
findna:
  cls_tokens: 10         # all-zero CLS rows appended to each view
  mask_prob: 0.3         # fraction of positions selected for masking
  mask_zero: 0.8         # of selected: replaced by an all-zero row
  mask_random: 0.1       # of selected: replaced by a random symbol (rest kept)
  noise_std: 0.2         # Gaussian noise on the student view
  rc_prob: 0.5           # student view reverse-complemented (targets flipped with it)
  max_deletion: 20       # teacher view: deletion length 0..max
  max_insertion: 20      # teacher view: insertion length 0..max
  max_translocation: 20  # teacher view: cyclic shift 0..max, random sign
  teacher_temp: 0.04
  student_temp: 0.1
  center_momentum: 0.9
  ema_start: 0.996       # teacher EMA momentum, cosine schedule start..end
  ema_end: 1.0
  lambda_distill: 1.0
  lambda_mlm: 1.0
  mnm_loss: softmax      # softmax (corrected), bce (correct mask), scrambled_bce (original, B2)
  rc_mode: complement    # complement (corrected) or flip_axes (original: C<->N, targets unflipped, B3)
  teacher_augment: chained  # chained (corrected) or translocation_only (original, B4)
  ema_timing: after_step # after_step (corrected, as DINO) or before_step (original, B6)
train:
  steps: 46860           # optimizer steps (30 epochs of 1562 batches in the paper)
  batch_size: 64
  lr: 3.0e-4             # AdamW peak learning rate
  weight_decay: 3.0e-4
  warmup_fraction: 0.3   # linear warm-up over this fraction of steps, then cosine to 0
  grad_clip: 0.5         # global gradient norm
  seed: 42
  log_every: 50          # steps per metrics.jsonl record (losses averaged over the interval)
  val_every: 1000        # steps between validations (needs data.holdout)
  val_batches: 8         # fixed held-out batches per validation
  checkpoint_every: 1000
  keep_checkpoints: 2
  device: auto           # auto (cuda when available), cpu, cuda
  threads: 0             # intra-op threads (0: one per core)
)";
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

torch::Device choose_device(const Config& config) {
  return resolve_device(config.get_choice("train.device", {"auto", "cpu", "cuda"}));
}

}  // namespace

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> kNames = {"config.yaml", "metrics.jsonl", "checkpoints",
                                                  "encoder.safetensors"};
  return kNames;
}

nlohmann::json describe_findna_model(const Config& config) {
  // A dry run checks the whole config, not only the model: every enumerated key is read here.
  findna_view_options(config);
  window_options(config);
  choose_device(config);
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

int run_findna_pretraining(const Config& config, const PretrainOptions& options) {
  const auto setup = resolve_findna_setup(config);
  const auto views = findna_view_options(config);
  const int64_t total_steps = config.get_int("train.steps");
  const int64_t batch_size = config.get_int("train.batch_size");
  const int64_t log_every = std::max<int64_t>(1, config.get_int("train.log_every"));
  const int64_t val_every = config.get_int("train.val_every");
  const int64_t checkpoint_every = config.get_int("train.checkpoint_every");
  const auto seed = static_cast<uint64_t>(config.get_int("train.seed"));
  const int64_t fixed_batches = config.get_int("data.fixed_batches");
  if (total_steps < 1 || batch_size < 1 || fixed_batches < 0) {
    throw UsageError("train.steps and train.batch_size must be positive, data.fixed_batches >= 0");
  }
  set_compute_threads(static_cast<int>(config.get_int("train.threads")));
  const auto device = choose_device(config);

  // Everything that can fail on bad input happens before the output directory is touched.
  const auto genome_path = config.get_string("data.genome");
  if (genome_path.empty()) throw UsageError("data.genome is not set (a FASTA or 2bit file)");
  auto genome = io::open_genome(genome_path);
  const auto window_opts = window_options(config);
  const data::GenomeWindows train_windows(*genome, window_opts, data::Split::kTrain);
  std::unique_ptr<data::GenomeWindows> val_windows;
  if (!window_opts.holdout.empty()) {
    val_windows =
        std::make_unique<data::GenomeWindows>(*genome, window_opts, data::Split::kValidation);
  }
  spdlog::info("genome {}: {} training intervals, {} window starts", genome_path,
               train_windows.intervals().size(), train_windows.num_starts());
  FindnaStep trainer(config, device);

  const fs::path out = options.out_dir;
  const fs::path checkpoints = out / "checkpoints";
  const fs::path metrics_path = out / "metrics.jsonl";
  int64_t step = 0;
  if (options.resume) {
    auto checkpoint = load_latest_checkpoint(checkpoints);
    if (checkpoint) {
      trainer.restore(*checkpoint);
      step = checkpoint->step;
      spdlog::info("resuming from {} (step {})", checkpoint->directory.string(), step);
    } else {
      spdlog::warn("no checkpoint in {}; starting from step 0", checkpoints.string());
    }
    truncate_metrics_log(metrics_path, step);
  } else {
    if (options.force) {
      for (const auto& name : run_file_names()) fs::remove_all(out / name);
    }
    fs::create_directories(out);
    write_file_atomic(metrics_path, "");
  }
  // Input paths are stored absolute, so --resume works from any working directory.
  Config resolved = config;
  for (const char* key : {"data.genome", "data.regions", "data.holdout"}) {
    const auto value = config.get_string(key);
    if (!value.empty() && fs::exists(value)) {
      resolved.set(key, nlohmann::json(fs::absolute(value).lexically_normal().string()).dump());
    }
  }
  write_file_atomic(out / "config.yaml", resolved.to_yaml());

  auto save = [&](int64_t at_step) {
    auto dir = save_checkpoint(checkpoints, at_step, trainer.checkpoint_tensors(),
                               trainer.optimizer(), {{"seed", seed}, {"data_index", at_step}},
                               static_cast<int>(config.get_int("train.keep_checkpoints")));
    nn::save_encoder((out / "encoder.safetensors").string(), *trainer.teacher()->encoder,
                     setup.alphabet.name(),
                     {{"step", std::to_string(at_step)}, {"objective", "findna"}});
    return dir;
  };

  // Fixed held-out batches, drawn once.
  std::vector<data::FindnaBatch> val_batches;
  if (val_windows) {
    for (int64_t i = 0; i < config.get_int("train.val_batches"); ++i) {
      val_batches.push_back(draw_batch(*val_windows, *genome, setup.alphabet, views, batch_size,
                                       data::item_seed(seed, kValidationStream, i)));
    }
  }

  // Loader threads each own a genome handle; batch k depends only on (seed, k).
  const int workers = static_cast<int>(std::max<int64_t>(1, config.get_int("data.loader_threads")));
  std::vector<std::unique_ptr<io::GenomeReader>> readers;
  readers.reserve(workers);
  for (int w = 0; w < workers; ++w) readers.push_back(genome->clone());
  data::OrderedPrefetcher<data::FindnaBatch> loader(
      [&](int64_t index, int worker) {
        // With fixed_batches the same N batches (windows and views) come round every N steps.
        const int64_t data_index = fixed_batches > 0 ? index % fixed_batches : index;
        return draw_batch(train_windows, *readers[worker], setup.alphabet, views, batch_size,
                          data::item_seed(seed, kTrainStream, static_cast<uint64_t>(data_index)));
      },
      workers, config.get_int("data.prefetch"), step);

  install_interrupt_handlers();
  Progress progress("pretrain", total_steps);
  std::ofstream metrics(metrics_path, std::ios::app);
  struct Sums {
    double loss = 0, mlm = 0, distill = 0;
    int64_t correct = 0, counted = 0, steps = 0;
  } sums;
  const int64_t first_step = step;
  auto interval_start = std::chrono::steady_clock::now();

  while (step < total_steps) {
    StepResult r;
    try {
      r = trainer.train_step(loader.next(), step);
    } catch (const InputError&) {
      throw;  // bad data found by a loader thread: its message names the file
    } catch (const std::exception& e) {
      // Non-finite loss, or LibTorch failing inside the step (e.g. an overflowing update).
      progress.finish();
      std::string what = e.what();
      if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
        what = c10->what_without_backtrace();
      auto last = load_latest_checkpoint(checkpoints);
      std::string where;
      if (last) {
        where = "The last good checkpoint is " + last->directory.string() + " (step " +
                std::to_string(last->step) + "); fix the config and --resume.";
      } else if (!options.resume) {
        // Nothing worth keeping: leave no half-started run behind.
        for (const auto& name : run_file_names()) fs::remove_all(out / name);
        std::error_code ignored;
        fs::remove(out, ignored);  // only if empty
        where = "No checkpoint had been written; the run directory was removed.";
      }
      throw Error("training step " + std::to_string(step + 1) + " failed: " + what +
                  ". Lower train.lr or raise train.warmup_fraction. " + where);
    }
    ++step;
    sums.loss += r.loss;
    sums.mlm += r.mlm_loss;
    sums.distill += r.distill_loss;
    sums.correct += r.correct;
    sums.counted += r.counted;
    ++sums.steps;
    progress.update(step, "loss " + format_significant(r.loss));

    const bool last_step = step == total_steps;
    const bool interrupted = interrupt_requested();
    const bool stopping = options.stop_after > 0 && step - first_step >= options.stop_after;
    const bool validate_now =
        !val_batches.empty() && val_every > 0 && (step % val_every == 0 || last_step);
    if (step % log_every == 0 || validate_now || last_step || interrupted || stopping) {
      const auto now = std::chrono::steady_clock::now();
      const double seconds = std::chrono::duration<double>(now - interval_start).count();
      interval_start = now;
      nlohmann::json record = {
          {"step", step},
          {"loss", sums.loss / sums.steps},
          {"mlm_loss", sums.mlm / sums.steps},
          {"distill_loss", sums.distill / sums.steps},
          {"mlm_acc", sums.counted ? static_cast<double>(sums.correct) / sums.counted : 0.0},
          {"lr", r.lr},
          {"ema_momentum", r.ema_momentum},
          {"seq_per_s", seconds > 0 ? sums.steps * batch_size / seconds : 0.0}};
      if (validate_now) record.update(trainer.validate(val_batches));
      metrics << record.dump() << "\n" << std::flush;
      std::string status = "loss " + format_significant(record["loss"]) + " mlm_acc " +
                           format_significant(record["mlm_acc"]);
      if (record.contains("val_mlm_acc")) {
        status += " val_mlm_acc " + format_significant(record["val_mlm_acc"]) + " (majority " +
                  format_significant(record["val_majority_acc"]) + ")";
      }
      status += " " + format_significant(record["seq_per_s"]) + " seq/s";
      progress.line(step, status);
      sums = Sums{};
      interval_start = std::chrono::steady_clock::now();  // validation is not training time
    }
    if ((checkpoint_every > 0 && step % checkpoint_every == 0) || last_step || interrupted ||
        stopping) {
      const auto dir = save(step);
      if (interrupted && !last_step) {
        progress.finish();
        spdlog::warn("interrupted at step {}; checkpoint written to {}; continue with --resume",
                     step, dir.string());
        return 128 + interrupt_signal();
      }
      if (stopping && !last_step) {
        progress.finish();
        spdlog::info(
            "stopped after {} steps (--stop-after) at step {}; checkpoint {}; "
            "continue with --resume",
            step - first_step, step, dir.string());
        return 0;
      }
    }
  }
  progress.finish();
  spdlog::info("done: {} steps; encoder written to {}", step,
               (out / "encoder.safetensors").string());
  return 0;
}

}  // namespace helix::train
