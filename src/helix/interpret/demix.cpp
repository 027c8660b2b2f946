#include "helix/interpret/demix.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace helix::interpret {
namespace {

// Nearest centre of each row of x: argmin over c of |c|^2 - 2 x.c (|x|^2 is the same for all c).
at::Tensor nearest_centre(const at::Tensor& x, const at::Tensor& centres) {
  return (centres.pow(2).sum(1).unsqueeze(0) - 2 * at::matmul(x, centres.t())).argmin(1);
}

// Squared distances [n, k] from rows of x to the centres.
at::Tensor squared_distances(const at::Tensor& x, const at::Tensor& centres) {
  auto d =
      x.pow(2).sum(1, true) - 2 * at::matmul(x, centres.t()) + centres.pow(2).sum(1).unsqueeze(0);
  return d.clamp_min(0);
}

at::Tensor kmeans_plus_plus(const at::Tensor& x, const at::Tensor& w, int64_t k,
                            at::Generator& generator) {
  auto first = at::multinomial(w, 1, false, generator);
  std::vector<at::Tensor> centres = {x.index_select(0, first)};
  auto nearest = squared_distances(x, centres[0]).squeeze(1);
  for (int64_t c = 1; c < k; ++c) {
    auto p = w * nearest;
    auto pick = p.sum().item<double>() > 0 ? at::multinomial(p, 1, false, generator)
                                           : at::multinomial(w, 1, false, generator);
    centres.push_back(x.index_select(0, pick));
    nearest = at::minimum(nearest, squared_distances(x, centres.back()).squeeze(1));
  }
  return at::cat(centres, 0);
}

}  // namespace

at::Tensor weighted_kmeans(const at::Tensor& x_in, const at::Tensor& w_in, int64_t k,
                           int64_t restarts, uint64_t seed, int64_t max_iterations) {
  const int64_t n = x_in.size(0);
  if (n <= k) return at::arange(n, at::kLong);
  auto x = x_in.to(at::kFloat);
  auto w = w_in.to(x.device(), at::kFloat).clamp_min(1e-12);
  auto generator = at::detail::createCPUGenerator(seed);
  at::Tensor best;
  double best_inertia = std::numeric_limits<double>::infinity();
  for (int64_t r = 0; r < std::max<int64_t>(1, restarts); ++r) {
    auto centres = kmeans_plus_plus(x.cpu(), w.cpu(), k, generator).to(x.device());
    at::Tensor labels;
    for (int64_t it = 0; it < max_iterations; ++it) {
      auto next = nearest_centre(x, centres);
      if (labels.defined() && at::equal(next, labels)) break;
      labels = next;
      auto onehot = at::one_hot(labels, k).to(at::kFloat) * w.unsqueeze(1);  // [n, k]
      auto mass = onehot.sum(0);                                             // [k]
      auto sums = at::matmul(onehot.t(), x);                                 // [k, d]
      auto updated = sums / mass.clamp_min(1e-12).unsqueeze(1);
      centres = at::where((mass > 0).unsqueeze(1), updated, centres);  // empty: keep the centre
    }
    const double inertia =
        (squared_distances(x, centres).gather(1, labels.unsqueeze(1)).squeeze(1) * w)
            .sum()
            .item<double>();
    if (inertia < best_inertia) {
      best_inertia = inertia;
      best = labels;
    }
  }
  return best.cpu();
}

int64_t max_leaves(const nn::ConvNetImpl& net, int64_t layer, int64_t motif_nb) {
  int64_t leaves = 1;
  for (int64_t l = 0; l < layer; ++l) {
    for (int64_t m = 0; m < motif_nb; ++m) leaves *= net.options().pools[size_t(l)];
  }
  return leaves;
}

namespace {

void cluster(NeuronScorer& scorer, const SampleSet& samples, std::vector<int64_t> members,
             int64_t lower, const DemixOptions& o, std::vector<std::vector<int64_t>>& leaves) {
  if (members.empty()) return;
  if (lower < 0) {
    leaves.push_back(std::move(members));
    return;
  }
  int64_t k = 1;
  for (int64_t m = 0; m < o.motif_nb; ++m) k *= scorer.pool_after(lower);
  const auto n = static_cast<int64_t>(members.size());
  if (k == 1) {
    cluster(scorer, samples, std::move(members), lower - 1, o, leaves);
    return;
  }
  if (n < k || (o.min_leaf > 0 && n < o.min_leaf)) {
    leaves.push_back(std::move(members));
    return;
  }
  // Feature maps of layer `lower` for the members (a subsample when they would not fit).
  const int64_t rf = samples.length;
  auto probe = scorer.feature_map(
      one_hot_bases(samples.sequence(members[0]), 1, rf, scorer.device()), lower);
  const int64_t d = probe.size(1);
  std::vector<int64_t> fit = members;
  std::mt19937_64 rng(o.seed + uint64_t(n) * 31 + uint64_t(lower));
  const int64_t capacity =
      std::max<int64_t>(k * 20, std::min(o.fit_samples, o.max_features / std::max<int64_t>(1, d)));
  if (n > capacity) {
    std::shuffle(fit.begin(), fit.end(), rng);
    fit.resize(size_t(capacity));
  }
  auto features_of = [&](const std::vector<int64_t>& rows) {
    std::vector<at::Tensor> parts;
    std::vector<uint8_t> buffer;
    for (size_t start = 0; start < rows.size(); start += NeuronScorer::kBatch) {
      const size_t count = std::min<size_t>(NeuronScorer::kBatch, rows.size() - start);
      buffer.resize(count * size_t(rf));
      for (size_t i = 0; i < count; ++i) {
        std::copy_n(samples.sequence(rows[start + i]), rf, buffer.begin() + i * size_t(rf));
      }
      parts.push_back(scorer.feature_map(
          one_hot_bases(buffer.data(), int64_t(count), rf, scorer.device()), lower));
    }
    return at::cat(parts, 0);
  };
  auto weights_of = [&](const std::vector<int64_t>& rows) {
    std::vector<float> w;
    w.reserve(rows.size());
    for (const auto i : rows) w.push_back(samples.activation[size_t(i)]);
    return at::tensor(w, at::kFloat);
  };
  auto x = features_of(fit);
  auto labels =
      weighted_kmeans(x, weights_of(fit).to(x.device()), k, o.restarts, o.seed + uint64_t(lower));
  if (fit.size() != members.size()) {
    // Assign every member to the nearest centre of the fitted clusters.
    auto onehot = at::one_hot(labels.to(x.device()), k).to(at::kFloat) *
                  weights_of(fit).to(x.device()).unsqueeze(1);
    auto centres = at::matmul(onehot.t(), x) / onehot.sum(0).clamp_min(1e-12).unsqueeze(1);
    std::vector<at::Tensor> parts;
    // In chunks that keep the feature maps (d floats a row) to a quarter of max_features.
    const auto chunk = static_cast<size_t>(
        std::clamp<int64_t>(o.max_features / (4 * std::max<int64_t>(1, d)), 256, 16384));
    for (size_t start = 0; start < members.size(); start += chunk) {
      std::vector<int64_t> rows(members.begin() + int64_t(start),
                                members.begin() + int64_t(std::min(members.size(), start + chunk)));
      parts.push_back(nearest_centre(features_of(rows), centres).cpu());
    }
    labels = at::cat(parts, 0);
    fit = members;
  }
  std::vector<std::vector<int64_t>> groups(static_cast<size_t>(k));
  const auto* label = labels.data_ptr<int64_t>();
  for (size_t i = 0; i < fit.size(); ++i) groups[size_t(label[i])].push_back(fit[i]);
  for (auto& group : groups) {
    std::sort(group.begin(), group.end());
    cluster(scorer, samples, std::move(group), lower - 1, o, leaves);
  }
}

}  // namespace

std::vector<Leaf> demix(NeuronScorer& scorer, const SampleSet& samples, const DemixOptions& o) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int64_t>> groups;
  std::vector<int64_t> all(size_t(samples.size()));
  std::iota(all.begin(), all.end(), 0);
  cluster(scorer, samples, std::move(all), scorer.geometry().layer - 1, o, groups);
  std::vector<Leaf> leaves;
  for (auto& members : groups) {
    Leaf leaf;
    leaf.ppm = weighted_ppm(samples, members, o.ppm_bins);
    if (leaf.ppm.empty()) continue;
    leaf.n = static_cast<int64_t>(members.size());
    for (const auto i : members) {
      leaf.max_activation = std::max(leaf.max_activation, double(samples.activation[size_t(i)]));
    }
    const auto consensus = consensus_bases(leaf.ppm);
    leaf.consensus_activation = scorer.score_bases(consensus.data(), 1)[0];
    leaf.members = std::move(members);
    leaves.push_back(std::move(leaf));
  }
  return leaves;
}

double student_t_two_sided_p(double t, double dof) {
  // p = I_x(dof / 2, 1 / 2) with x = dof / (dof + t^2): the regularised incomplete beta by its
  // continued fraction (modified Lentz).
  const double x = dof / (dof + t * t);
  const double a = dof / 2, b = 0.5;
  auto continued_fraction = [](double a, double b, double x) {
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (std::abs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m < 300; ++m) {
      const double m2 = 2.0 * m;
      double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
      d = 1 + num * d;
      c = 1 + num / c;
      d = 1 / (std::abs(d) < tiny ? tiny : d);
      c = std::abs(c) < tiny ? tiny : c;
      h *= d * c;
      num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 + num * d;
      c = 1 + num / c;
      d = 1 / (std::abs(d) < tiny ? tiny : d);
      c = std::abs(c) < tiny ? tiny : c;
      const double delta = d * c;
      h *= delta;
      if (std::abs(delta - 1) < 1e-14) break;
    }
    return h;
  };
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return std::exp(log_front) * continued_fraction(a, b, x) / a;
  return 1 - std::exp(log_front) * continued_fraction(b, a, 1 - x) / b;
}

double best_quality(const std::vector<Leaf>& leaves) {
  double r = 0;
  for (const auto& leaf : leaves) r = std::max(r, leaf.quality());
  return r;
}

bool accept_motif_nb(const std::vector<double>& r) {
  if (r.empty()) return true;
  const double n = double(r.size());
  const double mean = std::accumulate(r.begin(), r.end(), 0.0) / n;
  if (r.size() < 10) return mean > 0.95;
  double ss = 0;
  for (const auto v : r) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (n - 1));
  if (sd == 0) return mean > 0.95;
  const double t = (mean - 0.95) / (sd / std::sqrt(n));
  return t > 0 && student_t_two_sided_p(t, n - 1) < 0.1;
}

}  // namespace helix::interpret
