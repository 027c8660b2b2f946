// helix predict: predictions of a trained model (model.safetensors from helix finetune).
#include "commands.hpp"
#include "helix/eval/embed.hpp"
#include "helix/eval/finetune.hpp"
#include "helix/eval/predictions.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {

namespace {
struct PredictArgs {
  std::string model;
  std::string out;
  SequenceInputArgs input{"", "sequence", 256};
};

int run_predict(const PredictArgs& a) {
  check_output_file(a.out, {a.input.input, a.model});
  const auto device = checked_device(a.input.device);
  const auto input = read_sequence_input(a.input);
  auto loaded = nn::load_sequence_model(a.model);
  eval::check_sequence_lengths(*loaded.model->encoder, a.input.input, input.sequences, input.lines);
  std::vector<double> scores;
  translate_torch_error("predicting " + a.input.input, [&] {
    loaded.model->to(torch::Device(device));
    scores = eval::predict_scores(*loaded.model, loaded.task, loaded.alphabet, input.sequences,
                                  a.input.batch_size, device);
  });
  const auto kind = loaded.task.kind == "classification" ? data::TaskKind::kClassification
                                                         : data::TaskKind::kRegression;
  eval::write_predictions(a.out, input.names, kind, loaded.task.classes, loaded.task.targets,
                          scores);
  spdlog::info("wrote predictions for {} sequences to {}", input.names.size(), a.out);
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
  add_sequence_input_options(cli, args->input,
                             "Sequences: FASTA (plain or gzip; names from the headers) or CSV/TSV "
                             "with a header (names are row numbers)");
  cli->add_option("--out", args->out, "Output TSV")->required();
  return {cli, [args] { return run_predict(*args); }};
}

}  // namespace helix::app
