// Linear probes on frozen embeddings: ridge regression with exact leave-one-out selection of the
// penalty, and L2-regularised multinomial logistic regression with the penalty chosen on a dev set
// or by stratified k-fold cross-validation. All numerics run in float64 whatever the input dtype;
// returned tensors are float64 on the CPU.
//
// Conventions shared by every function here: X is [N, D] (any floating dtype, converted to
// float64), N >= 2, and every value must be finite; mismatched shapes, empty inputs, non-finite
// values, labels outside [0, num_classes) and non-positive or non-finite penalties throw
// helix::UsageError.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace helix::eval {

// ---------------------------------------------------------------------------------------------
// Ridge regression
// ---------------------------------------------------------------------------------------------

struct RidgeFit {
  at::Tensor weight;            // [D, T] float64
  at::Tensor bias;              // [T] float64 (the intercept, not penalised)
  double alpha = 0.0;           // the chosen penalty (first minimum of loo_mse)
  std::vector<double> alphas;   // the candidates, in the order given
  std::vector<double> loo_mse;  // exact leave-one-out MSE per alpha, averaged over targets
  bool vector_target = false;   // Y was 1-D: predict() then returns [M] instead of [M, 1]
};

// Log-spaced grid 1e-3 .. 1e5 with 25 values (three per decade).
std::vector<double> default_ridge_alphas();

// Minimises ||Yc - Xc W||^2 + alpha ||W||^2 on column-centred X and Y (so the intercept is not
// penalised; bias = mean(Y) - mean(X) W). Y is [N, T] or [N]. alpha is chosen by the exact
// leave-one-out error: for the linear smoother H = 11^T/N + Xc (Xc^T Xc + alpha I)^-1 Xc^T (the
// hat matrix of ridge with an unpenalised intercept) the LOO residual is e_i / (1 - h_ii), which
// equals refitting (with re-centring) on the other N - 1 samples. All alphas come from one
// symmetric eigendecomposition: of the D x D Gram Xc^T Xc when N >= D, else of the N x N kernel
// Xc Xc^T. Every alpha must be > 0.
RidgeFit fit_ridge(const at::Tensor& X, const at::Tensor& Y,
                   std::vector<double> alphas = default_ridge_alphas());

// X [M, D] -> [M, T] float64 ([M] when the fit was on a 1-D Y).
at::Tensor predict(const RidgeFit& fit, const at::Tensor& X);

// ---------------------------------------------------------------------------------------------
// Multinomial logistic regression
// ---------------------------------------------------------------------------------------------

// The model is always C logits with a softmax, also for C == 2 (two logits, as sklearn's
// multinomial solver; logits X W + b). Features are standardised internally with the training
// mean and population standard deviation (divide by N; a constant feature gets scale 1), and the
// objective, in the standardised space with weights Ws and bias bs, is
//     mean_i cross_entropy(softmax(x_s,i Ws + bs), y_i) + (l2 / 2) ||Ws||_F^2,
// the bias unpenalised (as StandardScaler + sklearn LogisticRegression with C = 1 / (l2 N)).
// weight and bias are folded back into the original feature space: W = Ws / scale[:, None],
// b = bs - mean W, so predict_proba needs no standardisation. It is fitted in float64: by
// Newton's method with Armijo backtracking (until the max-abs gradient is below 1e-10 or no
// decrease can be verified in float64; the Hessian is accumulated in float32) when there are at
// most 2100 parameters ((D + 1) C), else by L-BFGS (strong Wolfe line search) until the max-abs
// gradient is below 1e-7 or 2000 iterations. Fits along a penalty grid are warm-started; the
// objective is strictly convex in Ws, so the optimum does not depend on the start.
struct LogisticFit {
  at::Tensor weight;         // [D, C] float64, original feature space
  at::Tensor bias;           // [C] float64
  double c = 0.0;            // sklearn-equivalent inverse regularisation, 1 / (l2 * N_train)
  double l2 = 0.0;           // the penalty of the objective above
  at::Tensor feature_mean;   // [D] the standardisation used during fitting
  at::Tensor feature_scale;  // [D]
  int num_classes = 0;
};

// labels: integer [N] in [0, num_classes); num_classes >= 2; l2 > 0.
LogisticFit fit_logistic(const at::Tensor& X, const at::Tensor& labels, int num_classes, double l2);

// X [M, D] -> class probabilities [M, C] float64 (rows sum to 1).
at::Tensor predict_proba(const LogisticFit& fit, const at::Tensor& X);

// Mean negative log-likelihood of labels under the fit (computed from log-softmax, no clipping).
double log_loss(const LogisticFit& fit, const at::Tensor& X, const at::Tensor& labels);

// Log-spaced l2 grid 1e-6 .. 1e2 with 17 values (two per decade).
std::vector<double> default_logistic_l2_grid();

struct LogisticSelection {
  LogisticFit fit;               // at the chosen l2: on X_train (dev selection) or all X (CV)
  double l2 = 0.0;               // first minimum of score
  std::vector<double> grid;      // in the order given
  std::vector<double> log_loss;  // dev log-loss, or pooled held-out log-loss over all samples
};

// Fits on the training set for every l2 of the grid and picks the lowest dev log-loss.
LogisticSelection select_logistic_l2(const at::Tensor& X_train, const at::Tensor& y_train,
                                     const at::Tensor& X_dev, const at::Tensor& y_dev,
                                     int num_classes,
                                     std::vector<double> grid = default_logistic_l2_grid());

// Stratified k-fold CV: the samples of each class are shuffled (std::mt19937_64 seeded with seed)
// and dealt round-robin to the folds, the deal continuing from class to class so fold sizes
// differ by at most one. Scores by the held-out log-loss pooled over all N samples, then refits on
// all of X at the chosen l2. Requires 2 <= folds <= N.
LogisticSelection cross_validate_logistic_l2(const at::Tensor& X, const at::Tensor& labels,
                                             int num_classes, int folds = 5,
                                             std::vector<double> grid = default_logistic_l2_grid(),
                                             uint64_t seed = 0);

// The fold (0 .. folds-1) of every sample under the scheme above; exposed for tests.
std::vector<int> stratified_folds(const std::vector<int64_t>& labels, int folds, uint64_t seed);

}  // namespace helix::eval
