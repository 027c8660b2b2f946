// helix embed: mean-pooled embeddings of sequences under a trained encoder.
#include "commands.hpp"
#include "helix/eval/embed.hpp"
#include "helix/io/npy.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {

namespace {
struct EmbedArgs {
  std::string encoder;
  std::string out;
  SequenceInputArgs input;
};

int run_embed(const EmbedArgs& a) {
  check_output_file(a.out, {a.input.input, a.encoder});
  const auto device = checked_device(a.input.device);
  const auto input = read_sequence_input(a.input);
  const auto& sequences = input.sequences;
  auto loaded = nn::load_encoder(a.encoder);
  eval::check_sequence_lengths(*loaded.encoder, a.input.input, sequences, input.lines);
  const auto alphabet = seq::Alphabet::from_name(loaded.alphabet);
  at::Tensor embeddings;
  translate_torch_error("embedding " + a.input.input, [&] {
    embeddings =
        eval::embed_sequences(*loaded.encoder, alphabet, sequences, {a.input.batch_size, device});
  });
  io::write_npy(a.out, embeddings);
  spdlog::info("wrote {} embeddings of dimension {} to {}", embeddings.size(0), embeddings.size(1),
               a.out);
  return 0;
}
}  // namespace

Command add_embed_command(CLI::App& parent) {
  auto args = std::make_shared<EmbedArgs>();
  auto* cli = parent.add_subcommand(
      "embed",
      "Embed sequences with a trained encoder: one float32 row per input sequence, in input\n"
      "order, the mean of the encoder's outputs over the sequence's positions (no padding).");
  cli->add_option("--encoder", args->encoder,
                  "Encoder weights (encoder.safetensors from helix pretrain)")
      ->required();
  add_sequence_input_options(
      cli, args->input,
      "Sequences: FASTA (plain or gzip) or CSV/TSV with a header and a sequence column");
  cli->add_option("--out", args->out, "Output .npy file, float32 [N, D]")->required();
  return {cli, [args] { return run_embed(*args); }};
}

}  // namespace helix::app
