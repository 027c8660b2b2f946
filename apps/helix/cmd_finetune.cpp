// helix finetune: supervised training of an encoder plus a small head (fine-tuning a pretrained
// encoder, or training an architecture from scratch).
#include <filesystem>

#include "commands.hpp"
#include "helix/eval/encoder_source.hpp"
#include "helix/eval/finetune.hpp"
#include "helix/util/config.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {
namespace fs = std::filesystem;

namespace {
struct FinetuneArgs {
  std::string encoder;
  std::string model;
  std::string train, dev, test, out;
  std::string config;
  LabeledArgs labeled;
  bool resume = false;
  bool force = false;
  int64_t stop_after = 0;
  int threads = 0;
  std::vector<std::string> overrides;
};

int run_finetune(const FinetuneArgs& a) {
  {
    std::vector<std::string> inputs = {a.train, a.dev, a.test, a.labeled.labels, a.model};
    if (!a.resume) inputs.push_back(a.config);  // --resume reads OUT/config.yaml, its own
    if (a.encoder.rfind("random:", 0) == 0) {
      inputs.push_back(a.encoder.substr(7));
    } else if (a.encoder != "none") {
      inputs.push_back(a.encoder);
    }
    check_output_directory(a.out, eval::finetune_file_names(), inputs);
  }
  Config config(eval::finetune_config_defaults());
  const fs::path out = a.out;
  if (a.resume) {
    if (!fs::exists(out / "config.yaml")) {
      throw UsageError("--resume: " + out.string() + " holds no fine-tuning run (no config.yaml)");
    }
    config.merge_file((out / "config.yaml").string());
  } else if (!a.config.empty()) {
    config.merge_file(a.config);
  }
  for (const auto& o : a.overrides) config.apply_override(o);
  if (a.threads > 0) {
    config.set("finetune.threads", std::to_string(a.threads),
               "--threads " + std::to_string(a.threads));
  }
  apply_threads(thread_setting(config, "finetune.threads"));

  const bool from_scratch = a.encoder == "none";
  if (from_scratch == a.model.empty()) {
    throw UsageError(from_scratch ? "--encoder none needs --model CONFIG (the architecture)"
                                  : "--model CONFIG goes with --encoder none");
  }
  check_run_directory(a.out, eval::finetune_file_names(), a.resume, a.force);
  // Inputs first: a bad file fails before anything is written.
  const auto splits = read_splits(a.labeled, a.train, a.dev, a.test);
  const auto seed = static_cast<uint64_t>(config.get_int("finetune.seed"));
  const auto source = from_scratch ? eval::encoder_from_config(a.model, seed)
                                   : eval::encoder_from_spec(a.encoder, seed);
  const auto outputs = splits.train.kind == data::TaskKind::kClassification
                           ? splits.train.num_classes()
                           : splits.train.num_targets();
  at::manual_seed(seed);  // the head's initial weights
  nn::SequenceModel model(source.encoder, outputs, config.get_double("finetune.dropout"));
  return eval::run_finetune(model, source.alphabet, config, splits.train, *splits.dev,
                            splits.test.get(), {out, a.resume, a.force, a.stop_after},
                            source.provenance);
}
}  // namespace

Command add_finetune_command(CLI::App& parent) {
  auto args = std::make_shared<FinetuneArgs>();
  auto* cli = parent.add_subcommand(
      "finetune",
      "Train an encoder with a small head (masked mean pooling, dropout, linear) on labelled\n"
      "sequences: fine-tune a pretrained encoder, or train an architecture from scratch\n"
      "(--encoder none --model CONFIG). AdamW with warm-up and cosine decay; the model is\n"
      "selected on --dev (never on test) with early stopping. Writes DIR/model.safetensors\n"
      "(for helix predict), DIR/metrics.json (dev and test metrics of the selected model),\n"
      "DIR/predictions.tsv (test set), DIR/metrics.jsonl (one record per evaluation),\n"
      "DIR/config.yaml and DIR/checkpoints/. SIGINT/SIGTERM writes a checkpoint and exits.");
  cli->add_option("--encoder", args->encoder,
                  "encoder.safetensors from helix pretrain, random:CONFIG (random weights of that "
                  "architecture) or none (with --model)")
      ->required();
  cli->add_option("--model", args->model,
                  "With --encoder none: YAML architecture to train from scratch (e.g. "
                  "configs/cnn-gue.yaml, or a pretraining config)");
  cli->add_option("--train", args->train, "Training split: CSV/TSV, or FASTA with --labels")
      ->required();
  cli->add_option("--dev", args->dev, "Dev split: model selection and early stopping")->required();
  cli->add_option("--test", args->test, "Test split, scored once with the selected model");
  cli->add_option("--out", args->out, "Run directory")->required();
  cli->add_option("--config", args->config, "YAML with a finetune: section (keys below)")
      ->check(CLI::ExistingFile);
  add_labeled_options(cli, args->labeled);
  cli->add_flag("--resume", args->resume,
                "Continue the run in --out from its latest checkpoint (same inputs; its "
                "config.yaml is used, overrides still apply)");
  cli->add_flag("--force", args->force, "Start over in a directory that already holds a run");
  cli->add_option("--stop-after", args->stop_after,
                  "Stop with a checkpoint after N steps of this invocation (continue with "
                  "--resume)")
      ->check(within(1, 1e12));
  add_threads_option(cli, args->threads, "Intra-op CPU threads; same as finetune.threads=N");
  cli->add_option("overrides", args->overrides,
                  "Config overrides, section.key=value (e.g. finetune.epochs=3 finetune.lr=5e-4)");
  cli->footer("Config keys, with their defaults and valid ranges ([ ] includes the bound, ( ) "
              "excludes it):\n" + eval::finetune_config_defaults() +
              "\nExit codes: 0 done, 1 runtime failure, 2 bad input or usage, 130/143 "
              "interrupted after writing a checkpoint.");
  return {cli, [args] { return run_finetune(*args); }};
}

}  // namespace helix::app
