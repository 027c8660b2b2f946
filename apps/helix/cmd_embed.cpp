// helix embed: mean-pooled embeddings of sequences under a trained encoder.
#include "commands.hpp"
#include "helix/data/sequence_file.hpp"
#include "helix/eval/embed.hpp"
#include "helix/io/npy.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::app {

namespace {
struct EmbedArgs {
  std::string encoder;
  std::string input;
  std::string out;
  std::string column = "sequence";
  int64_t batch_size = 64;
  std::string device = "cpu";
  int threads = 0;
};

int run_embed(const EmbedArgs& a) {
  apply_threads(a.threads);
  if (a.batch_size < 1) throw UsageError("--batch-size must be positive");
  auto loaded = nn::load_encoder(a.encoder);
  const auto records = data::read_sequences(a.input, a.column);
  std::vector<std::string> sequences;
  sequences.reserve(records.size());
  for (const auto& r : records) sequences.push_back(r.sequence);
  const auto alphabet = seq::Alphabet::from_name(loaded.alphabet);
  at::Tensor embeddings;
  translate_torch_error("embedding " + a.input, [&] {
    embeddings =
        eval::embed_sequences(*loaded.encoder, alphabet, sequences, {a.batch_size, a.device});
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
  cli->add_option("--input", args->input,
                  "Sequences: FASTA (plain or gzip) or CSV/TSV with a header and a sequence column")
      ->required();
  cli->add_option("--out", args->out, "Output .npy file, float32 [N, D]")->required();
  cli->add_option("--column", args->column, "Sequence column of a CSV/TSV input")
      ->capture_default_str();
  cli->add_option("--batch-size", args->batch_size, "Sequences per forward pass")
      ->capture_default_str();
  cli->add_option("--device", args->device, "cpu or cuda")->capture_default_str();
  cli->add_option("--threads", args->threads, "Intra-op CPU threads (default: one per core)");
  return {cli, [args] { return run_embed(*args); }};
}

}  // namespace helix::app
