// NeuronMotif speed on a Basset-size network (configs/basset-like.yaml: 300 x 19 pool 3,
// 200 x 11 pool 4, 200 x 7; receptive fields 19, 51, 132 bp), random weights with batch-norm
// statistics from random sequences: per layer, the time per neuron to sample (genetic
// algorithm, at most 60 generations) and demix, and the sequences scored per second (a gradient
// pass counts as one scoring). Layer L is seeded with the leaves of layer L - 1 as in a real run.
// Argument: neurons per layer, comma-separated (default 2,2,1: a layer-3 neuron takes minutes).
// One JSON line per layer.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "helix/interpret/neuronmotif.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  helix::install_caching_cpu_allocator();
  helix::set_compute_threads(0);
  std::vector<int64_t> counts;
  {
    std::stringstream list(argc > 1 ? argv[1] : "2,2,1");
    for (std::string item; std::getline(list, item, ',');)
      counts.push_back(std::atoll(item.c_str()));
  }
  const auto description = helix::nn::read_model_description(std::string(HELIX_SOURCE_DIR) +
                                                             "/configs/basset-like.yaml");
  at::manual_seed(0);
  helix::nn::ConvNet net(helix::nn::ConvNetOptions::from_json(description));
  {
    torch::NoGradGuard no_grad;  // batch-norm running statistics of random one-hot input
    net->train();
    for (int i = 0; i < 20; ++i) {
      auto bases = at::randint(0, 4, {64, 600}, at::kLong);
      net->forward(at::one_hot(bases, 4).to(at::kFloat).permute({0, 2, 1}).contiguous());
    }
    net->eval();
  }
  const auto dir = std::filesystem::temp_directory_path() / "helix_bench_neuronmotif";
  std::filesystem::remove_all(dir);
  helix::interpret::NeuronMotifOptions options;
  options.sampler.max_generations = 60;
  options.motif_nb = 1;
  std::vector<helix::interpret::SeedMotif> seeds;
  for (int64_t layer = 0; layer < net->num_layers() && layer < int64_t(counts.size()); ++layer) {
    const int64_t per_layer = counts[size_t(layer)];
    std::vector<int64_t> neurons;
    for (int64_t k = 0; k < per_layer; ++k) neurons.push_back(k);
    const auto begin = std::chrono::steady_clock::now();
    const auto result = helix::interpret::run_layer(net, layer, neurons, seeds, options,
                                                    (dir / std::to_string(layer)).string());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    int64_t evaluated = 0, generations = 0, samples = 0, leaves = 0;
    double sampling = 0;
    for (const auto& n : result.neurons) {
      evaluated += n.evaluated;
      generations += n.generations;
      samples += n.samples;
      sampling += n.sampling_seconds;
      leaves += static_cast<int64_t>(n.leaves.size());
    }
    std::cout << nlohmann::json{{"bench", "neuronmotif"},
                                {"model", "basset-like (random weights)"},
                                {"layer", layer + 1},
                                {"receptive_field", result.receptive_field},
                                {"neurons", per_layer},
                                {"seconds_per_neuron", seconds / double(per_layer)},
                                {"sampling_seconds_per_neuron", sampling / double(per_layer)},
                                {"generations_per_neuron", double(generations) / double(per_layer)},
                                {"samples_per_neuron", double(samples) / double(per_layer)},
                                {"leaves_per_neuron", double(leaves) / double(per_layer)},
                                {"sequences_per_second", double(evaluated) / sampling},
                                {"threads", at::get_num_threads()}}
                     .dump()
              << std::endl;
    // The next layer is seeded by these neurons' leaves (a real run would have all of them).
    seeds = helix::interpret::seeds_from_layer(result);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
