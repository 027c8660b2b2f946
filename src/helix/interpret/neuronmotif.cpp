#include "helix/interpret/neuronmotif.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::interpret {

std::string leaf_id(int64_t neuron, size_t leaf_index, const Leaf& leaf) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "n%lld_%04zu_%lld_%.4f_%.4f",
                static_cast<long long>(neuron), leaf_index, static_cast<long long>(leaf.n),
                leaf.max_activation, leaf.consensus_activation);
  return buffer;
}

LayerResult run_layer(nn::ConvNet net, int64_t layer, std::vector<int64_t> neurons,
                      const std::vector<SeedMotif>& seeds, const NeuronMotifOptions& options,
                      const std::string& dir) {
  const auto geometry = layer_geometry(*net, layer);
  if (neurons.empty()) {
    neurons.resize(size_t(geometry.channels));
    std::iota(neurons.begin(), neurons.end(), 0);
  }
  for (const auto k : neurons) {
    if (k < 0 || k >= geometry.channels) {
      throw UsageError("neuron " + std::to_string(k) + " out of range: layer " +
                       std::to_string(layer + 1) + " has neurons 0.." +
                       std::to_string(geometry.channels - 1));
    }
  }
  std::filesystem::create_directories(std::filesystem::path(dir) / "samples");
  LayerResult result;
  result.layer = layer;
  result.receptive_field = geometry.receptive_field;
  std::vector<SampleSet> samples;
  std::vector<NeuronScorer> scorers;
  for (size_t i = 0; i < neurons.size(); ++i) {
    const int64_t k = neurons[i];
    scorers.emplace_back(net, layer, k, options.device);
    NeuronResult neuron;
    neuron.neuron = k;
    const auto path =
        (std::filesystem::path(dir) / "samples" / ("neuron_" + std::to_string(k) + ".bin"))
            .string();
    // How the samples were made sits beside them (written first: the .bin marks a finished
    // neuron), so a resumed run reports the original sampling.
    const auto stats_path = path.substr(0, path.size() - 4) + ".json";
    bool resumed = false;
    if (std::filesystem::exists(path)) {
      samples.push_back(load_samples(path));
      resumed = true;
      neuron.method = samples.back().size() > 0 ? "genetic" : "dead";
      std::ifstream in(stats_path);
      const auto stats = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (stats.is_object()) {
        neuron.method = stats.value("method", neuron.method);
        neuron.generations = stats.value("generations", int64_t{0});
        neuron.evaluated = stats.value("evaluated", int64_t{0});
        neuron.sampling_seconds = stats.value("seconds", 0.0);
        neuron.seconds = neuron.sampling_seconds;
      }
    } else {
      auto sampler_options = options.sampler;
      sampler_options.seed = options.sampler.seed * 1000003 + uint64_t(layer) * 7919 + uint64_t(k);
      auto sampled = sample_neuron(scorers.back(), sampler_options, seeds);
      neuron.method = sampled.method;
      neuron.generations = sampled.generations;
      neuron.evaluated = sampled.evaluated;
      neuron.sampling_seconds = sampled.seconds;
      neuron.seconds = sampled.seconds;
      write_file_atomic(stats_path, nlohmann::json{{"method", sampled.method},
                                                   {"generations", sampled.generations},
                                                   {"evaluated", sampled.evaluated},
                                                   {"seconds", sampled.seconds}}
                                            .dump() +
                                        "\n");
      save_samples(path, sampled.samples);
      samples.push_back(std::move(sampled.samples));
    }
    neuron.samples = samples.back().size();
    neuron.max_activation = samples.back().max_activation();
    spdlog::info("layer {} neuron {}: {} samples ({}{}{}), max activation {}", layer + 1, k,
                 neuron.samples, neuron.method, resumed ? ", resumed" : "",
                 neuron.generations > 0 ? ", " + std::to_string(neuron.generations) + " generations"
                                        : std::string(),
                 format_significant(neuron.max_activation));
    result.neurons.push_back(std::move(neuron));
  }
  // Demix with m = 1, 2, ... until the leaves' consensus sequences reach their neurons' maximum
  // activations (§4.3); a layer without pooling below has one leaf per neuron whatever m is.
  const bool pooling_below = geometry.stride > 1;
  int64_t first_m = options.motif_nb > 0 ? options.motif_nb : 1;
  int64_t last_m =
      options.motif_nb > 0 ? options.motif_nb : (pooling_below ? options.max_motif_nb : 1);
  std::vector<std::vector<Leaf>> best;
  double best_mean = -1;
  for (int64_t m = first_m; m <= last_m; ++m) {
    auto demix_options = options.demix;
    demix_options.motif_nb = m;
    std::vector<std::vector<Leaf>> leaves;
    std::vector<double> quality;
    for (size_t i = 0; i < neurons.size(); ++i) {
      const auto begin = std::chrono::steady_clock::now();
      leaves.push_back(demix(scorers[i], samples[i], demix_options));
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      result.neurons[i].seconds += seconds;
      spdlog::debug("layer {} neuron {}: demixed into {} leaves in {} s (motif_nb {})", layer + 1,
                    neurons[i], leaves.back().size(), format_significant(seconds, 3), m);
      for (auto& leaf : leaves.back()) leaf.members.clear();
      if (samples[i].size() > 0) quality.push_back(best_quality(leaves.back()));
    }
    const double mean = quality.empty() ? 1.0
                                        : std::accumulate(quality.begin(), quality.end(), 0.0) /
                                              double(quality.size());
    const bool accepted = options.motif_nb > 0 || !pooling_below || accept_motif_nb(quality);
    spdlog::info("layer {}: motif_nb {} gives mean best C/M {} over {} neurons{}", layer + 1, m,
                 format_significant(mean), quality.size(), accepted ? " (accepted)" : "");
    if (accepted || mean > best_mean) {
      best = std::move(leaves);
      best_mean = mean;
      result.motif_nb = m;
    }
    if (accepted) {
      result.motif_nb_accepted = true;
      break;
    }
    result.motif_nb_accepted = false;
  }
  if (!result.motif_nb_accepted) {
    spdlog::warn(
        "layer {}: no motif_nb up to {} passed the C/M test; keeping motif_nb {} (mean "
        "best C/M {})",
        layer + 1, last_m, result.motif_nb, format_significant(best_mean));
  }
  for (size_t i = 0; i < neurons.size(); ++i) result.neurons[i].leaves = std::move(best[i]);
  return result;
}

nlohmann::json bundle_json(const LayerResult& result, bool complete) {
  nlohmann::json neurons = nlohmann::json::array();
  for (const auto& neuron : result.neurons) {
    nlohmann::json leaves = nlohmann::json::array();
    for (const auto& leaf : neuron.leaves) {
      leaves.push_back({{"n", leaf.n},
                        {"max_activation", leaf.max_activation},
                        {"consensus_activation", leaf.consensus_activation},
                        {"ppm", smooth(leaf.ppm, double(leaf.n), 1.0)}});
    }
    neurons.push_back({{"neuron", neuron.neuron},
                       {"method", neuron.method},
                       {"generations", neuron.generations},
                       {"evaluated", neuron.evaluated},
                       {"samples", neuron.samples},
                       {"max_activation", neuron.max_activation},
                       {"sampling_seconds", neuron.sampling_seconds},
                       {"seconds", neuron.seconds},
                       {"leaves", leaves}});
  }
  return {{"format", "helix_neuronmotif_layer"},
          {"layer", result.layer + 1},
          {"receptive_field", result.receptive_field},
          {"motif_nb", result.motif_nb},
          {"motif_nb_accepted", result.motif_nb_accepted},
          {"complete", complete},
          {"neurons", neurons}};
}

LayerResult layer_from_bundle(const nlohmann::json& bundle, const std::string& path) {
  if (!bundle.is_object() || bundle.value("format", "") != "helix_neuronmotif_layer") {
    throw InputError(path, 0, "not a helix NeuronMotif layer bundle (leaves.json)");
  }
  try {
    LayerResult result;
    result.layer = bundle.at("layer").get<int64_t>() - 1;
    result.receptive_field = bundle.at("receptive_field").get<int64_t>();
    result.motif_nb = bundle.at("motif_nb").get<int64_t>();
    result.motif_nb_accepted = bundle.value("motif_nb_accepted", true);
    for (const auto& n : bundle.at("neurons")) {
      NeuronResult neuron;
      neuron.neuron = n.at("neuron").get<int64_t>();
      neuron.method = n.at("method").get<std::string>();
      neuron.generations = n.value("generations", int64_t{0});
      neuron.evaluated = n.value("evaluated", int64_t{0});
      neuron.samples = n.at("samples").get<int64_t>();
      neuron.max_activation = n.at("max_activation").get<double>();
      neuron.sampling_seconds = n.value("sampling_seconds", 0.0);
      neuron.seconds = n.value("seconds", 0.0);
      for (const auto& l : n.at("leaves")) {
        Leaf leaf;
        leaf.n = l.at("n").get<int64_t>();
        leaf.max_activation = l.at("max_activation").get<double>();
        leaf.consensus_activation = l.at("consensus_activation").get<double>();
        leaf.ppm = l.at("ppm").get<Matrix>();
        neuron.leaves.push_back(std::move(leaf));
      }
      result.neurons.push_back(std::move(neuron));
    }
    return result;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, 0, std::string("malformed NeuronMotif layer bundle: ") + e.what());
  }
}

std::vector<SeedMotif> seeds_from_layer(const LayerResult& result) {
  std::vector<SeedMotif> seeds;
  for (const auto& neuron : result.neurons) {
    for (const auto& leaf : neuron.leaves) {
      seeds.push_back({neuron.neuron, leaf.ppm, leaf.max_activation, leaf.consensus_activation});
    }
  }
  return seeds;
}

}  // namespace helix::interpret
