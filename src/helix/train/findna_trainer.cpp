#include "helix/train/findna_trainer.hpp"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "helix/data/findna_views.hpp"
#include "helix/data/genome_windows.hpp"
#include "helix/data/prefetcher.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/nn/heads.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/swan.hpp"
#include "helix/objectives/mlm.hpp"
#include "helix/objectives/self_distill.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/ema.hpp"
#include "helix/train/schedule.hpp"
#include "helix/util/atomic_file.hpp"
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
  mnm_loss: softmax      # softmax (corrected) or bce
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

struct Setup {
  seq::Alphabet alphabet = seq::Alphabet::from_name("acgt");
  nlohmann::json description;
  int64_t window = 0;
  int64_t cls = 0;
};

Setup resolve(const Config& config) {
  Setup s;
  s.alphabet = seq::Alphabet::from_name(config.get_string("model.alphabet"));
  s.window = config.get_int("data.window");
  s.cls = config.get_int("findna.cls_tokens");
  const auto name = config.get_string("model.name");
  if (name != "swan") {
    throw UsageError("FinDNA pretraining needs model.name=swan (per-position outputs); got '" +
                     name + "'");
  }
  if (s.window < 2 || s.cls < 1) throw UsageError("data.window must be >= 2 and findna.cls_tokens >= 1");
  nn::SwanOptions o;
  o.in_channels = s.alphabet.channels();
  o.max_len = s.window + s.cls;
  o.group_size = config.get_int("model.group_size");
  o.mlp_dim = config.get_int("model.mlp_dim");
  o.n_encoders = config.get_int("model.n_encoders");
  o.layers_per_encoder = config.get_int("model.layers_per_encoder");
  o.dropout = config.get_double("model.dropout");
  s.description = o.resolved().to_json();
  s.description["alphabet"] = s.alphabet.name();
  return s;
}

nn::PretrainNetwork build_network(const Setup& s) {
  return nn::PretrainNetwork(nn::build_encoder(s.description), s.alphabet.channels());
}

// Multiply-adds per position of one forward pass through the network (linear layers only; the
// shifts, GELU and residual adds are memory traffic, not FLOPs).
double macs_per_position(const nlohmann::json& d, int64_t out_channels) {
  const double width = d["width"], mlp = d["mlp_dim"], in = d["in_channels"];
  const double layers = d["n_encoders"].get<double>() * d["layers_per_encoder"].get<double>();
  return in * width + layers * 2.0 * width * mlp + width * out_channels;
}

data::FindnaViewOptions view_options(const Config& c) {
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
  return v;
}

data::WindowOptions window_options(const Config& c) {
  data::WindowOptions w;
  w.window = c.get_int("data.window");
  w.max_n_fraction = c.get_double("data.max_n_fraction");
  w.chromosomes = c.get_strings("data.chromosomes");
  w.regions = c.get_string("data.regions");
  w.holdout = c.get_string("data.holdout");
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

// Keeps metrics.jsonl records up to `step` (records after the checkpoint a run resumes from
// would otherwise appear twice).
void truncate_metrics(const fs::path& path, int64_t step) {
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (nlohmann::json::parse(line).value("step", int64_t{0}) > step) continue;
    } catch (const nlohmann::json::exception&) {
      continue;  // a torn last line from a killed run
    }
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

std::string format_metric(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

}  // namespace

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> kNames = {"config.yaml", "metrics.jsonl", "checkpoints",
                                                  "encoder.safetensors"};
  return kNames;
}

nlohmann::json describe_findna_model(const Config& config) {
  const auto s = resolve(config);
  auto net = build_network(s);
  const int64_t params = nn::count_parameters(*net);
  const int64_t positions = s.window + s.cls;
  const double forward_flops =
      2.0 * macs_per_position(s.description, s.alphabet.channels()) * positions;
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
  const auto setup = resolve(config);
  const auto views = view_options(config);
  const int64_t total_steps = config.get_int("train.steps");
  const int64_t batch_size = config.get_int("train.batch_size");
  const int64_t log_every = std::max<int64_t>(1, config.get_int("train.log_every"));
  const int64_t val_every = config.get_int("train.val_every");
  const int64_t checkpoint_every = config.get_int("train.checkpoint_every");
  const auto seed = static_cast<uint64_t>(config.get_int("train.seed"));
  const auto mlm_kind = objectives::mlm_loss_from_name(config.get_string("findna.mnm_loss"));
  const double lambda_distill = config.get_double("findna.lambda_distill");
  const double lambda_mlm = config.get_double("findna.lambda_mlm");
  if (total_steps < 1 || batch_size < 1) throw UsageError("train.steps and train.batch_size must be positive");
  if (config.get_int("train.threads") > 0) at::set_num_threads(config.get_int("train.threads"));

  const auto device_name = config.get_string("train.device");
  torch::Device device(torch::kCPU);
  if (device_name == "cuda" || (device_name == "auto" && torch::cuda::is_available())) {
    if (!torch::cuda::is_available()) throw UsageError("train.device=cuda but no CUDA device is available");
    device = torch::Device(torch::kCUDA);
  } else if (device_name != "auto" && device_name != "cpu") {
    throw UsageError("train.device must be auto, cpu or cuda; got '" + device_name + "'");
  }

  // Everything that can fail on bad input happens before the output directory is touched.
  const auto genome_path = config.get_string("data.genome");
  if (genome_path.empty()) throw UsageError("data.genome is not set (a FASTA or 2bit file)");
  auto genome = io::open_genome(genome_path);
  const auto window_opts = window_options(config);
  const data::GenomeWindows train_windows(*genome, window_opts, data::Split::kTrain);
  std::unique_ptr<data::GenomeWindows> val_windows;
  if (!window_opts.holdout.empty()) {
    val_windows = std::make_unique<data::GenomeWindows>(*genome, window_opts, data::Split::kValidation);
  }
  spdlog::info("genome {}: {} training intervals, {} window starts", genome_path,
               train_windows.intervals().size(), train_windows.num_starts());

  at::manual_seed(seed);
  auto student = build_network(setup);
  auto teacher = build_network(setup);
  copy_weights(*teacher, *student);
  for (auto& p : teacher->parameters()) p.set_requires_grad(false);
  student->to(device);
  teacher->to(device);
  teacher->eval();
  objectives::DistillationLoss distill({config.get_double("findna.teacher_temp"),
                                        config.get_double("findna.student_temp"),
                                        config.get_double("findna.center_momentum")},
                                       setup.cls, setup.alphabet.channels());
  torch::optim::AdamW optimizer(student->parameters(),
                                torch::optim::AdamWOptions(config.get_double("train.lr"))
                                    .weight_decay(config.get_double("train.weight_decay")));
  LrSchedule lr_schedule{config.get_double("train.lr"),
                         static_cast<int64_t>(std::llround(config.get_double("train.warmup_fraction") *
                                                           total_steps)),
                         total_steps};

  const fs::path out = options.out_dir;
  const fs::path checkpoints = out / "checkpoints";
  const fs::path metrics_path = out / "metrics.jsonl";
  int64_t step = 0;
  if (options.resume) {
    auto checkpoint = load_latest_checkpoint(checkpoints);
    if (checkpoint) {
      load_module(*checkpoint, "student.", *student);
      load_module(*checkpoint, "teacher.", *teacher);
      load_optimizer(*checkpoint, optimizer);
      distill.set_center(checkpoint->tensors.at("distill.center"));
      step = checkpoint->step;
      spdlog::info("resuming from {} (step {})", checkpoint->directory.string(), step);
    } else {
      spdlog::warn("no checkpoint in {}; starting from step 0", checkpoints.string());
    }
    truncate_metrics(metrics_path, step);
  } else {
    if (options.force) {
      for (const auto& name : run_file_names()) fs::remove_all(out / name);
    }
    fs::create_directories(out);
    write_file_atomic(metrics_path, "");
  }
  write_file_atomic(out / "config.yaml", config.to_yaml());
  distill.to(device);

  auto save = [&](int64_t at_step) {
    auto tensors = module_tensors(*student, "student.");
    for (auto& t : module_tensors(*teacher, "teacher.")) tensors.push_back(t);
    tensors.emplace_back("distill.center", distill.center());
    const auto dir = save_checkpoint(checkpoints, at_step, tensors, optimizer,
                                     {{"seed", seed}, {"data_index", at_step}},
                                     static_cast<int>(config.get_int("train.keep_checkpoints")));
    nn::save_encoder((out / "encoder.safetensors").string(), *teacher->encoder, setup.alphabet.name(),
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
  auto validate = [&]() {
    torch::NoGradGuard no_grad;
    student->eval();
    double loss_sum = 0;
    objectives::MlmAccuracy student_acc, teacher_acc;
    for (const auto& b : val_batches) {
      const auto target = b.mlm_target.to(device);
      auto s = student->forward(b.student.to(device)).narrow(1, 0, setup.window);
      auto t = teacher->forward(b.student.to(device)).narrow(1, 0, setup.window);
      loss_sum += objectives::masked_nucleotide_loss(s, target, mlm_kind).item<double>();
      auto sa = objectives::masked_nucleotide_accuracy(s, target);
      auto ta = objectives::masked_nucleotide_accuracy(t, target);
      student_acc.correct += sa.correct, student_acc.counted += sa.counted, student_acc.majority += sa.majority;
      teacher_acc.correct += ta.correct, teacher_acc.counted += ta.counted;
    }
    student->train();
    return nlohmann::json{{"val_mlm_loss", loss_sum / val_batches.size()},
                          {"val_mlm_acc", student_acc.accuracy()},
                          {"val_teacher_mlm_acc", teacher_acc.accuracy()},
                          {"val_majority_acc", student_acc.majority_accuracy()}};
  };

  // Loader threads each own a genome handle; batch k depends only on (seed, k).
  const int workers = static_cast<int>(std::max<int64_t>(1, config.get_int("data.loader_threads")));
  std::vector<std::unique_ptr<io::GenomeReader>> readers;
  for (int w = 0; w < workers; ++w) readers.push_back(genome->clone());
  data::OrderedPrefetcher<data::FindnaBatch> loader(
      [&](int64_t index, int worker) {
        return draw_batch(train_windows, *readers[worker], setup.alphabet, views, batch_size,
                          data::item_seed(seed, kTrainStream, static_cast<uint64_t>(index)));
      },
      workers, config.get_int("data.prefetch"), step);

  install_interrupt_handlers();
  const bool cuda = device.is_cuda();
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  }
  Progress progress("pretrain", total_steps);
  const int64_t first_step = step;
  std::ofstream metrics(metrics_path, std::ios::app);
  struct Sums {
    double loss = 0, mlm = 0, distill = 0;
    int64_t correct = 0, counted = 0, steps = 0;
  } sums;
  auto interval_start = std::chrono::steady_clock::now();
  student->train();

  while (step < total_steps) {
    auto batch = loader.next();
    const auto student_in = batch.student.to(device);
    const auto teacher_in = batch.teacher.to(device);
    const auto target = batch.mlm_target.to(device);

    at::autocast::set_enabled(cuda);
    auto out_s = student->forward(student_in);
    at::Tensor out_t;
    {
      torch::NoGradGuard no_grad;
      out_t = teacher->forward(teacher_in);
    }
    at::autocast::set_enabled(false);
    if (cuda) at::autocast::clear_cache();
    auto logits = out_s.narrow(1, 0, setup.window);
    auto mlm_loss = objectives::masked_nucleotide_loss(logits, target, mlm_kind);
    auto teacher_cls = out_t.narrow(1, setup.window, setup.cls).to(at::kFloat);
    auto distill_loss = distill(out_s.narrow(1, setup.window, setup.cls), teacher_cls);
    auto loss = lambda_distill * distill_loss + lambda_mlm * mlm_loss;

    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      progress.finish();
      auto last = load_latest_checkpoint(checkpoints);
      throw Error("non-finite loss (" + std::to_string(loss_value) + ") at step " +
                  std::to_string(step + 1) + "; stopping. " +
                  (last ? "The last good checkpoint is " + last->directory.string() +
                              " (step " + std::to_string(last->step) + ")"
                        : std::string("No checkpoint was written yet")) +
                  ". Lower train.lr or raise train.warmup_fraction, then --resume.");
    }
    optimizer.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(student->parameters(), config.get_double("train.grad_clip"));
    const double lr = lr_schedule.at(step);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
    optimizer.step();
    // Teacher after the optimizer step, as in DINO (bug B6); centre from training batches only.
    const double momentum = ema_momentum(step, total_steps, config.get_double("findna.ema_start"),
                                         config.get_double("findna.ema_end"));
    ema_update(*teacher, *student, momentum);
    distill.update_center(teacher_cls);
    ++step;

    const auto acc = objectives::masked_nucleotide_accuracy(logits.detach(), target);
    sums.loss += loss_value;
    sums.mlm += mlm_loss.item<double>();
    sums.distill += distill_loss.item<double>();
    sums.correct += acc.correct;
    sums.counted += acc.counted;
    ++sums.steps;
    progress.update(step, "loss " + format_metric(loss_value));

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
          {"lr", lr},
          {"ema_momentum", momentum},
          {"seq_per_s", seconds > 0 ? sums.steps * batch_size / seconds : 0.0}};
      if (validate_now) record.update(validate());
      metrics << record.dump() << "\n" << std::flush;
      std::string status = "loss " + format_metric(record["loss"]) + " mlm_acc " +
                           format_metric(record["mlm_acc"]);
      if (record.contains("val_mlm_acc")) {
        status += " val_mlm_acc " + format_metric(record["val_mlm_acc"]);
      }
      status += " " + format_metric(record["seq_per_s"]) + " seq/s";
      progress.line(step, status);
      sums = Sums{};
    }
    if ((checkpoint_every > 0 && step % checkpoint_every == 0) || last_step || interrupted ||
        stopping) {
      const auto dir = save(step);
      if (stopping && !last_step && !interrupted) {
        progress.finish();
        spdlog::info("stopped after {} steps (--stop-after) at step {}; checkpoint {}; continue with --resume",
                     step - first_step, step, dir.string());
        return 0;
      }
      if (interrupted) {
        progress.finish();
        spdlog::warn("interrupted at step {}; checkpoint written to {}; continue with --resume",
                     step, dir.string());
        return 128 + interrupt_signal();
      }
    }
  }
  progress.finish();
  spdlog::info("done: {} steps; encoder written to {}", step, (out / "encoder.safetensors").string());
  return 0;
}

}  // namespace helix::train
