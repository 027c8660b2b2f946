// Embedding throughput: sequences/s and achieved GFLOP/s of eval::embed_sequences (the code
// behind `helix embed`) with randomly initialised encoders of each config's architecture, on
// random sequences of the config's window length. Prints one JSON object per line.
//
// Usage: embed_throughput [--threads N] [--sequences N] [CONFIG ...]
// Defaults: configs/findna.yaml and configs/findna-tiny.yaml, 512 sequences.
#include <ATen/Parallel.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "helix/eval/embed.hpp"
#include "helix/nn/registry.hpp"
#include "helix/train/findna_step.hpp"
#include "helix/train/findna_trainer.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  helix::install_caching_cpu_allocator();
  int threads = 0;
  int64_t count = 512;
  std::vector<std::string> configs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--sequences" && i + 1 < argc) {
      count = std::stoll(argv[++i]);
    } else {
      configs.push_back(a);
    }
  }
  const std::string src = HELIX_SOURCE_DIR;
  if (configs.empty()) configs = {src + "/configs/findna.yaml", src + "/configs/findna-tiny.yaml"};
  helix::set_compute_threads(threads);

  for (const auto& file : configs) {
    helix::Config config(helix::train::findna_config_defaults());
    config.merge_file(file);
    const auto setup = helix::train::resolve_findna_setup(config);
    auto encoder = helix::nn::build_encoder(setup.description);
    const int64_t length = setup.window;
    std::mt19937_64 rng(3);
    std::vector<std::string> sequences(count, std::string(length, 'A'));
    for (auto& s : sequences) {
      for (auto& c : s) c = "ACGT"[rng() % 4];
    }
    const double gflop_per_seq =
        2.0 * helix::train::findna_encoder_macs_per_position(setup) * length / 1e9;

    helix::eval::EmbedOptions options;
    std::vector<std::string> warm(sequences.begin(),
                                  sequences.begin() + std::min<int64_t>(64, count));
    helix::eval::embed_sequences(*encoder, setup.alphabet, warm, options);
    const auto t = std::chrono::steady_clock::now();
    auto out = helix::eval::embed_sequences(*encoder, setup.alphabet, sequences, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    std::cout << nlohmann::json{{"bench", "embed_throughput"},
                                {"config", file.substr(file.rfind('/') + 1)},
                                {"encoder_params", helix::nn::count_parameters(*encoder)},
                                {"length", length},
                                {"sequences", count},
                                {"batch_size", options.batch_size},
                                {"seq_per_s", count / seconds},
                                {"gflop_per_seq", gflop_per_seq},
                                {"achieved_gflop_per_s", count * gflop_per_seq / seconds},
                                {"embedding_dim", out.size(1)},
                                {"threads", at::get_num_threads()}}
                     .dump()
              << std::endl;
  }
  return 0;
}
