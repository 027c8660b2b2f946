// helix pretrain: self-supervised pretraining of a sequence encoder: FinDNA self-distillation on
// a genome, or IsoCLR contrastive learning on transcripts and orthologs.
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "helix/train/findna_trainer.hpp"
#include "helix/train/isoclr_trainer.hpp"
#include "helix/train/pretrain_config.hpp"
#include "helix/util/config.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
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
  const fs::path out = a.out;
  std::string config_file;
  if (a.resume) {
    if (!fs::exists(out / "config.yaml")) {
      throw UsageError("--resume: " + out.string() + " holds no run (no config.yaml)");
    }
    if (!a.config.empty())
      spdlog::info("--resume: using {}/config.yaml; --config is ignored", out.string());
    config_file = (out / "config.yaml").string();
  } else if (!a.config.empty()) {
    config_file = a.config;
  } else if (!a.dry_run) {
    throw UsageError("--config FILE is required (e.g. configs/findna.yaml or configs/isoclr.yaml)");
  }
  const auto objective = train::pretraining_objective(config_file, a.overrides);
  const bool isoclr = objective == "isoclr";
  Config config = train::pretraining_defaults(objective);
  if (!config_file.empty()) config.merge_file(config_file);
  for (const auto& o : a.overrides) config.apply_override(o);
  if (a.threads > 0) {
    config.set("train.threads", std::to_string(a.threads),
               "--threads " + std::to_string(a.threads));
  }
  if (a.dry_run) {
    std::cout << train::describe_pretraining_model(config).dump() << std::endl;
    return 0;
  }
  if (a.out.empty()) throw UsageError("--out DIR is required");
  std::vector<std::string> inputs;
  if (!a.resume) inputs.push_back(a.config);  // --resume reads OUT/config.yaml, its own
  for (const auto& key : train::pretraining_input_keys(config)) {
    inputs.push_back(config.get_string(key));
  }
  check_output_directory(a.out, train::run_file_names(), inputs);
  check_run_directory(a.out, train::run_file_names(), a.resume, a.force);
  const train::PretrainOptions options{out, a.resume, a.force, a.stop_after};
  return isoclr ? train::run_isoclr_pretraining(config, options)
                : train::run_findna_pretraining(config, options);
}
}  // namespace

Command add_pretrain_command(CLI::App& parent) {
  auto args = std::make_shared<PretrainArgs>();
  auto* cli = parent.add_subcommand(
      "pretrain",
      "Pretrain an encoder without labels: FinDNA self-distillation on a genome\n"
      "(pretrain.objective: findna, configs/findna.yaml), or IsoCLR contrastive learning on\n"
      "splice isoforms and orthologs with 6-track RNA input (pretrain.objective: isoclr,\n"
      "configs/isoclr.yaml).\n"
      "Writes DIR/config.yaml (the resolved config), DIR/metrics.jsonl (one JSON object per\n"
      "logged step), DIR/checkpoints/step-N/ and DIR/encoder.safetensors (the encoder: FinDNA's\n"
      "teacher, IsoCLR's encoder without the projection head; refreshed at every checkpoint).\n"
      "SIGINT/SIGTERM writes a checkpoint and exits.");
  cli->add_option(
         "--config", args->config,
         "YAML config (e.g. configs/findna.yaml, configs/isoclr.yaml); its pretrain.objective "
         "selects the method; keys it omits keep their defaults")
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
                  "train.steps; continue later with --resume), e.g. for time-limited cluster jobs")
      ->check(within(1, 1e12));
  add_threads_option(cli, args->threads, "Intra-op CPU threads; same as train.threads=N");
  cli->add_option(
      "overrides", args->overrides,
      "Config overrides, section.key=value (e.g. train.steps=1000 data.genome=chr20.fa.gz)");
  cli->footer(
      "FinDNA config keys, with their defaults (the FinDNA paper's values) and the valid range "
      "of each number ([ ] includes the bound, ( ) excludes it); unknown keys and values "
      "outside their range are errors:\n" +
      train::findna_config_defaults() +
      "\nIsoCLR config keys (pretrain.objective: isoclr), with their defaults (Orthrus's "
      "published run):\n" +
      train::isoclr_config_defaults() +
      "\nRegions: a BED file, or NAME:START-END,... (1-based inclusive) or sequence names.\n"
      "Exit codes: 0 done, 1 runtime failure (e.g. non-finite loss), 2 bad input or usage,\n"
      "130/143 interrupted by SIGINT/SIGTERM after writing a checkpoint.");
  return {cli, [args] { return run_pretrain(*args); }};
}

}  // namespace helix::app
