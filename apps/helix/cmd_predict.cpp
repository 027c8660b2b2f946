// helix predict: predictions of a trained model (model.safetensors from helix finetune).
#include "commands.hpp"
#include "helix/data/sequence_file.hpp"
#include "helix/eval/finetune.hpp"
#include "helix/eval/predictions.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::app {

namespace {
struct PredictArgs {
  std::string model;
  std::string input;
  std::string out;
  std::string column = "sequence";
  int64_t batch_size = 256;
  std::string device = "cpu";
  int threads = 0;
};

int run_predict(const PredictArgs& a) {
  apply_threads(a.threads);
  if (a.batch_size < 1) throw UsageError("--batch-size must be positive");
  auto loaded = nn::load_sequence_model(a.model);
  const auto records = data::read_sequences(a.input, a.column);
  std::vector<std::string> names, sequences;
  for (const auto& r : records) {
    names.push_back(r.name);
    sequences.push_back(r.sequence);
  }
  std::vector<double> scores;
  translate_torch_error("predicting " + a.input, [&] {
    loaded.model->to(torch::Device(a.device));
    scores = eval::predict_scores(*loaded.model, loaded.task, loaded.alphabet, sequences,
                                  a.batch_size, a.device);
  });
  const auto kind = loaded.task.kind == "classification" ? data::TaskKind::kClassification
                                                         : data::TaskKind::kRegression;
  eval::write_predictions(a.out, names, kind, loaded.task.classes, loaded.task.targets, scores);
  spdlog::info("wrote predictions for {} sequences to {}", names.size(), a.out);
  return 0;
}
}  // namespace

Command add_predict_command(CLI::App& parent) {
  auto args = std::make_shared<PredictArgs>();
  auto* cli = parent.add_subcommand(
      "predict",
      "Predict with a trained model (model.safetensors from helix finetune). Writes a TSV with\n"
      "one row per input sequence, in input order: name, then `predicted` and `prob_<class>`\n"
      "per class (classification) or `pred_<target>` per target (regression).");
  cli->add_option("--model", args->model, "model.safetensors from helix finetune")->required();
  cli->add_option("--input", args->input,
                  "Sequences: FASTA (plain or gzip; names from the headers) or CSV/TSV with a "
                  "header (names are row numbers)")
      ->required();
  cli->add_option("--out", args->out, "Output TSV")->required();
  cli->add_option("--column", args->column, "Sequence column of a CSV/TSV input")
      ->capture_default_str();
  cli->add_option("--batch-size", args->batch_size, "Sequences per forward pass")
      ->capture_default_str();
  cli->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
  cli->add_option("--threads", args->threads, "Intra-op CPU threads (default: one per core)");
  return {cli, [args] { return run_predict(*args); }};
}

}  // namespace helix::app
