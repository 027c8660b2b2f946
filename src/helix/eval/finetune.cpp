#include "helix/eval/finetune.hpp"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>
#include <fstream>

#include "helix/data/batches.hpp"
#include "helix/data/prefetcher.hpp"
#include "helix/eval/embed.hpp"
#include "helix/eval/predictions.hpp"
#include "helix/nn/module_tensors.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/device.hpp"
#include "helix/train/schedule.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/progress.hpp"
#include "helix/util/signals.hpp"

namespace helix::eval {

namespace fs = std::filesystem;

namespace {

// Streams of item_seed: the batch order of each epoch, and the dropout masks of each step.
constexpr uint64_t kEpochOrderStream = 1;
constexpr uint64_t kDropoutStream = 2;

const char* kDefaults = R"yaml(
finetune:
  epochs: {default: 10, range: "[1, 1000000]"}  # passes over the training set (at most; early stopping may end sooner)
  batch_size: {default: 64, range: "[1, 1000000]"}
  lr: {default: 1.0e-3, range: "(0, inf)"}  # peak learning rate of the head
  encoder_lr_scale: {default: 1.0, range: "[0, inf)"}  # the encoder's peak learning rate is lr * encoder_lr_scale
  weight_decay: {default: 0.01, range: "[0, inf)"}  # AdamW, on weight matrices and kernels only (not biases or norms)
  warmup_fraction: {default: 0.1, range: "[0, 1)"}  # linear warm-up over this fraction of the steps, then cosine to 0
  grad_clip: {default: 1.0, range: "[0, inf)"}  # max global gradient norm; 0 = no clipping
  dropout: {default: 0.1, range: "[0, 1)"}  # on the pooled features, before the head
  eval_every: {default: 0, range: "[0, 1e12]"}  # steps between evaluations on dev; 0 = once per epoch
  patience: {default: 3, range: "[0, 1000000]"}  # stop after this many evaluations without improvement; 0 = never
  select_metric: auto     # auto (mcc / pearson), mcc, auroc, auprc, accuracy, macro_f1, pearson, spearman, r2, loss
  eval_batch_size: {default: 256, range: "[1, 1000000]"}
  seed: {default: 0, range: "[0, inf)"}
  device: auto            # auto (cuda when available), cpu, cuda
  threads: {default: 0, range: "[0, 4096]"}  # intra-op CPU threads; 0 = one per core
  keep_checkpoints: {default: 1, range: "[1, 1000]"}
)yaml";

struct Selection {
  std::string metric;
  bool lower_is_better = false;
};

Selection selection_for(const Config& config, data::TaskKind kind) {
  auto metric = config.get_choice(
      "finetune.select_metric", {"auto", "mcc", "auroc", "auprc", "accuracy", "macro_f1", "pearson",
                                 "spearman", "r2", "loss"});
  const bool classification = kind == data::TaskKind::kClassification;
  if (metric == "auto") metric = classification ? "mcc" : "pearson";
  const bool classification_metric = metric == "mcc" || metric == "auroc" || metric == "auprc" ||
                                     metric == "accuracy" || metric == "macro_f1";
  if (metric != "loss" && classification_metric != classification) {
    config.fail("finetune.select_metric", "finetune.select_metric=" + metric +
                                              " does not apply to a " + data::task_kind_name(kind) +
                                              " task");
  }
  return {metric, metric == "loss"};
}

// Standardised regression targets [N, T], or class labels [N].
at::Tensor training_targets(const data::LabeledSet& set, const nn::TaskInfo& task) {
  if (set.kind == data::TaskKind::kClassification) {
    return at::tensor(set.labels, at::kLong);
  }
  const auto t = static_cast<int64_t>(task.targets.size());
  auto y = at::tensor(set.targets, at::kDouble).view({-1, t});
  auto mean = at::tensor(task.target_mean, at::kDouble);
  auto scale = at::tensor(task.target_scale, at::kDouble);
  return ((y - mean) / scale).to(at::kFloat);
}

at::Tensor loss_of(const at::Tensor& outputs, const at::Tensor& targets, bool classification) {
  if (classification) return torch::nn::functional::cross_entropy(outputs, targets);
  return torch::nn::functional::mse_loss(outputs, targets);
}

}  // namespace

const std::string& finetune_config_defaults() {
  static const std::string kText = std::string(kDefaults).substr(1);
  return kText;
}

const std::vector<std::string>& finetune_file_names() {
  static const std::vector<std::string> kNames = {"config.yaml",  "metrics.jsonl",
                                                  "checkpoints",  "model.safetensors",
                                                  "metrics.json", "predictions.tsv"};
  return kNames;
}

nn::TaskInfo task_info_for(const data::LabeledSet& train) {
  nn::TaskInfo task;
  task.kind = data::task_kind_name(train.kind);
  task.targets = train.target_names;
  if (train.kind == data::TaskKind::kClassification) {
    task.classes = train.classes;
    return task;
  }
  const auto t = static_cast<size_t>(train.num_targets());
  const size_t n = train.size();
  for (size_t k = 0; k < t; ++k) {
    long double sum = 0, sq = 0;
    for (size_t i = 0; i < n; ++i) sum += train.targets[i * t + k];
    const long double mean = sum / n;
    for (size_t i = 0; i < n; ++i) {
      const long double d = train.targets[i * t + k] - mean;
      sq += d * d;
    }
    const double sd = std::sqrt(static_cast<double>(sq / n));
    task.target_mean.push_back(static_cast<double>(mean));
    // A constant target keeps scale 1, so predictions stay finite (and equal the constant).
    task.target_scale.push_back(sd > 0 ? sd : 1.0);
  }
  return task;
}

std::vector<double> predict_scores(nn::SequenceModelImpl& model, const nn::TaskInfo& task,
                                   const std::string& alphabet_name,
                                   const std::vector<std::string>& sequences, int64_t batch_size,
                                   const std::string& device_name) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto device = train::resolve_device(device_name);
  const auto alphabet = seq::Alphabet::from_name(alphabet_name);
  const bool classification = task.kind == "classification";
  const int64_t width = model.head->options.out_features();
  std::vector<int64_t> lengths(sequences.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    lengths[i] = static_cast<int64_t>(sequences[i].size());
  }
  std::vector<double> out(sequences.size() * width);
  at::Tensor mean, scale;
  if (!classification) {
    mean = at::tensor(task.target_mean, at::kDouble);
    scale = at::tensor(task.target_scale, at::kDouble);
  }
  for (const auto& indices : data::length_grouped_batches(lengths, batch_size, false, 0)) {
    auto batch = data::one_hot_batch(sequences, indices, alphabet, model.encoder->in_channels());
    auto y = model.forward(batch.x.to(device), batch.lengths).to(at::kCPU).to(at::kDouble);
    y = classification ? at::softmax(y, 1) : y * scale + mean;
    y = y.contiguous();
    const double* p = y.data_ptr<double>();
    for (size_t k = 0; k < indices.size(); ++k) {
      std::copy(p + k * width, p + (k + 1) * width, out.begin() + indices[k] * width);
    }
  }
  if (was_training) model.train();
  return out;
}

int run_finetune(nn::SequenceModel model, const std::string& alphabet_name, const Config& config,
                 const data::LabeledSet& train, const data::LabeledSet& dev,
                 const data::LabeledSet* test, const FinetuneOptions& options,
                 const nlohmann::json& provenance) {
  const int64_t epochs = config.get_int("finetune.epochs");
  const int64_t batch_size = config.get_int("finetune.batch_size");
  const double lr = config.get_double("finetune.lr");
  const double encoder_lr_scale = config.get_double("finetune.encoder_lr_scale");
  const double weight_decay = config.get_double("finetune.weight_decay");
  const double warmup_fraction = config.get_double("finetune.warmup_fraction");
  const double grad_clip = config.get_double("finetune.grad_clip");
  const int64_t eval_every = config.get_int("finetune.eval_every");
  const int64_t patience = config.get_int("finetune.patience");
  const int64_t eval_batch_size = config.get_int("finetune.eval_batch_size");
  const auto seed = static_cast<uint64_t>(config.get_int("finetune.seed"));
  const auto device_name = config.get_choice("finetune.device", {"auto", "cpu", "cuda"});
  const auto selection = selection_for(config, train.kind);
  set_compute_threads(thread_setting(config, "finetune.threads"));
  const auto device = train::resolve_device(device_name);
  const bool classification = train.kind == data::TaskKind::kClassification;
  const auto task = task_info_for(train);
  const auto alphabet = seq::Alphabet::from_name(alphabet_name);
  // More input channels than symbols: an RNA encoder's annotation tracks, zero for plain
  // sequences (data::one_hot_batch). Fewer cannot be filled.
  if (model->encoder->in_channels() < alphabet.channels()) {
    throw UsageError("the encoder takes " + std::to_string(model->encoder->in_channels()) +
                     " input channels but alphabet " + alphabet_name + " has " +
                     std::to_string(alphabet.channels()));
  }
  // Every split must fit the architecture (e.g. a CNN's receptive field) before the run starts.
  for (const auto* set : {&train, &dev, test}) {
    if (set) check_sequence_lengths(*model->encoder, set->path, set->sequences, set->lines);
  }
  const auto targets = training_targets(train, task);
  std::vector<int64_t> lengths(train.size());
  for (size_t i = 0; i < train.size(); ++i) {
    lengths[i] = static_cast<int64_t>(train.sequences[i].size());
  }
  // length_grouped_batches cuts every epoch into ceil(N / batch_size) batches.
  const auto n_train = static_cast<int64_t>(train.size());
  const int64_t steps_per_epoch = (n_train + batch_size - 1) / batch_size;
  const int64_t total_steps = epochs * steps_per_epoch;
  const int64_t eval_interval = eval_every > 0 ? eval_every : steps_per_epoch;
  const train::LrSchedule schedule{
      lr, static_cast<int64_t>(std::llround(warmup_fraction * total_steps)), total_steps};

  model->to(device);
  // Two parameter groups per part (encoder, head): decayed weights and undecayed biases/norms.
  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::vector<double> group_scale;
  auto add_groups = [&](torch::nn::Module& part, double scale) {
    std::vector<at::Tensor> decay, no_decay;
    for (auto& p : part.parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
    for (int g = 0; g < 2; ++g) {
      auto& params = g == 0 ? decay : no_decay;
      if (params.empty()) continue;
      auto opts = std::make_unique<torch::optim::AdamWOptions>(lr * scale);
      opts->weight_decay(g == 0 ? weight_decay : 0.0);
      groups.emplace_back(params, std::move(opts));
      group_scale.push_back(scale);
    }
  };
  add_groups(*model->encoder, encoder_lr_scale);
  add_groups(*model->head, 1.0);
  torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(lr));

  const fs::path out = options.out_dir;
  const fs::path checkpoints = out / "checkpoints";
  const fs::path metrics_log = out / "metrics.jsonl";
  const fs::path model_path = out / "model.safetensors";
  int64_t step = 0;
  double best_score = std::nan("");
  int64_t best_step = 0;
  int64_t evals_without_improvement = 0;
  train::remove_stale_checkpoint_files(checkpoints);
  if (options.resume) {
    auto checkpoint = train::load_latest_checkpoint(checkpoints);
    if (checkpoint) {
      train::load_module(*checkpoint, "model.", *model);
      train::load_optimizer(*checkpoint, optimizer);
      step = checkpoint->step;
      const auto& s = checkpoint->state;
      if (s.at("best_score").is_number()) best_score = s.at("best_score").get<double>();
      best_step = s.value("best_step", int64_t{0});
      evals_without_improvement = s.value("evals_without_improvement", int64_t{0});
      spdlog::info("resuming from {} (step {})", checkpoint->directory.string(), step);
    } else {
      spdlog::warn("no checkpoint in {}; starting from step 0", checkpoints.string());
    }
    train::truncate_metrics_log(metrics_log, step);
  } else {
    if (options.force) {
      for (const auto& name : finetune_file_names()) fs::remove_all(out / name);
    }
    fs::create_directories(out);
    write_file_atomic(metrics_log, "");
  }
  const train::FreshRunCleanup cleanup(out, finetune_file_names(), !options.resume);
  write_file_atomic(out / "config.yaml", config.to_yaml());

  nlohmann::json training_info = {{"provenance", provenance},
                                  {"config", config.to_json()},
                                  {"train", train.path},
                                  {"dev", dev.path}};
  auto is_better = [&](double score) {
    if (std::isnan(score)) return false;
    if (std::isnan(best_score)) return true;
    return selection.lower_is_better ? score < best_score : score > best_score;
  };
  auto evaluate_dev = [&](nlohmann::json& record) {
    const auto scores =
        predict_scores(*model, task, alphabet_name, dev.sequences, eval_batch_size, device.str());
    auto metrics = evaluate(dev, scores);
    // Dev loss in the training objective's terms (standardised targets for regression).
    double loss = 0.0;
    const auto n = static_cast<int64_t>(dev.size());
    if (classification) {
      auto p = at::tensor(scores, at::kDouble).view({n, -1}).clamp_min(1e-300);
      loss = at::nll_loss(p.log(), at::tensor(dev.labels, at::kLong)).item<double>();
    } else {
      auto pred = at::tensor(scores, at::kDouble).view({n, -1});
      auto truth = at::tensor(dev.targets, at::kDouble).view({n, -1});
      auto scale = at::tensor(task.target_scale, at::kDouble);
      loss = ((pred - truth) / scale).pow(2).mean().item<double>();
    }
    metrics["loss"] = loss;
    record["dev"] = metrics;
    return selection.metric == "loss" ? loss : metric_value(metrics, selection.metric);
  };

  install_interrupt_handlers();
  Progress progress("finetune", total_steps);
  std::ofstream log(metrics_log, std::ios::app);
  double loss_sum = 0.0;
  int64_t loss_count = 0;
  auto interval_start = std::chrono::steady_clock::now();
  const int64_t first_step = step;
  // A run that had already stopped early stays stopped when resumed.
  bool stopped_early = patience > 0 && evals_without_improvement >= patience;
  std::vector<std::vector<int64_t>> epoch_batches;
  int64_t batches_epoch = -1;
  model->train();
  while (step < total_steps && !stopped_early) {
    const int64_t epoch = step / steps_per_epoch;
    if (epoch != batches_epoch) {
      epoch_batches = data::length_grouped_batches(lengths, batch_size, true,
                                                   data::item_seed(seed, kEpochOrderStream, epoch));
      batches_epoch = epoch;
    }
    const auto& indices = epoch_batches[step % steps_per_epoch];
    auto batch =
        data::one_hot_batch(train.sequences, indices, alphabet, model->encoder->in_channels());
    auto index = at::tensor(indices, at::kLong);
    auto y = targets.index_select(0, index).to(device);
    const double step_lr = schedule.at(step);
    for (size_t g = 0; g < optimizer.param_groups().size(); ++g) {
      static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options())
          .lr(step_lr * group_scale[g]);
    }
    at::manual_seed(data::item_seed(seed, kDropoutStream, step));
    double loss_value = 0.0;
    try {
      optimizer.zero_grad();
      auto loss = loss_of(model->forward(batch.x.to(device), batch.lengths), y, classification);
      loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw Error("non-finite training loss at step " + std::to_string(step + 1) +
                    "; lower finetune.lr or raise finetune.warmup_fraction");
      }
      loss.backward();
      if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), grad_clip);
      optimizer.step();
    } catch (const c10::Error& e) {
      throw Error("training step " + std::to_string(step + 1) +
                  " failed inside LibTorch: " + e.what_without_backtrace());
    }
    ++step;
    loss_sum += loss_value;
    ++loss_count;
    progress.update(step, "loss " + format_significant(loss_value));

    const bool last_step = step == total_steps;
    const bool interrupted = interrupt_requested();
    const bool stopping = options.stop_after > 0 && step - first_step >= options.stop_after;
    const bool evaluate_now = step % eval_interval == 0 || last_step;
    if (evaluate_now) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - interval_start).count();
      nlohmann::json record = {{"step", step},
                               {"epoch", static_cast<double>(step) / steps_per_epoch},
                               {"train_loss", loss_sum / std::max<int64_t>(1, loss_count)},
                               {"lr", step_lr},
                               {"seq_per_s", seconds > 0 ? loss_count * batch_size / seconds : 0}};
      const double score = evaluate_dev(record);
      const bool improved = is_better(score);
      if (improved) {
        best_score = score;
        best_step = step;
        evals_without_improvement = 0;
        auto info = training_info;
        info["step"] = step;
        info["dev_" + selection.metric] = score;
        nn::save_sequence_model(model_path.string(), *model, alphabet_name, task, info);
        model->train();
      } else {
        ++evals_without_improvement;
      }
      record["dev_score"] = score;
      record["best"] = improved;
      log << record.dump() << "\n" << std::flush;
      progress.line(step, "train_loss " + format_significant(record["train_loss"]) + " dev " +
                              selection.metric + " " + format_significant(score) +
                              (improved ? " (best)" : ""));
      loss_sum = 0;
      loss_count = 0;
      stopped_early = patience > 0 && evals_without_improvement >= patience;
      interval_start = std::chrono::steady_clock::now();
    }
    if (evaluate_now || interrupted || stopping) {
      const nlohmann::json state = {
          {"seed", seed},
          {"best_score",
           std::isnan(best_score) ? nlohmann::json(nullptr) : nlohmann::json(best_score)},
          {"best_step", best_step},
          {"evals_without_improvement", evals_without_improvement}};
      const auto dir = train::save_checkpoint(
          checkpoints, step, nn::module_tensors(*model, "model."), optimizer, state,
          static_cast<int>(config.get_int("finetune.keep_checkpoints")));
      if (interrupted && !last_step) {
        progress.finish();
        spdlog::warn("interrupted at step {}; checkpoint written to {}; continue with --resume",
                     step, dir.string());
        return 128 + interrupt_signal();
      }
      if (stopping && !last_step && !stopped_early) {
        progress.finish();
        spdlog::info("stopped after {} steps (--stop-after) at step {}; continue with --resume",
                     step - first_step, step);
        return 0;
      }
    }
    if (stopped_early) break;
  }
  progress.finish();
  if (!fs::exists(model_path)) {
    throw Error("no evaluation on dev produced a finite " + selection.metric +
                "; nothing to select (is the dev set degenerate?)");
  }
  if (stopped_early) {
    spdlog::info("early stop at step {}: {} evaluations without improvement", step, patience);
  }
  // Final results come from the selected model, re-read from its file.
  auto selected = nn::load_sequence_model(model_path.string());
  selected.model->to(device);
  nlohmann::json result = {{"command", "finetune"},
                           {"task", task.kind},
                           {"provenance", provenance},
                           {"selection", {{"metric", selection.metric}, {"split", "dev"}}},
                           {"best_step", best_step},
                           {"best_epoch", static_cast<double>(best_step) / steps_per_epoch},
                           {"steps_run", step},
                           {"steps_planned", total_steps},
                           {"stopped_early", stopped_early},
                           {"n_train", static_cast<int64_t>(train.size())},
                           {"n_dev", static_cast<int64_t>(dev.size())}};
  if (classification) result["classes"] = task.classes;
  const auto dev_scores = predict_scores(*selected.model, task, alphabet_name, dev.sequences,
                                         eval_batch_size, device.str());
  result["dev"] = evaluate(dev, dev_scores);
  const data::LabeledSet& reported = test != nullptr ? *test : dev;
  std::vector<double> scores = dev_scores;
  if (test != nullptr) {
    scores = predict_scores(*selected.model, task, alphabet_name, test->sequences, eval_batch_size,
                            device.str());
    result["test"] = evaluate(*test, scores);
    result["n_test"] = static_cast<int64_t>(test->size());
  }
  write_predictions((out / "predictions.tsv").string(), reported.names, train.kind, task.classes,
                    task.targets, scores, &reported);
  write_file_atomic(out / "metrics.json", result.dump(2) + "\n");
  const auto& shown = test != nullptr ? result["test"] : result["dev"];
  spdlog::info("selected step {} (dev {} {}); {} {}: {}", best_step, selection.metric,
               format_significant(best_score), test != nullptr ? "test" : "dev",
               classification ? "mcc" : "pearson",
               format_significant(metric_value(shown, classification ? "mcc" : "pearson")));
  return 0;
}

}  // namespace helix::eval
