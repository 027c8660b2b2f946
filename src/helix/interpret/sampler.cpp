#include "helix/interpret/sampler.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "helix/util/log.hpp"

namespace helix::interpret {
namespace {

// Scores uint8 [n, RF] CPU base indices in batches -> float [n] on the CPU.
at::Tensor score_population(NeuronScorer& scorer, const at::Tensor& bases) {
  auto contiguous = bases.contiguous();
  auto values = scorer.score_bases(contiguous.data_ptr<uint8_t>(), contiguous.size(0));
  return at::tensor(values, at::kFloat);
}

void add_positive(SampleSet& archive, const at::Tensor& bases, const at::Tensor& activation) {
  const auto* b = bases.data_ptr<uint8_t>();
  const auto* a = activation.data_ptr<float>();
  for (int64_t i = 0; i < bases.size(0); ++i) {
    if (a[i] > 0) archive.append(b + i * bases.size(1), a[i]);
  }
}

SamplerResult enumerate_all(NeuronScorer& scorer, const SamplerOptions& options) {
  const int64_t rf = scorer.geometry().receptive_field;
  const int64_t total = int64_t{1} << (2 * rf);
  SamplerResult result;
  result.method = "exhaustive";
  result.samples.length = rf;
  auto shifts = at::arange(2 * (rf - 1), -1, -2, at::kLong);  // first base = highest digits
  for (int64_t start = 0; start < total; start += 65536) {
    const int64_t count = std::min<int64_t>(65536, total - start);
    auto index = at::arange(start, start + count, at::kLong).unsqueeze(1);
    auto bases = at::bitwise_and(at::__rshift__(index, shifts), 3).to(at::kByte).contiguous();
    add_positive(result.samples, bases, score_population(scorer, bases));
  }
  result.evaluated = total;
  std::mt19937_64 rng(options.seed);
  stratified_subsample(result.samples, options.max_samples, options.stratify_bins, rng);
  return result;
}

struct SeedPlan {
  std::vector<double> probability;  // over (offset, channel) pairs, offset-major
  std::vector<std::vector<size_t>> motifs_of_channel;
  std::vector<std::pair<int64_t, int64_t>> span;  // per seed: first and last high-IC position
  bool dead = false;
};

SeedPlan plan_seeding(NeuronScorer& scorer, const std::vector<SeedMotif>& seeds) {
  const auto& g = scorer.geometry();
  SeedPlan plan;
  plan.motifs_of_channel.resize(size_t(g.input_channels));
  plan.span.resize(seeds.size(), {-1, -1});
  std::vector<double> channel_scale(size_t(g.input_channels), 0.0);
  for (size_t s = 0; s < seeds.size(); ++s) {
    const auto& seed = seeds[s];
    if (seed.channel < 0 || seed.channel >= g.input_channels) continue;
    channel_scale[size_t(seed.channel)] += seed.max_activation;  // A_c (bug N1 corrected)
    int64_t first = -1, last = -1, informative = 0;
    for (size_t p = 0; p < seed.ppm.size(); ++p) {
      if (information_bits(seed.ppm[p]) > 1.0) {
        if (first < 0) first = int64_t(p);
        last = int64_t(p);
        ++informative;
      }
    }
    if (informative > 3) {
      plan.span[s] = {first, last};
      plan.motifs_of_channel[size_t(seed.channel)].push_back(s);
    }
  }
  auto weight = scorer.folded_weight().to(at::kCPU).to(at::kDouble).contiguous();  // [1, C, k]
  const auto* w = weight.data_ptr<double>();
  std::vector<double> scaled(size_t(g.kernel * g.input_channels));
  for (int64_t o = 0; o < g.kernel; ++o) {
    for (int64_t c = 0; c < g.input_channels; ++c) {
      scaled[size_t(o * g.input_channels + c)] = w[c * g.kernel + o] * channel_scale[size_t(c)];
    }
  }
  plan.probability = equalised_probabilities(scaled);
  plan.dead = std::all_of(plan.probability.begin(), plan.probability.end(),
                          [](double p) { return p <= 0; });
  return plan;
}

// §3.2 initial population: random sequences with previous-layer motif consensuses written in.
at::Tensor seeded_population(NeuronScorer& scorer, const std::vector<SeedMotif>& seeds,
                             const SeedPlan& plan, int64_t n, std::mt19937_64& rng) {
  const auto& g = scorer.geometry();
  const int64_t rf = g.receptive_field;
  auto population = at::empty({n, rf}, at::kByte);
  auto* bases = population.data_ptr<uint8_t>();
  std::uniform_int_distribution<int> base(0, 3);
  for (int64_t i = 0; i < n * rf; ++i) bases[i] = uint8_t(base(rng));
  std::vector<size_t> positive;
  for (size_t j = 0; j < plan.probability.size(); ++j) {
    if (plan.probability[j] > 0) positive.push_back(j);
  }
  const auto draws = std::min<size_t>(size_t(g.pool_below), positive.size());  // bug N6
  std::uniform_int_distribution<int64_t> shift(0, g.pool_below - 1);
  std::vector<bool> claimed(static_cast<size_t>(rf));
  std::vector<std::vector<uint8_t>> consensus(seeds.size());
  for (size_t s = 0; s < seeds.size(); ++s) consensus[s] = consensus_bases(seeds[s].ppm);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* row = bases + i * rf;
    std::fill(claimed.begin(), claimed.end(), false);
    // Weighted draws without replacement (Efraimidis-Spirakis keys).
    std::vector<std::pair<double, size_t>> keys;
    for (const auto j : positive) {
      const double u = std::uniform_real_distribution<double>(1e-300, 1.0)(rng);
      keys.emplace_back(std::log(u) / plan.probability[j], j);
    }
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(draws), keys.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t d = 0; d < draws; ++d) {
      const auto offset = int64_t(keys[d].second) / g.input_channels;
      const auto channel = int64_t(keys[d].second) % g.input_channels;
      auto order = plan.motifs_of_channel[size_t(channel)];
      std::shuffle(order.begin(), order.end(), rng);
      for (const auto s : order) {
        const int64_t start = offset * g.stride + g.stride_below * shift(rng);
        const auto [first, last] = plan.span[s];
        const int64_t span_begin = start + first;
        const int64_t span_end = std::min(rf, start + last + 1);
        bool overlaps = false;
        for (int64_t p = span_begin; p < span_end; ++p) overlaps = overlaps || claimed[size_t(p)];
        if (overlaps) continue;
        const auto& motif = consensus[s];
        for (int64_t p = 0; p < int64_t(motif.size()) && start + p < rf; ++p) {
          if (!claimed[size_t(start + p)]) row[start + p] = motif[size_t(p)];
        }
        if (seeds[s].consensus_activation > 0) {
          for (int64_t p = span_begin; p < span_end; ++p) claimed[size_t(p)] = true;
        }
      }
    }
  }
  return population;
}

// Gradient-guided mutation: per position, weights max(x + g, 0) renormalised (all zero ->
// uniform), one base drawn per position.
at::Tensor mutate(NeuronScorer& scorer, const at::Tensor& population, at::Generator& generator) {
  const int64_t rf = population.size(1);
  auto x = one_hot_bases(population.data_ptr<uint8_t>(), population.size(0), rf, scorer.device());
  auto gradient = scorer.score_and_gradient(x).second;
  auto weights = at::clamp_min(x + gradient, 0).permute({0, 2, 1}).reshape({-1, 4}).to(at::kCPU);
  auto total = weights.sum(1, /*keepdim=*/true);
  weights = at::where(total > 0, weights / total.clamp_min(1e-30), at::full_like(weights, 0.25));
  auto cumulative = weights.cumsum(1);
  auto u = at::rand({weights.size(0), 1}, generator, at::kFloat);
  auto drawn = (cumulative < u).sum(1).clamp_max(3);
  return drawn.to(at::kByte).view({population.size(0), rf}).contiguous();
}

at::Tensor roulette(const at::Tensor& activation, int64_t count, at::Generator& generator) {
  auto a = activation.to(at::kDouble);
  auto weights = at::where(a >= 0, a + 1, at::exp(a));
  return at::multinomial(weights, count, /*replacement=*/true, generator);
}

SamplerResult run_genetic(NeuronScorer& scorer, const SamplerOptions& options,
                          const std::vector<SeedMotif>& seeds) {
  const auto& g = scorer.geometry();
  const int64_t rf = g.receptive_field;
  const int64_t n = options.population > 0 ? options.population : population_size(rf);
  SamplerResult result;
  result.method = "genetic";
  result.samples.length = rf;
  std::mt19937_64 rng(options.seed);
  auto generator = at::detail::createCPUGenerator(options.seed);
  at::Tensor population;
  if (!seeds.empty()) {
    const auto plan = plan_seeding(scorer, seeds);
    if (plan.dead) {
      result.method = "dead";
      return result;
    }
    population = seeded_population(scorer, seeds, plan, n, rng);
  } else {
    population = at::randint(0, 4, {n, rf}, generator, at::kByte);
  }
  const int64_t elites = n / 10;
  const bool shifted = g.stride > 1;
  const int64_t pairs = static_cast<int64_t>(std::llround((shifted ? 0.35 : 0.45) * double(n)));
  double best_mean = -std::numeric_limits<double>::infinity();
  int64_t stale = 0;
  for (int64_t generation = 1; generation <= options.max_generations; ++generation) {
    auto mutated = mutate(scorer, population, generator);
    auto activation = score_population(scorer, mutated);
    result.evaluated += 2 * n;  // the gradient pass and the scoring of the mutants
    result.generations = generation;
    add_positive(result.samples, mutated, activation);
    if (generation % 5 == 0 && result.samples.size() > options.max_samples) {
      deduplicate(result.samples);
      stratified_subsample(result.samples, options.max_samples, options.stratify_bins, rng);
    }
    const double mean = activation.mean().item<double>();
    if (mean > best_mean) {
      best_mean = mean;
      stale = 0;
    } else if (++stale > options.patience) {
      break;
    }
    // The next population: elites, their shifted copies, crossover children.
    auto order = at::argsort(activation, /*stable=*/true, /*dim=*/0, /*descending=*/true);
    auto elite = mutated.index_select(0, order.slice(0, 0, elites));
    std::vector<at::Tensor> parts = {elite};
    if (shifted) {
      std::uniform_int_distribution<int64_t> s(1, g.stride - 1);
      parts.push_back(at::roll(elite, {-s(rng)}, {1}));
      parts.push_back(at::roll(elite, {s(rng)}, {1}));
    }
    auto mothers = mutated.index_select(0, roulette(activation, pairs, generator));
    auto fathers = mutated.index_select(0, roulette(activation, pairs, generator));
    auto cut = at::randint(0, rf, {pairs, 1}, generator, at::kLong);
    auto left = at::arange(rf, at::kLong).unsqueeze(0) < cut;
    parts.push_back(at::where(left, mothers, fathers));
    parts.push_back(at::where(left, fathers, mothers));
    population = at::cat(parts, 0);
    if (population.size(0) < n) {
      auto extra = roulette(activation, n - population.size(0), generator);
      population = at::cat({population, mutated.index_select(0, extra)}, 0);
    }
    population = population.slice(0, 0, n).contiguous();
  }
  deduplicate(result.samples);
  stratified_subsample(result.samples, options.max_samples, options.stratify_bins, rng);
  return result;
}

}  // namespace

int64_t population_size(int64_t receptive_field) {
  return std::clamp<int64_t>(receptive_field / 20 * 1000, 2000, 5000);
}

double selection_weight(double activation) {
  return activation >= 0 ? activation + 1.0 : std::exp(activation);
}

std::vector<double> equalised_probabilities(const std::vector<double>& weights, int bins) {
  std::vector<double> out(weights.size(), 0.0);
  double top = 0;
  for (const auto w : weights) top = std::max(top, w);
  if (top <= 0) return out;
  std::vector<std::vector<size_t>> members(static_cast<size_t>(bins));
  std::vector<double> bin_sum(size_t(bins), 0.0);
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    auto b = static_cast<int64_t>(std::ceil(weights[i] / top * bins)) - 1;
    b = std::clamp<int64_t>(b, 0, bins - 1);
    members[size_t(b)].push_back(i);
    bin_sum[size_t(b)] += weights[i];
  }
  int64_t previous = -1;  // the last non-empty bin below
  for (int64_t b = 0; b < bins; ++b) {
    int64_t target = members[size_t(b)].empty() ? previous : b;
    if (members[size_t(b)].empty() && target < 0) {
      // Empty bins before the first non-empty one: give the mass to the first non-empty bin.
      for (int64_t c = b + 1; c < bins && target < 0; ++c) {
        if (!members[size_t(c)].empty()) target = c;
      }
    }
    if (!members[size_t(b)].empty()) previous = b;
    for (const auto i : members[size_t(target)]) {
      out[i] += weights[i] / bin_sum[size_t(target)] / bins;
    }
  }
  const double total = std::accumulate(out.begin(), out.end(), 0.0);
  for (auto& p : out) p /= total;
  return out;
}

SamplerResult sample_neuron(NeuronScorer& scorer, const SamplerOptions& options,
                            const std::vector<SeedMotif>& seeds) {
  torch::NoGradGuard no_grad;
  const auto begin = std::chrono::steady_clock::now();
  auto result = scorer.geometry().receptive_field < options.exhaustive_below
                    ? enumerate_all(scorer, options)
                    : run_genetic(scorer, options, seeds);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return result;
}

}  // namespace helix::interpret
