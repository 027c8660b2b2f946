// helix pretrain: self-supervised pretraining of a sequence encoder on a genome.
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "helix/train/findna_trainer.hpp"
#include "helix/util/config.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "shared_args.hpp"

namespace helix::app {
namespace fs = std::filesystem;

namespace {
struct PretrainArgs {
  std::string config;
  std::string out;
  bool resume = false;
  bool force = false;
  bool dry_run = false;
  int threads = 0;
  int64_t stop_after = 0;
  std::vector<std::string> overrides;
};

int run_pretrain(const PretrainArgs& a) {
  Config config(train::findna_config_defaults());
  const fs::path out = a.out;
  if (a.resume) {
    if (!fs::exists(out / "config.yaml")) {
      throw UsageError("--resume: " + out.string() + " holds no run (no config.yaml)");
    }
    if (!a.config.empty())
      spdlog::info("--resume: using {}/config.yaml; --config is ignored", out.string());
    config.merge_file((out / "config.yaml").string());
  } else if (!a.config.empty()) {
    config.merge_file(a.config);
  } else if (!a.dry_run) {
    throw UsageError("--config FILE is required (e.g. configs/findna.yaml)");
  }
  for (const auto& o : a.overrides) config.apply_override(o);
  if (a.threads > 0) config.set("train.threads", std::to_string(a.threads));
  const auto objective = config.get_string("pretrain.objective");
  if (objective != "findna") {
    throw UsageError("unknown pretrain.objective '" + objective + "' (available: findna)");
  }
  if (a.dry_run) {
    std::cout << train::describe_findna_model(config).dump() << std::endl;
    return 0;
  }
  if (a.out.empty()) throw UsageError("--out DIR is required");
  check_run_directory(a.out, train::run_file_names(), a.resume, a.force);
  return train::run_findna_pretraining(config, {out, a.resume, a.force, a.stop_after});
}
}  // namespace

Command add_pretrain_command(CLI::App& parent) {
  auto args = std::make_shared<PretrainArgs>();
  auto* cli = parent.add_subcommand(
      "pretrain",
      "Pretrain an encoder without labels (FinDNA self-distillation) on a genome.\n"
      "Writes DIR/config.yaml (the resolved config), DIR/metrics.jsonl (one JSON object per\n"
      "logged step), DIR/checkpoints/step-N/ and DIR/encoder.safetensors (the teacher's encoder,\n"
      "refreshed at every checkpoint). SIGINT/SIGTERM writes a checkpoint and exits.");
  cli->add_option("--config", args->config,
                  "YAML config (e.g. configs/findna.yaml); keys it omits keep their defaults")
      ->check(CLI::ExistingFile);
  cli->add_option("--out", args->out, "Run directory");
  cli->add_flag("--resume", args->resume,
                "Continue the run in --out from its latest checkpoint, with its config.yaml "
                "(overrides still apply)");
  cli->add_flag("--force", args->force,
                "Start over in a directory that already holds a run (its run files are deleted)");
  cli->add_flag("--dry-run", args->dry_run,
                "Print one JSON object describing the model (architecture, \"params\", GFLOP per "
                "sequence) and exit");
  cli->add_option("--stop-after", args->stop_after,
                  "Stop with a checkpoint after N steps of this invocation (schedules still span "
                  "train.steps; continue later with --resume), e.g. for time-limited cluster jobs");
  cli->add_option("--threads", args->threads,
                  "Intra-op CPU threads (default: one per core); same as train.threads=N");
  cli->add_option(
      "overrides", args->overrides,
      "Config overrides, section.key=value (e.g. train.steps=1000 data.genome=chr20.fa.gz)");
  cli->footer(
      "Config keys, with their defaults (the FinDNA paper's values); unknown keys are errors:\n" +
      train::findna_config_defaults() +
      "\nRegions: a BED file, or NAME:START-END,... (1-based inclusive) or sequence names.\n"
      "Exit codes: 0 done, 1 runtime failure (e.g. non-finite loss), 2 bad input or usage,\n"
      "130/143 interrupted by SIGINT/SIGTERM after writing a checkpoint.");
  return {cli, [args] { return run_pretrain(*args); }};
}

}  // namespace helix::app
