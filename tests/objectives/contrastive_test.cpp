#include "helix/objectives/contrastive.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "helix/util/error.hpp"

namespace helix::objectives {
namespace {

// Acceptance check 3 (docs/methods/isoclr.md): N = 4 pairs with z0_i = z1_i = e_i, tau = 0.1.
TEST(Contrastive, DclOnOrthonormalPairsEqualsHandComputation) {
  const auto z = at::eye(4, at::kDouble);
  ContrastiveOptions split;
  EXPECT_NEAR(contrastive_loss(z, z, split).item<double>(), -10 + 2 * std::log(3.0), 1e-12);
  EXPECT_NEAR(contrastive_loss(z, z, split).item<double>(), -7.80278, 1e-5);
  ContrastiveOptions pooled{ContrastiveForm::kDclPooled, 0.1};
  EXPECT_NEAR(contrastive_loss(z, z, pooled).item<double>(), -8.20824, 1e-5);
  // Weights multiply the positive term only.
  const auto half = at::full({4}, 0.5, at::kDouble);
  EXPECT_NEAR(contrastive_loss(z, z, split, half).item<double>(), -5 + 2 * std::log(3.0), 1e-12);
  // NT-Xent keeps the positive in the denominator: -10 + log(e^10 + 6).
  ContrastiveOptions ntxent{ContrastiveForm::kNtXent, 0.1};
  EXPECT_NEAR(contrastive_loss(z, z, ntxent).item<double>(), -10 + std::log(std::exp(10.0) + 6),
              1e-9);
}

at::Tensor random_unit_rows(int64_t n, int64_t d, uint64_t seed) {
  at::manual_seed(seed);
  auto z = at::randn({n, d}, at::kDouble);
  return z / z.norm(2, {1}, true);
}

// l0_i written out with loops, straight from the spec's formula.
double split_term_by_hand(const at::Tensor& z0, const at::Tensor& z1, int64_t i, double tau) {
  const int64_t n = z0.size(0);
  auto s = [&](const at::Tensor& a, const at::Tensor& b) { return a.dot(b).item<double>() / tau; };
  double same = 0, cross = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (j == i) continue;
    same += std::exp(s(z0[i], z0[j]));
    cross += std::exp(s(z0[i], z1[j]));
  }
  return -s(z0[i], z1[i]) + std::log(same) + std::log(cross);
}

TEST(Contrastive, SplitTermsMatchTheFormulaAndAreSymmetric) {
  const auto z0 = random_unit_rows(6, 5, 1);
  const auto z1 = random_unit_rows(6, 5, 2);
  const ContrastiveOptions o;
  const auto terms = contrastive_terms(z0, z1, 0, 6, o);
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_NEAR(terms[0][i].item<double>(), split_term_by_hand(z0, z1, i, 0.1), 1e-9) << i;
    EXPECT_NEAR(terms[1][i].item<double>(), split_term_by_hand(z1, z0, i, 0.1), 1e-9) << i;
  }
  EXPECT_NEAR(contrastive_loss(z0, z1, o).item<double>(),
              contrastive_loss(z1, z0, o).item<double>(), 1e-12);
  // Decoupling: moving the positive closer lowers the loss by exactly the change of -s(z0, z1).
  auto closer = z1.clone();
  closer[0] = z0[0];
  const double before = terms[0][0].item<double>();
  const double after = contrastive_terms(z0, closer, 0, 6, o)[0][0].item<double>();
  const double delta_s = (z0[0].dot(z0[0]) - z0[0].dot(z1[0])).item<double>() / 0.1;
  EXPECT_NEAR(after - before, -delta_s, 1e-9);
}

// Acceptance check 4: two "ranks" with batch sizes 3 and 5 see the gathered batch of 8; every
// per-anchor term equals the single-process term, and gradients stay within the shard.
TEST(Contrastive, ShardTermsEqualSingleProcessTermsAndGradientsStayLocal) {
  const auto z0 = random_unit_rows(8, 4, 7);
  const auto z1 = random_unit_rows(8, 4, 8);
  for (const auto form :
       {ContrastiveForm::kDclSplit, ContrastiveForm::kDclPooled, ContrastiveForm::kNtXent}) {
    const ContrastiveOptions o{form, 0.1};
    const auto whole = contrastive_terms(z0, z1, 0, 8, o);
    const auto rank0 = contrastive_terms(z0, z1, 0, 3, o);
    const auto rank1 = contrastive_terms(z0, z1, 3, 5, o);
    EXPECT_TRUE(at::allclose(at::cat({rank0, rank1}, 1), whole, 0, 1e-12));
  }
  auto a = z0.clone().set_requires_grad(true);
  auto b = z1.clone().set_requires_grad(true);
  contrastive_loss(a, b, 3, 5, ContrastiveOptions{}).backward();
  EXPECT_EQ(a.grad().narrow(0, 0, 3).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(b.grad().narrow(0, 0, 3).abs().sum().item<double>(), 0.0);
  EXPECT_GT(a.grad().narrow(0, 3, 5).abs().sum().item<double>(), 0.0);
}

TEST(Contrastive, FormNamesAndBadInput) {
  EXPECT_EQ(contrastive_form_from_name("dcl"), ContrastiveForm::kDclSplit);
  EXPECT_EQ(contrastive_form_from_name("dcl_pooled"), ContrastiveForm::kDclPooled);
  EXPECT_EQ(contrastive_form_from_name("ntxent"), ContrastiveForm::kNtXent);
  EXPECT_THROW(contrastive_form_from_name("infonce"), UsageError);
  const auto z = at::eye(3, at::kDouble);
  EXPECT_ANY_THROW(contrastive_terms(z, z.narrow(0, 0, 2), 0, 2, ContrastiveOptions{}));
  EXPECT_ANY_THROW(contrastive_terms(z, z, 2, 2, ContrastiveOptions{}));
}

}  // namespace
}  // namespace helix::objectives
