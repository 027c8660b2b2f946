// Pretraining throughput: sequences/s and achieved GFLOP/s of the real FinDNA training step
// (train::FindnaStep, student forward + backward + teacher forward + AdamW + EMA) on synthetic
// batches, for each config, beside the machine's measured fp32 matrix-multiply peak, so model
// FLOP utilisation is visible. Prints one JSON object per line.
//
// Usage: pretrain_throughput [--threads N] [--steps N] [CONFIG[:override,override...] ...]
// Defaults: configs/findna.yaml, configs/findna-tiny.yaml and the 0.46 M-parameter
// CPU baseline (group 8, MLP 128, 2 encoders, 1000 nt + 10 CLS, batch 64).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "helix/train/findna_step.hpp"
#include "helix/train/findna_trainer.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Best-of-repeats fp32 GEMM rate for an [m, k] x [k, n] product.
double gemm_gflops(int64_t m, int64_t k, int64_t n, int repeats) {
  auto a = at::randn({m, k});
  auto b = at::randn({k, n});
  auto c = at::mm(a, b);  // warm-up
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    at::mm_out(c, a, b);
    best = std::min(best, seconds_since(t));
  }
  return 2.0 * m * k * n / best / 1e9;
}

struct BenchConfig {
  std::string label;
  std::string file;
  std::vector<std::string> overrides;
};

BenchConfig parse_config(const std::string& arg) {
  BenchConfig c;
  const auto colon = arg.find(':');
  c.file = arg.substr(0, colon);
  c.label = arg;
  if (colon != std::string::npos) {
    std::stringstream rest(arg.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) c.overrides.push_back(item);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  helix::install_caching_cpu_allocator();
  int threads = 0;
  int steps = 0;
  std::vector<BenchConfig> configs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--steps" && i + 1 < argc) {
      steps = std::stoi(argv[++i]);
    } else {
      configs.push_back(parse_config(a));
    }
  }
  const std::string src = HELIX_SOURCE_DIR;
  if (configs.empty()) {
    configs = {
        {"findna-small-0.46M",
         src + "/configs/findna.yaml",
         {"model.group_size=8", "model.mlp_dim=128", "model.n_encoders=2"}},
        {"findna-tiny", src + "/configs/findna-tiny.yaml", {}},
        {"findna (paper)", src + "/configs/findna.yaml", {}},
    };
  }
  helix::set_compute_threads(threads);
  threads = at::get_num_threads();

  const double peak = gemm_gflops(4096, 1024, 1024, 5);
  std::cout << nlohmann::json{{"bench", "matmul_peak"},
                              {"shape", "4096x1024x1024 fp32"},
                              {"gflop_per_s", peak},
                              {"threads", threads},
                              {"blas_kernels", helix::blas_kernel_name()}}
                   .dump()
            << std::endl;

  for (const auto& bc : configs) {
    helix::Config config(helix::train::findna_config_defaults());
    config.merge_file(bc.file);
    for (const auto& o : bc.overrides) config.apply_override(o);
    const auto description = helix::train::describe_findna_model(config);
    const double gflop_per_seq = description["train_gflop_per_sequence"];
    const int64_t batch = config.get_int("train.batch_size");
    const auto setup = helix::train::resolve_findna_setup(config);
    // The model-shaped GEMM (rows = batch x positions, width -> MLP) bounds what the step can get.
    const int64_t rows = batch * (setup.window + setup.cls);
    const double model_gemm =
        gemm_gflops(std::min<int64_t>(rows, 65536), setup.description["width"],
                    setup.description["mlp_dim"], 3);

    helix::train::FindnaStep step(config, torch::kCPU);
    std::mt19937_64 rng(1);
    std::vector<std::string> windows(batch, std::string(setup.window, 'A'));
    for (auto& w : windows) {
      for (auto& c : w) c = "ACGT"[rng() % 4];
    }
    const auto views = helix::train::findna_view_options(config);
    auto make = [&] { return helix::data::make_findna_batch(windows, setup.alphabet, views, rng); };
    // Batch building happens in loader threads during training; time it separately.
    auto t = Clock::now();
    auto batch_tensors = make();
    const double batch_build_s = seconds_since(t);
    const int warm = 1;
    const int measured = steps > 0 ? steps : (gflop_per_seq * batch > 1000 ? 2 : 8);
    for (int i = 0; i < warm; ++i) step.train_step(batch_tensors, 100 + i);
    t = Clock::now();
    for (int i = 0; i < measured; ++i) step.train_step(batch_tensors, 100 + warm + i);
    const double elapsed = seconds_since(t);
    const double seq_per_s = measured * batch / elapsed;
    const double gflops = seq_per_s * gflop_per_seq;
    std::cout << nlohmann::json{{"bench", "pretrain_throughput"},
                                {"config", bc.label},
                                {"params", description["params"]},
                                {"batch_size", batch},
                                {"positions", setup.window + setup.cls},
                                {"steps_timed", measured},
                                {"seq_per_s", seq_per_s},
                                {"step_s", elapsed / measured},
                                {"train_gflop_per_seq", gflop_per_seq},
                                {"achieved_gflop_per_s", gflops},
                                {"matmul_peak_gflop_per_s", peak},
                                {"model_gemm_gflop_per_s", model_gemm},
                                {"mfu_vs_peak", gflops / peak},
                                {"batch_build_s", batch_build_s},
                                {"threads", threads}}
                     .dump()
              << std::endl;
  }
  return 0;
}
