#include "helix/eval/probe.hpp"

#include <torch/optim/lbfgs.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <utility>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

std::vector<double> log_grid(double lo, double hi, int n) {
  std::vector<double> out(static_cast<size_t>(n));
  const double a = std::log10(lo);
  const double b = std::log10(hi);
  for (int i = 0; i < n; ++i)
    out[static_cast<size_t>(i)] = std::pow(10.0, a + (b - a) * i / (n - 1));
  return out;
}

// Validates X as a finite [N, D] matrix with N >= min_rows and returns it as contiguous float64.
at::Tensor as_features(const at::Tensor& X, const char* what, int64_t min_rows) {
  if (!X.defined() || X.dim() != 2)
    throw UsageError(std::string(what) + " must be a 2-D [N, D] tensor");
  if (!at::isFloatingType(X.scalar_type()) && !at::isIntegralType(X.scalar_type(), false)) {
    throw UsageError(std::string(what) + " must be a real tensor");
  }
  if (X.size(0) < min_rows) {
    throw UsageError(std::string(what) + " needs at least " + std::to_string(min_rows) +
                     " rows, got " + std::to_string(X.size(0)));
  }
  if (X.size(1) < 1) throw UsageError(std::string(what) + " has no columns");
  at::Tensor out = X.to(at::kCPU, at::kDouble).contiguous();
  if (!at::isfinite(out).all().item<bool>()) {
    throw UsageError(std::string(what) + " contains NaN or infinite values");
  }
  return out;
}

void check_penalties(const std::vector<double>& values, const char* what) {
  if (values.empty()) throw UsageError(std::string(what) + " grid is empty");
  for (double v : values) {
    if (!(v > 0.0) || !std::isfinite(v)) {
      throw UsageError(std::string(what) + " values must be finite and > 0, got " +
                       std::to_string(v));
    }
  }
}

size_t first_min(const std::vector<double>& v) {
  size_t best = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] < v[best] || (std::isnan(v[best]) && !std::isnan(v[i]))) best = i;
  }
  return best;
}

// labels -> int64 [N] with values in [0, num_classes).
at::Tensor as_labels(const at::Tensor& labels, int64_t n, int num_classes, const char* what) {
  if (!labels.defined() || labels.dim() != 1 || labels.size(0) != n) {
    throw UsageError(std::string(what) + " must be a 1-D tensor of length " + std::to_string(n));
  }
  if (!at::isIntegralType(labels.scalar_type(), false)) {
    throw UsageError(std::string(what) + " must be an integer tensor");
  }
  at::Tensor y = labels.to(at::kCPU, at::kLong).contiguous();
  if (n > 0) {
    const int64_t lo = y.min().item<int64_t>();
    const int64_t hi = y.max().item<int64_t>();
    if (lo < 0 || hi >= num_classes) {
      throw UsageError(std::string(what) + " must lie in [0, " + std::to_string(num_classes) +
                       "), got values in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
  }
  return y;
}

void check_num_classes(int num_classes) {
  if (num_classes < 2) {
    throw UsageError("logistic regression needs num_classes >= 2, got " +
                     std::to_string(num_classes));
  }
}

// Standardised-space parameters and the fit, for warm starts along a grid.
struct StdParams {
  at::Tensor w;  // [D, C]
  at::Tensor b;  // [C]
};

// Objective value and gradient of probe.hpp's logistic objective at (w, b), on standardised Xs.
double logistic_objective(const at::Tensor& Xs, const at::Tensor& onehot, double l2,
                          const at::Tensor& w, const at::Tensor& b, at::Tensor* grad_w,
                          at::Tensor* grad_b, at::Tensor* probabilities) {
  const double inv_n = 1.0 / static_cast<double>(Xs.size(0));
  const at::Tensor logp = at::log_softmax(at::addmm(b, Xs, w), 1);
  const double value =
      -(logp * onehot).sum().item<double>() * inv_n + 0.5 * l2 * w.pow(2).sum().item<double>();
  if (grad_w != nullptr) {
    const at::Tensor p = logp.exp();
    const at::Tensor diff = (p - onehot) * inv_n;  // d loss / d logits
    *grad_w = at::mm(Xs.t(), diff) + l2 * w;
    *grad_b = diff.sum(0);
    if (probabilities != nullptr) *probabilities = p;
  }
  return value;
}

// Newton's method with backtracking (Armijo) line search, for problems whose Hessian is small:
// with (D + 1) C parameters it converges in a few dozen iterations where first-order methods
// crawl on the ill-conditioned, nearly collinear features embeddings have. The Hessian of the
// softmax is singular along "add the same vector to every class's column" of the unpenalised
// bias; the gradient is orthogonal to that direction, so a tiny diagonal shift is harmless.
StdParams fit_newton(const at::Tensor& Xs, const at::Tensor& onehot, int num_classes, double l2,
                     at::Tensor w, at::Tensor b) {
  const int64_t n = Xs.size(0);
  const int64_t d = Xs.size(1);
  const int64_t c = num_classes;
  const at::Tensor xa_f = at::cat({Xs, at::ones({n, 1}, Xs.options())}, 1).to(at::kFloat);
  const int64_t m = (d + 1) * c;
  at::Tensor penalty = at::full({d + 1, c}, l2, Xs.options());
  penalty[d].zero_();
  const at::Tensor penalty_diag = penalty.reshape({m});
  at::Tensor gw, gb, p;
  double f = logistic_objective(Xs, onehot, l2, w, b, &gw, &gb, &p);
  for (int iter = 0; iter < 100; ++iter) {
    const at::Tensor g = at::cat({gw, gb.unsqueeze(0)}, 0).reshape({m});  // row-major (j, k)
    if (g.abs().max().item<double>() < 1e-10) break;
    // H[(j,k),(j',k')] = sum_i xa_ij xa_ij' p_ik (delta_kk' - p_ik') / N + penalty.
    at::Tensor h = at::zeros({d + 1, c, d + 1, c}, Xs.options());
    // The Hessian only steers the step (gradient, objective and line search stay in float64),
    // so it is accumulated in float32, at twice the speed.
    auto block_of = [&](const at::Tensor& weight) {
      const at::Tensor wf = (weight / static_cast<double>(n)).to(at::kFloat).unsqueeze(1);
      return at::mm(xa_f.t(), xa_f * wf).to(at::kDouble);
    };
    if (c == 2) {
      // Two classes: p0 (1 - p0) = p1 (1 - p1) = p0 p1, so every block is +-A, one product.
      const at::Tensor a = block_of(p.select(1, 0) * p.select(1, 1));
      h.select(1, 0).select(2, 0).copy_(a);
      h.select(1, 1).select(2, 1).copy_(a);
      h.select(1, 0).select(2, 1).copy_(-a);
      h.select(1, 1).select(2, 0).copy_(-a);
    } else {
      for (int64_t k = 0; k < c; ++k) {
        for (int64_t k2 = k; k2 < c; ++k2) {
          at::Tensor weight = -p.select(1, k) * p.select(1, k2);
          if (k == k2) weight = weight + p.select(1, k);
          const at::Tensor block = block_of(weight);
          h.select(1, k).select(2, k2).copy_(block);
          if (k2 != k) h.select(1, k2).select(2, k).copy_(block.t());
        }
      }
    }
    at::Tensor hm = h.reshape({m, m});
    hm.diagonal().add_(penalty_diag + 1e-12);
    const at::Tensor step = at::linalg_solve(hm, g.unsqueeze(1)).squeeze(1).reshape({d + 1, c});
    const double slope = -(g * step.reshape({m})).sum().item<double>();
    // Newton decrement: the predicted decrease is -slope / 2. Below double precision of the
    // objective no step can be verified any more: converged.
    if (-slope < 1e-15 * std::max(1.0, std::abs(f))) break;
    double t = 1.0;
    at::Tensor w_new, b_new;
    bool accepted = false;
    for (int ls = 0; ls < 30 && !accepted; ++ls, t *= 0.5) {
      w_new = w - t * step.narrow(0, 0, d);
      b_new = b - t * step[d];
      const double f_new =
          logistic_objective(Xs, onehot, l2, w_new, b_new, nullptr, nullptr, nullptr);
      accepted = f_new <= f + 1e-4 * t * slope;
    }
    if (!accepted) break;  // no verifiable decrease at double precision: converged
    w = w_new;
    b = b_new;
    f = logistic_objective(Xs, onehot, l2, w, b, &gw, &gb, &p);
  }
  return {w, b};
}

// Fits the objective documented in probe.hpp on already standardised Xs, starting from init:
// Newton's method when the Hessian has at most kNewtonMaxParams rows, else L-BFGS.
constexpr int64_t kNewtonMaxParams = 2100;

StdParams fit_standardised(const at::Tensor& Xs, const at::Tensor& y, int num_classes, double l2,
                           const StdParams* init) {
  const int64_t d = Xs.size(1);
  at::Tensor w = init ? init->w.clone() : at::zeros({d, num_classes}, at::kDouble);
  at::Tensor b = init ? init->b.clone() : at::zeros({num_classes}, at::kDouble);
  const at::Tensor onehot = at::one_hot(y, num_classes).to(at::kDouble);
  if ((d + 1) * num_classes <= kNewtonMaxParams) {
    at::NoGradGuard no_grad;
    return fit_newton(Xs, onehot, num_classes, l2, w, b);
  }
  w.set_requires_grad(true);  // the optimiser reads .grad(); the closure fills it analytically
  b.set_requires_grad(true);
  torch::optim::LBFGS opt({w, b}, torch::optim::LBFGSOptions(1.0)
                                      .max_iter(2000)
                                      .max_eval(5000)
                                      .tolerance_grad(1e-7)
                                      .tolerance_change(1e-15)
                                      .history_size(20)
                                      .line_search_fn("strong_wolfe"));
  auto closure = [&]() -> at::Tensor {
    at::NoGradGuard no_grad;
    at::Tensor gw, gb;
    const double value = logistic_objective(Xs, onehot, l2, w, b, &gw, &gb, nullptr);
    w.mutable_grad() = gw;
    b.mutable_grad() = gb;
    return at::scalar_tensor(value, at::kDouble);
  };
  opt.step(closure);
  return {w.detach(), b.detach()};
}

struct Standardiser {
  at::Tensor mean;   // [D]
  at::Tensor scale;  // [D]
};

Standardiser standardiser_of(const at::Tensor& X) {
  at::Tensor mean = X.mean(0);
  at::Tensor scale = (X - mean).pow(2).mean(0).sqrt();
  scale = at::where(scale > 0, scale, at::ones_like(scale));
  return {mean, scale};
}

LogisticFit to_original_space(const StdParams& p, const Standardiser& s, double l2, int64_t n,
                              int num_classes) {
  LogisticFit fit;
  fit.weight = p.w / s.scale.unsqueeze(1);
  fit.bias = p.b - at::mv(fit.weight.t(), s.mean);
  fit.l2 = l2;
  fit.c = 1.0 / (l2 * static_cast<double>(n));
  fit.feature_mean = s.mean;
  fit.feature_scale = s.scale;
  fit.num_classes = num_classes;
  return fit;
}

at::Tensor logits_of(const LogisticFit& fit, const at::Tensor& X64) {
  if (X64.size(1) != fit.weight.size(0)) {
    throw UsageError("logistic probe expects " + std::to_string(fit.weight.size(0)) +
                     " features, got " + std::to_string(X64.size(1)));
  }
  return at::addmm(fit.bias, X64, fit.weight);
}

// Sum (not mean) of -log p(y) for standardised-space params on standardised X.
double summed_nll(const StdParams& p, const at::Tensor& Xs, const at::Tensor& y) {
  const at::Tensor logp = at::log_softmax(at::addmm(p.b, Xs, p.w), 1);
  return -logp.gather(1, y.unsqueeze(1)).sum().item<double>();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Ridge
// ---------------------------------------------------------------------------------------------

std::vector<double> default_ridge_alphas() { return log_grid(1e-3, 1e5, 25); }

RidgeFit fit_ridge(const at::Tensor& X, const at::Tensor& Y, std::vector<double> alphas) {
  check_penalties(alphas, "ridge alpha");
  const at::Tensor x = as_features(X, "ridge X", 2);
  const int64_t n = x.size(0);
  const int64_t d = x.size(1);
  if (!Y.defined() || (Y.dim() != 1 && Y.dim() != 2) || Y.size(0) != n) {
    throw UsageError("ridge Y must be [N] or [N, T] with N = " + std::to_string(n));
  }
  const bool vector_target = Y.dim() == 1;
  at::Tensor y = Y.to(at::kCPU, at::kDouble).reshape({n, -1}).contiguous();
  if (y.size(1) < 1) throw UsageError("ridge Y has no targets");
  if (!at::isfinite(y).all().item<bool>())
    throw UsageError("ridge Y contains NaN or infinite values");
  const int64_t t = y.size(1);
  const int64_t a = static_cast<int64_t>(alphas.size());

  const at::Tensor x_mean = x.mean(0);
  const at::Tensor y_mean = y.mean(0);
  const at::Tensor xc = x - x_mean;
  const at::Tensor yc = y - y_mean;

  // Q [N, r] with Xc Xc^T = Q Q^T restricted to the eigenbasis, eig [r]: the squared singular
  // values of Xc. Fitted values and leverages for every alpha are then
  //   fitted = Q diag(1/(eig+alpha)) Q^T Yc,   h_ii = 1/N + sum_j Q_ij^2 / (eig_j + alpha).
  at::Tensor q, eig, basis;
  const bool primal = n >= d;
  if (primal) {
    auto [evals, evecs] = at::linalg_eigh(at::mm(xc.t(), xc));
    eig = evals.clamp_min(0.0);
    basis = evecs;          // V [D, D]
    q = at::mm(xc, evecs);  // Xc V = U S
  } else {
    auto [evals, evecs] = at::linalg_eigh(at::mm(xc, xc.t()));
    eig = evals.clamp_min(0.0);
    basis = evecs;           // U [N, N]
    q = evecs * eig.sqrt();  // U S
  }
  const at::Tensor r = at::mm(q.t(), yc);  // [r, T]
  const at::Tensor alpha_t = at::tensor(alphas, at::kDouble);
  const at::Tensor inv = 1.0 / (eig.unsqueeze(1) + alpha_t.unsqueeze(0));  // [r, A]
  // All alphas at once: coefficients [r, A, T] -> fitted [N, A, T].
  const at::Tensor coef = (inv.unsqueeze(2) * r.unsqueeze(1)).reshape({q.size(1), a * t});
  const at::Tensor fitted = at::mm(q, coef).reshape({n, a, t});
  const at::Tensor lev = at::mm(q * q, inv) + 1.0 / static_cast<double>(n);  // [N, A]
  const at::Tensor loo = (yc.unsqueeze(1) - fitted) / (1.0 - lev).unsqueeze(2);
  const at::Tensor loo_mse = loo.pow(2).mean(at::IntArrayRef{0, 2});  // [A]

  RidgeFit fit;
  fit.alphas = alphas;
  fit.loo_mse.resize(alphas.size());
  const at::Tensor mse_c = loo_mse.contiguous();
  for (int64_t i = 0; i < a; ++i) {
    const double v = mse_c[i].item<double>();
    fit.loo_mse[static_cast<size_t>(i)] =
        std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  }
  const size_t best = first_min(fit.loo_mse);
  fit.alpha = alphas[best];
  const at::Tensor inv_best = inv.select(1, static_cast<int64_t>(best)).unsqueeze(1);  // [r, 1]
  if (primal) {
    // W = V diag(1/(eig+alpha)) V^T Xc^T Yc = V diag(1/(eig+alpha)) R.
    fit.weight = at::mm(basis, inv_best * r);
  } else {
    // W = Xc^T (Xc Xc^T + alpha I)^-1 Yc = Xc^T U diag(1/(eig+alpha)) U^T Yc.
    fit.weight = at::mm(xc.t(), at::mm(basis, inv_best * at::mm(basis.t(), yc)));
  }
  fit.bias = y_mean - at::mv(fit.weight.t(), x_mean);
  fit.vector_target = vector_target;
  return fit;
}

at::Tensor predict(const RidgeFit& fit, const at::Tensor& X) {
  if (!fit.weight.defined()) throw UsageError("ridge predict: the fit is empty");
  const at::Tensor x = as_features(X, "ridge X", 0);
  if (x.size(1) != fit.weight.size(0)) {
    throw UsageError("ridge predict expects " + std::to_string(fit.weight.size(0)) +
                     " features, got " + std::to_string(x.size(1)));
  }
  at::Tensor out = at::addmm(fit.bias, x, fit.weight);
  return fit.vector_target ? out.squeeze(1) : out;
}

// ---------------------------------------------------------------------------------------------
// Logistic
// ---------------------------------------------------------------------------------------------

std::vector<double> default_logistic_l2_grid() { return log_grid(1e-6, 1e2, 17); }

LogisticFit fit_logistic(const at::Tensor& X, const at::Tensor& labels, int num_classes,
                         double l2) {
  check_num_classes(num_classes);
  check_penalties({l2}, "logistic l2");
  const at::Tensor x = as_features(X, "logistic X", 2);
  const at::Tensor y = as_labels(labels, x.size(0), num_classes, "logistic labels");
  const Standardiser s = standardiser_of(x);
  const at::Tensor xs = (x - s.mean) / s.scale;
  const StdParams p = fit_standardised(xs, y, num_classes, l2, nullptr);
  return to_original_space(p, s, l2, x.size(0), num_classes);
}

at::Tensor predict_proba(const LogisticFit& fit, const at::Tensor& X) {
  if (!fit.weight.defined()) throw UsageError("logistic predict: the fit is empty");
  return at::softmax(logits_of(fit, as_features(X, "logistic X", 0)), 1);
}

double log_loss(const LogisticFit& fit, const at::Tensor& X, const at::Tensor& labels) {
  if (!fit.weight.defined()) throw UsageError("logistic log_loss: the fit is empty");
  const at::Tensor x = as_features(X, "logistic X", 1);
  const at::Tensor y = as_labels(labels, x.size(0), fit.num_classes, "logistic labels");
  const at::Tensor logp = at::log_softmax(logits_of(fit, x), 1);
  return -logp.gather(1, y.unsqueeze(1)).mean().item<double>();
}

LogisticSelection select_logistic_l2(const at::Tensor& X_train, const at::Tensor& y_train,
                                     const at::Tensor& X_dev, const at::Tensor& y_dev,
                                     int num_classes, std::vector<double> grid) {
  check_num_classes(num_classes);
  check_penalties(grid, "logistic l2");
  const at::Tensor x = as_features(X_train, "logistic X_train", 2);
  const at::Tensor y = as_labels(y_train, x.size(0), num_classes, "logistic y_train");
  const at::Tensor xd = as_features(X_dev, "logistic X_dev", 1);
  if (xd.size(1) != x.size(1)) throw UsageError("logistic X_dev and X_train differ in columns");
  const at::Tensor yd = as_labels(y_dev, xd.size(0), num_classes, "logistic y_dev");

  const Standardiser s = standardiser_of(x);
  const at::Tensor xs = (x - s.mean) / s.scale;
  const at::Tensor xds = (xd - s.mean) / s.scale;
  // Warm starts from the most to the least regularised fit (the optimum does not depend on them).
  std::vector<size_t> order(grid.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return grid[i] > grid[j]; });
  std::vector<StdParams> params(grid.size());
  LogisticSelection sel;
  sel.grid = grid;
  sel.log_loss.assign(grid.size(), 0.0);
  const StdParams* prev = nullptr;
  for (size_t i : order) {
    params[i] = fit_standardised(xs, y, num_classes, grid[i], prev);
    prev = &params[i];
    sel.log_loss[i] = summed_nll(params[i], xds, yd) / static_cast<double>(xd.size(0));
  }
  const size_t best = first_min(sel.log_loss);
  sel.l2 = grid[best];
  sel.fit = to_original_space(params[best], s, grid[best], x.size(0), num_classes);
  return sel;
}

std::vector<int> stratified_folds(const std::vector<int64_t>& labels, int folds, uint64_t seed) {
  if (folds < 2 || static_cast<size_t>(folds) > labels.size()) {
    throw UsageError("stratified folds need 2 <= folds <= N, got folds = " + std::to_string(folds) +
                     ", N = " + std::to_string(labels.size()));
  }
  std::vector<size_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  // Group by class (stable), then shuffle within each class.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return labels[i] < labels[j]; });
  std::mt19937_64 rng(seed);
  size_t start = 0;
  while (start < order.size()) {
    size_t end = start;
    while (end < order.size() && labels[order[end]] == labels[order[start]]) ++end;
    std::shuffle(order.begin() + static_cast<std::ptrdiff_t>(start),
                 order.begin() + static_cast<std::ptrdiff_t>(end), rng);
    start = end;
  }
  std::vector<int> fold(labels.size());
  for (size_t k = 0; k < order.size(); ++k)
    fold[order[k]] = static_cast<int>(k % static_cast<size_t>(folds));
  return fold;
}

LogisticSelection cross_validate_logistic_l2(const at::Tensor& X, const at::Tensor& labels,
                                             int num_classes, int folds, std::vector<double> grid,
                                             uint64_t seed) {
  check_num_classes(num_classes);
  check_penalties(grid, "logistic l2");
  const at::Tensor x = as_features(X, "logistic X", 2);
  const int64_t n = x.size(0);
  const at::Tensor y = as_labels(labels, n, num_classes, "logistic labels");
  const std::vector<int64_t> yv(y.data_ptr<int64_t>(), y.data_ptr<int64_t>() + n);
  const std::vector<int> fold = stratified_folds(yv, folds, seed);

  std::vector<size_t> order(grid.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return grid[i] > grid[j]; });
  std::vector<double> total(grid.size(), 0.0);
  for (int f = 0; f < folds; ++f) {
    std::vector<int64_t> tr, te;
    for (int64_t i = 0; i < n; ++i) (fold[static_cast<size_t>(i)] == f ? te : tr).push_back(i);
    if (tr.size() < 2)
      throw UsageError("cross-validation fold leaves fewer than 2 training samples");
    const at::Tensor tri = at::tensor(tr, at::kLong);
    const at::Tensor tei = at::tensor(te, at::kLong);
    const at::Tensor xtr = x.index_select(0, tri);
    const Standardiser s = standardiser_of(xtr);
    const at::Tensor xs = (xtr - s.mean) / s.scale;
    const at::Tensor xte = (x.index_select(0, tei) - s.mean) / s.scale;
    const at::Tensor ytr = y.index_select(0, tri);
    const at::Tensor yte = y.index_select(0, tei);
    StdParams prev;
    bool have_prev = false;
    for (size_t i : order) {
      prev = fit_standardised(xs, ytr, num_classes, grid[i], have_prev ? &prev : nullptr);
      have_prev = true;
      total[i] += summed_nll(prev, xte, yte);
    }
  }
  LogisticSelection sel;
  sel.grid = grid;
  sel.log_loss.resize(grid.size());
  for (size_t i = 0; i < grid.size(); ++i) sel.log_loss[i] = total[i] / static_cast<double>(n);
  const size_t best = first_min(sel.log_loss);
  sel.l2 = grid[best];
  sel.fit = fit_logistic(x, y, num_classes, sel.l2);
  return sel;
}

}  // namespace helix::eval
