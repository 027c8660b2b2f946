#include "helix/train/pretrain_loop.hpp"

#include <c10/util/Exception.h>

#include <chrono>
#include <fstream>
#include <map>

#include "helix/train/device.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/progress.hpp"
#include "helix/util/signals.hpp"

namespace helix::train {
namespace fs = std::filesystem;

const std::string& pretraining_loop_keys() {
  static const std::string kKeys = R"yaml(  seed: {default: 42, range: "[0, inf)"}
  log_every: {default: 50, range: "[1, 1e12]"}  # steps per metrics.jsonl record (losses averaged over the interval)
  val_every: {default: 1000, range: "[0, 1e12]"}  # steps between validations (FinDNA: needs data.holdout)
  val_batches: {default: 8, range: "[1, 100000]"}  # fixed held-out batches per validation
  checkpoint_every: {default: 1000, range: "[0, 1e12]"}
  keep_checkpoints: {default: 2, range: "[1, 1000]"}
  device: auto           # auto (cuda when available), cpu, cuda
  threads: {default: 0, range: "[0, 4096]"}  # intra-op threads (0: one per core)
)yaml";
  return kKeys;
}

c10::Device device_from_config(const Config& config) {
  return resolve_device(config.get_choice("train.device", {"auto", "cpu", "cuda"}));
}

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> kNames = {"config.yaml", "metrics.jsonl", "checkpoints",
                                                  "encoder.safetensors"};
  return kNames;
}

namespace {

// Interval sums of the logged quantities, in first-seen order.
class IntervalSums {
 public:
  void add(const StepReport& r) {
    add_metric({"loss", r.loss, 1});
    for (const auto& m : r.averaged) add_metric(m);
    last_ = r.last;
    ++steps_;
  }
  int64_t steps() const { return steps_; }
  void fill(nlohmann::json& record) const {
    for (const auto& name : order_) {
      const auto& [value, weight] = sums_.at(name);
      record[name] = weight > 0 ? value / weight : 0.0;
    }
    for (const auto& [name, value] : last_) record[name] = value;
  }

 private:
  void add_metric(const StepMetric& m) {
    auto it = sums_.find(m.name);
    if (it == sums_.end()) {
      order_.push_back(m.name);
      it = sums_.emplace(m.name, std::make_pair(0.0, 0.0)).first;
    }
    it->second.first += m.value;
    it->second.second += m.weight;
  }
  std::vector<std::string> order_;
  std::map<std::string, std::pair<double, double>> sums_;
  std::vector<std::pair<std::string, double>> last_;
  int64_t steps_ = 0;
};

}  // namespace

int run_pretraining_loop(PretrainTask& task, const Config& config, const PretrainOptions& options,
                         const std::vector<std::string>& path_keys) {
  const int64_t total_steps = config.get_int("train.steps");
  const int64_t log_every = std::max<int64_t>(1, config.get_int("train.log_every"));
  const int64_t val_every = config.get_int("train.val_every");
  const int64_t checkpoint_every = config.get_int("train.checkpoint_every");
  const auto seed = static_cast<uint64_t>(config.get_int("train.seed"));
  const int keep = static_cast<int>(config.get_int("train.keep_checkpoints"));

  const fs::path out = options.out_dir;
  const fs::path checkpoints = out / "checkpoints";
  const fs::path metrics_path = out / "metrics.jsonl";
  int64_t step = 0;
  remove_stale_checkpoint_files(checkpoints);
  if (options.resume) {
    auto checkpoint = load_latest_checkpoint(checkpoints);
    if (checkpoint) {
      task.restore(*checkpoint);
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
  const FreshRunCleanup cleanup(out, run_file_names(), !options.resume);
  // Input paths are stored absolute, so --resume works from any working directory.
  Config resolved = config;
  for (const auto& key : path_keys) {
    const auto value = config.get_string(key);
    if (!value.empty() && fs::exists(value)) {
      resolved.set(key, nlohmann::json(fs::absolute(value).lexically_normal().string()).dump());
    }
  }
  write_file_atomic(out / "config.yaml", resolved.to_yaml());

  auto save = [&](int64_t at_step) {
    auto dir = save_checkpoint(checkpoints, at_step, task.checkpoint_tensors(), task.optimizer(),
                               {{"seed", seed}, {"data_index", at_step}}, keep);
    task.save_encoder(out / "encoder.safetensors", at_step);
    return dir;
  };

  task.start(step);
  install_interrupt_handlers();
  Progress progress("pretrain", total_steps);
  std::ofstream metrics(metrics_path, std::ios::app);
  IntervalSums sums;
  const int64_t first_step = step;
  auto interval_start = std::chrono::steady_clock::now();

  while (step < total_steps) {
    StepReport r;
    try {
      r = task.train_step(step);
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
        // Nothing worth keeping: FreshRunCleanup removes the half-started run.
        where = "No checkpoint had been written; the run directory was removed.";
      }
      throw Error("training step " + std::to_string(step + 1) + " failed: " + what +
                  ". Lower train.lr or raise train.warmup_fraction. " + where);
    }
    ++step;
    sums.add(r);
    progress.update(step, "loss " + format_significant(r.loss));

    const bool last_step = step == total_steps;
    const bool interrupted = interrupt_requested();
    const bool stopping = options.stop_after > 0 && step - first_step >= options.stop_after;
    const bool validate_now =
        task.has_validation() && val_every > 0 && (step % val_every == 0 || last_step);
    if (step % log_every == 0 || validate_now || last_step || interrupted || stopping) {
      const auto now = std::chrono::steady_clock::now();
      const double seconds = std::chrono::duration<double>(now - interval_start).count();
      nlohmann::json record = {{"step", step}};
      sums.fill(record);
      record["seq_per_s"] = seconds > 0 ? sums.steps() * task.batch_size() / seconds : 0.0;
      if (validate_now) record.update(task.validate());
      metrics << record.dump() << "\n" << std::flush;
      progress.line(step,
                    task.status(record) + " " + format_significant(record["seq_per_s"]) + " seq/s");
      sums = IntervalSums{};
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
