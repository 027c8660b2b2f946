// NeuronMotif for one layer of a trained conv_net (§1 of the method): sample every requested
// neuron, choose motif_nb, demix into leaves with their PPMs, and keep the leaf bundle that seeds
// the next layer. Samples are stored per neuron (DIR/samples/neuron_K.bin) as they finish, so an
// interrupted run resumes where it stopped.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/interpret/demix.hpp"
#include "helix/interpret/sampler.hpp"
#include "helix/nn/conv_net.hpp"

namespace helix::interpret {

struct NeuronMotifOptions {
  SamplerOptions sampler;
  DemixOptions demix;
  int64_t motif_nb = 0;      // 0: choose automatically (§4.3)
  int64_t max_motif_nb = 3;  // bound of the automatic search (bug N5)
  c10::Device device = c10::kCPU;
};

struct NeuronResult {
  int64_t neuron = 0;
  std::string method;  // exhaustive, genetic or dead (as sampled, also when resumed)
  int64_t generations = 0;
  int64_t evaluated = 0;
  int64_t samples = 0;
  double max_activation = 0;
  double sampling_seconds = 0;  // sampling (as first done, also when resumed)
  double seconds = 0;           // sampling + demixing
  std::vector<Leaf> leaves;     // members cleared once the PPMs are built
};

struct LayerResult {
  int64_t layer = 0;  // 0-based
  int64_t receptive_field = 0;
  int64_t motif_nb = 1;
  bool motif_nb_accepted = true;  // false: no m up to max_motif_nb passed the test
  std::vector<NeuronResult> neurons;
};

// Runs `neurons` (empty: all) of 0-based `layer`. `seeds` are the previous layer's leaves (empty
// for layer 0 or when seeding is off). `dir` receives samples/neuron_K.bin.
LayerResult run_layer(nn::ConvNet net, int64_t layer, std::vector<int64_t> neurons,
                      const std::vector<SeedMotif>& seeds, const NeuronMotifOptions& options,
                      const std::string& dir);

// The leaf bundle (leaves.json): per neuron its leaves' smoothed PPMs ((PPM n + 0.25)/(n + 1)),
// sizes and activations; what seeds the next layer. `complete` says every neuron is in it.
nlohmann::json bundle_json(const LayerResult& result, bool complete);
LayerResult layer_from_bundle(const nlohmann::json& bundle, const std::string& path);
std::vector<SeedMotif> seeds_from_layer(const LayerResult& result);

// Leaf motif id: n<neuron>_<leaf:04d>_<n>_<maxAct:.4f>_<conAct:.4f> (the original's id, prefixed
// with the neuron).
std::string leaf_id(int64_t neuron, size_t leaf_index, const Leaf& leaf);

}  // namespace helix::interpret
