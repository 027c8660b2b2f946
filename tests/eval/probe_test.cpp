#include "helix/eval/probe.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "helix/eval/metrics.hpp"
#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

at::Generator gen(uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return g;
}

at::Tensor randn(at::IntArrayRef shape, at::Generator& g) {
  return at::randn(shape, g, at::TensorOptions().dtype(at::kDouble));
}

std::vector<double> to_vec(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous().reshape({-1});
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// Ridge with unpenalised intercept, solved directly: W = (Xc^T Xc + a I)^-1 Xc^T Yc.
at::Tensor direct_ridge(const at::Tensor& X, const at::Tensor& Y, double alpha) {
  const at::Tensor xc = X - X.mean(0);
  const at::Tensor yc = Y - Y.mean(0);
  const at::Tensor a = at::mm(xc.t(), xc) + alpha * at::eye(X.size(1), at::kDouble);
  return at::linalg_solve(a, at::mm(xc.t(), yc));
}

// Mean over samples and targets of the squared residual of refits leaving each sample out.
double brute_force_loo_mse(const at::Tensor& X, const at::Tensor& Y, double alpha) {
  const int64_t n = X.size(0);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> keep;
    for (int64_t j = 0; j < n; ++j) {
      if (j != i) keep.push_back(j);
    }
    const at::Tensor idx = at::tensor(keep, at::kLong);
    const RidgeFit fit = fit_ridge(X.index_select(0, idx), Y.index_select(0, idx), {alpha});
    const at::Tensor pred = predict(fit, X.narrow(0, i, 1));
    total += (Y.narrow(0, i, 1) - pred).pow(2).sum().item<double>();
  }
  return total / static_cast<double>(n * Y.size(1));
}

TEST(Ridge, ClosedFormLooMatchesBruteForce) {
  at::Generator g = gen(1);
  const at::Tensor X = randn({12, 4}, g) * 2.0 + 0.5;
  const at::Tensor Y = at::mm(X, randn({4, 2}, g)) + randn({12, 2}, g);
  const std::vector<double> alphas = {1e-3, 0.1, 1.0, 10.0, 1e3};
  const RidgeFit fit = fit_ridge(X, Y, alphas);
  ASSERT_EQ(fit.loo_mse.size(), alphas.size());
  for (size_t a = 0; a < alphas.size(); ++a) {
    EXPECT_NEAR(fit.loo_mse[a], brute_force_loo_mse(X, Y, alphas[a]), 1e-8) << alphas[a];
  }
  // The chosen alpha is the first minimum.
  size_t best = 0;
  for (size_t a = 1; a < alphas.size(); ++a) {
    if (fit.loo_mse[a] < fit.loo_mse[best]) best = a;
  }
  EXPECT_EQ(fit.alpha, alphas[best]);
}

TEST(Ridge, ClosedFormLooMatchesBruteForceWhenNBelowD) {
  at::Generator g = gen(2);
  const at::Tensor X = randn({7, 10}, g);
  const at::Tensor Y = randn({7, 1}, g);
  const std::vector<double> alphas = {1e-2, 1.0, 100.0};
  const RidgeFit fit = fit_ridge(X, Y, alphas);
  for (size_t a = 0; a < alphas.size(); ++a) {
    EXPECT_NEAR(fit.loo_mse[a], brute_force_loo_mse(X, Y, alphas[a]), 1e-8) << alphas[a];
  }
}

TEST(Ridge, BothPathsAgreeWithDirectSolve) {
  at::Generator g = gen(3);
  for (auto [n, d] : {std::pair<int64_t, int64_t>{50, 8}, {8, 50}, {20, 20}}) {
    const at::Tensor X = randn({n, d}, g) + 1.0;
    const at::Tensor Y = randn({n, 3}, g) + 2.0;
    const double alpha = 0.7;
    const RidgeFit fit = fit_ridge(X, Y, {alpha});
    const at::Tensor w = direct_ridge(X, Y, alpha);
    EXPECT_TRUE(at::allclose(fit.weight, w, 1e-8, 1e-10)) << n << "x" << d;
    const at::Tensor b = Y.mean(0) - at::mv(w.t(), X.mean(0));
    EXPECT_TRUE(at::allclose(fit.bias, b, 1e-8, 1e-10)) << n << "x" << d;
    EXPECT_EQ(fit.weight.scalar_type(), at::kDouble);
  }
}

TEST(Ridge, RecoversPlantedLinearModel) {
  at::Generator g = gen(4);
  const at::Tensor w = randn({20}, g);
  const at::Tensor X = randn({600, 20}, g).to(at::kFloat);  // float input is accepted
  const at::Tensor y = at::mv(X.to(at::kDouble), w) + 3.0 + 0.3 * randn({600}, g);
  const RidgeFit fit = fit_ridge(X.narrow(0, 0, 400), y.narrow(0, 0, 400));
  EXPECT_EQ(fit.alphas.size(), 25u);
  EXPECT_DOUBLE_EQ(fit.alphas.front(), 1e-3);
  EXPECT_NEAR(fit.alphas.back(), 1e5, 1e-6);
  const at::Tensor pred = predict(fit, X.narrow(0, 400, 200));
  ASSERT_EQ(pred.dim(), 1);  // 1-D target in, 1-D prediction out
  const double r2 = r2_score(to_vec(y.narrow(0, 400, 200)), to_vec(pred));
  EXPECT_GT(r2, 0.95);
  EXPECT_NEAR(fit.bias.item<double>(), 3.0, 0.1);
}

TEST(Ridge, MultiTargetMatchesSeparateFits) {
  at::Generator g = gen(5);
  const at::Tensor X = randn({40, 6}, g);
  const at::Tensor Y =
      at::mm(X, randn({6, 3}, g)) + randn({40, 3}, g) * at::tensor({0.1, 1.0, 3.0}, at::kDouble);
  const std::vector<double> alphas = {0.01, 1.0, 100.0};
  const RidgeFit fit = fit_ridge(X, Y, alphas);
  EXPECT_EQ(fit.weight.sizes(), (at::IntArrayRef{6, 3}));
  EXPECT_EQ(predict(fit, X).sizes(), (at::IntArrayRef{40, 3}));
  std::vector<double> mean_mse(alphas.size(), 0.0);
  for (int64_t t = 0; t < 3; ++t) {
    const RidgeFit single = fit_ridge(X, Y.select(1, t), alphas);
    for (size_t a = 0; a < alphas.size(); ++a) mean_mse[a] += single.loo_mse[a] / 3.0;
    const RidgeFit same_alpha = fit_ridge(X, Y.select(1, t), {fit.alpha});
    EXPECT_TRUE(at::allclose(fit.weight.select(1, t), same_alpha.weight.squeeze(1), 1e-9, 1e-12));
    EXPECT_NEAR(fit.bias[t].item<double>(), same_alpha.bias.item<double>(), 1e-9);
  }
  for (size_t a = 0; a < alphas.size(); ++a) EXPECT_NEAR(fit.loo_mse[a], mean_mse[a], 1e-9);
}

TEST(Ridge, RejectsBadArguments) {
  const at::Tensor X = at::randn({10, 3}, at::kDouble);
  const at::Tensor y = at::randn({10}, at::kDouble);
  EXPECT_THROW(fit_ridge(X, y, {}), UsageError);
  EXPECT_THROW(fit_ridge(X, y, {1.0, 0.0}), UsageError);
  EXPECT_THROW(fit_ridge(X, y, {-1.0}), UsageError);
  EXPECT_THROW(fit_ridge(X, at::randn({9}, at::kDouble)), UsageError);
  EXPECT_THROW(fit_ridge(X.reshape({-1}), y), UsageError);
  EXPECT_THROW(fit_ridge(X.narrow(0, 0, 1), y.narrow(0, 0, 1)), UsageError);
  at::Tensor bad = X.clone();
  bad[2][1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fit_ridge(bad, y), UsageError);
  const RidgeFit fit = fit_ridge(X, y);
  EXPECT_THROW(predict(fit, at::randn({4, 2}, at::kDouble)), UsageError);
}

// ---------------------------------------------------------------------------------------------
// Logistic
// ---------------------------------------------------------------------------------------------

// n samples per class around centres[c] (rows), unit-variance Gaussian noise scaled by sd.
void blobs(const at::Tensor& centres, int64_t n_per_class, double sd, at::Generator& g,
           at::Tensor& X, at::Tensor& y) {
  const int64_t c = centres.size(0);
  const int64_t d = centres.size(1);
  y = at::arange(c, at::kLong).repeat_interleave(n_per_class);
  X = centres.index_select(0, y) + sd * randn({c * n_per_class, d}, g);
}

double accuracy_of(const LogisticFit& fit, const at::Tensor& X, const at::Tensor& y) {
  return predict_proba(fit, X).argmax(1).eq(y).to(at::kDouble).mean().item<double>();
}

// The documented objective, in the standardised space, as an autograd graph of leaf tensors.
at::Tensor objective(const LogisticFit& fit, const at::Tensor& X, const at::Tensor& y,
                     at::Tensor& ws, at::Tensor& bs) {
  ws = (fit.weight * fit.feature_scale.unsqueeze(1)).detach().clone().set_requires_grad(true);
  bs = (fit.bias + at::mv(fit.weight.t(), fit.feature_mean))
           .detach()
           .clone()
           .set_requires_grad(true);
  const at::Tensor xs = (X - fit.feature_mean) / fit.feature_scale;
  const at::Tensor logp = at::log_softmax(at::addmm(bs, xs, ws), 1);
  return -logp.gather(1, y.unsqueeze(1)).mean() + 0.5 * fit.l2 * ws.pow(2).sum();
}

TEST(Logistic, TwoClassBlobs) {
  at::Generator g = gen(10);
  const at::Tensor centres =
      at::tensor({-1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0}, at::kDouble).reshape({2, 4}) * 1.5 +
      5.0;
  at::Tensor X, y, Xt, yt;
  blobs(centres, 100, 1.0, g, X, y);
  blobs(centres, 200, 1.0, g, Xt, yt);
  const LogisticFit fit = fit_logistic(X, y, 2, 1e-2);
  EXPECT_EQ(fit.weight.sizes(), (at::IntArrayRef{4, 2}));  // two logits also for C == 2
  EXPECT_EQ(fit.bias.sizes(), (at::IntArrayRef{2}));
  EXPECT_NEAR(fit.c, 1.0 / (1e-2 * 200), 1e-12);
  const at::Tensor p = predict_proba(fit, Xt);
  EXPECT_TRUE(at::allclose(p.sum(1), at::ones({400}, at::kDouble)));
  EXPECT_GT(accuracy_of(fit, Xt, yt), 0.95);
}

TEST(Logistic, ThreeClassBlobs) {
  at::Generator g = gen(11);
  const at::Tensor centres = 3.0 * at::eye(3, 5, at::kDouble);
  at::Tensor X, y, Xt, yt;
  blobs(centres, 80, 0.8, g, X, y);
  blobs(centres, 150, 0.8, g, Xt, yt);
  const LogisticFit fit = fit_logistic(X, y, 3, 1e-3);
  EXPECT_GT(accuracy_of(fit, Xt, yt), 0.95);
  EXPECT_LT(log_loss(fit, Xt, yt), 0.3);
}

TEST(Logistic, GradientVanishesAtOptimum) {
  at::Generator g = gen(12);
  const at::Tensor centres = at::randn({3, 6}, g, at::TensorOptions().dtype(at::kDouble)) * 2.0;
  at::Tensor X, y;
  blobs(centres, 40, 1.5, g, X, y);
  X = X * at::tensor({1.0, 10.0, 0.1, 3.0, 1.0, 50.0}, at::kDouble);  // badly scaled features
  for (double l2 : {1e-3, 1e-1}) {
    const LogisticFit fit = fit_logistic(X, y, 3, l2);
    at::Tensor ws, bs;
    objective(fit, X, y, ws, bs).backward();
    const double gnorm =
        std::sqrt(ws.grad().pow(2).sum().item<double>() + bs.grad().pow(2).sum().item<double>());
    EXPECT_LT(gnorm, 1e-4) << l2;
  }
}

// Newton's method runs for small problems ((D + 1) C <= 2100), L-BFGS above: both must reach
// the optimum, Newton also on the nearly collinear features that pooled embeddings have.
TEST(Logistic, BothSolversReachTheOptimum) {
  at::Generator g = gen(13);
  auto gradient_norm = [](const LogisticFit& fit, const at::Tensor& X, const at::Tensor& y) {
    at::Tensor ws, bs;
    objective(fit, X, y, ws, bs).backward();
    return std::sqrt(ws.grad().pow(2).sum().item<double>() + bs.grad().pow(2).sum().item<double>());
  };
  {
    const int64_t n = 400;
    const at::Tensor base = randn({n, 1}, g);
    const at::Tensor X = base + 1e-3 * randn({n, 20}, g);  // 20 near-copies of one feature
    const at::Tensor y = (base.squeeze(1) + 0.5 * randn({n}, g) > 0).to(at::kLong);
    const LogisticFit fit = fit_logistic(X, y, 2, 1e-6);
    EXPECT_LT(gradient_norm(fit, X, y), 1e-8);
  }
  {
    const int64_t n = 200, d = 1100;  // 2202 parameters: the L-BFGS path
    const at::Tensor X = randn({n, d}, g);
    const at::Tensor y = (X.select(1, 0) + X.select(1, 1) > 0).to(at::kLong);
    const LogisticFit fit = fit_logistic(X, y, 2, 1e-1);
    EXPECT_LT(gradient_norm(fit, X, y), 1e-5);
    EXPECT_GT(accuracy_of(fit, X, y), 0.9);
  }
}

TEST(Logistic, LargerPenaltyShrinksWeights) {
  at::Generator g = gen(13);
  const at::Tensor centres = at::randn({2, 5}, g, at::TensorOptions().dtype(at::kDouble));
  at::Tensor X, y;
  blobs(centres, 50, 1.0, g, X, y);
  double previous = std::numeric_limits<double>::infinity();
  for (double l2 : {1e-3, 1e-2, 1e-1, 1.0}) {
    const LogisticFit fit = fit_logistic(X, y, 2, l2);
    const double norm = (fit.weight * fit.feature_scale.unsqueeze(1)).norm().item<double>();
    EXPECT_LT(norm, previous) << l2;
    previous = norm;
  }
}

// Few samples, many noise features: a tiny penalty overfits the training set.
void overfitting_case(at::Tensor& X, at::Tensor& y, at::Tensor& Xd, at::Tensor& yd) {
  at::Generator g = gen(14);
  const int64_t d = 30;
  at::Tensor centres = at::zeros({2, d}, at::kDouble);
  centres[0][0] = -0.7;
  centres[1][0] = 0.7;
  blobs(centres, 20, 1.0, g, X, y);
  blobs(centres, 200, 1.0, g, Xd, yd);
}

TEST(Logistic, DevSelectionPicksBestOfGrid) {
  at::Tensor X, y, Xd, yd;
  overfitting_case(X, y, Xd, yd);
  const std::vector<double> grid = {1e-4, 1e-2, 1.0, 1e-3, 1e-1};
  const LogisticSelection sel = select_logistic_l2(X, y, Xd, yd, 2, grid);
  ASSERT_EQ(sel.log_loss.size(), grid.size());
  size_t best = 0;
  for (size_t i = 0; i < grid.size(); ++i) {
    // Each grid score equals a cold fit at that penalty (warm starts do not change the optimum).
    const LogisticFit cold = fit_logistic(X, y, 2, grid[i]);
    EXPECT_NEAR(sel.log_loss[i], log_loss(cold, Xd, yd), 1e-4) << grid[i];
    if (sel.log_loss[i] < sel.log_loss[best]) best = i;
  }
  EXPECT_EQ(sel.l2, grid[best]);
  EXPECT_NE(sel.l2, 1e-4);  // the tiny penalty overfits
  EXPECT_LT(sel.log_loss[best], sel.log_loss[0]);
  EXPECT_NEAR(log_loss(sel.fit, Xd, yd), sel.log_loss[best], 1e-9);
  EXPECT_EQ(sel.fit.l2, sel.l2);
}

TEST(Logistic, CrossValidationPicksRegularisedModel) {
  at::Tensor X, y, Xd, yd;
  overfitting_case(X, y, Xd, yd);
  const std::vector<double> grid = {1e-4, 1e-2, 1.0};
  const LogisticSelection sel = cross_validate_logistic_l2(X, y, 2, 5, grid, 7);
  ASSERT_EQ(sel.log_loss.size(), 3u);
  EXPECT_NE(sel.l2, 1e-4);
  EXPECT_LT(std::min(sel.log_loss[1], sel.log_loss[2]), sel.log_loss[0]);
  EXPECT_EQ(sel.fit.l2, sel.l2);
  const LogisticSelection again = cross_validate_logistic_l2(X, y, 2, 5, grid, 7);
  EXPECT_EQ(again.log_loss, sel.log_loss);  // deterministic for a seed
}

TEST(Logistic, StratifiedFolds) {
  std::vector<int64_t> labels;
  for (int i = 0; i < 23; ++i) labels.push_back(0);
  for (int i = 0; i < 11; ++i) labels.push_back(2);
  for (int i = 0; i < 6; ++i) labels.push_back(1);
  const std::vector<int> fold = stratified_folds(labels, 5, 3);
  ASSERT_EQ(fold.size(), labels.size());
  std::vector<int> size(5, 0);
  for (int64_t c = 0; c < 3; ++c) {
    std::vector<int> per(5, 0);
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == c) ++per[static_cast<size_t>(fold[i])];
    }
    const auto [lo, hi] = std::minmax_element(per.begin(), per.end());
    EXPECT_LE(*hi - *lo, 1) << c;
  }
  for (int f : fold) ++size[static_cast<size_t>(f)];
  for (int s : size) EXPECT_EQ(s, 8);
  EXPECT_EQ(stratified_folds(labels, 5, 3), fold);
  EXPECT_NE(stratified_folds(labels, 5, 4), fold);
  EXPECT_THROW(stratified_folds(labels, 1, 0), UsageError);
  EXPECT_THROW(stratified_folds({0, 1}, 3, 0), UsageError);
}

TEST(Logistic, RejectsBadArguments) {
  const at::Tensor X = at::randn({10, 3}, at::kDouble);
  const at::Tensor y = at::arange(10, at::kLong) % 2;
  EXPECT_THROW(fit_logistic(X, y, 1, 1.0), UsageError);
  EXPECT_THROW(fit_logistic(X, y, 2, 0.0), UsageError);
  EXPECT_THROW(fit_logistic(X, y + 1, 2, 1.0), UsageError);
  EXPECT_THROW(fit_logistic(X, y.narrow(0, 0, 9), 2, 1.0), UsageError);
  EXPECT_THROW(fit_logistic(X, y.to(at::kFloat), 2, 1.0), UsageError);
  EXPECT_THROW(select_logistic_l2(X, y, X, y, 2, {}), UsageError);
  EXPECT_THROW(cross_validate_logistic_l2(X, y, 2, 11), UsageError);
}

}  // namespace
}  // namespace helix::eval
