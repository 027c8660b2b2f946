#include "helix/objectives/self_distill.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include <cmath>

namespace helix::objectives {
namespace {

// -sum_k softmax(t/tt)_k * log_softmax(s/ts)_k for one row, in double precision by hand.
double row_cross_entropy(const float* s, const float* t, int n, double tt, double ts) {
  double tmax = -1e300, smax = -1e300;
  for (int k = 0; k < n; ++k) tmax = std::max(tmax, t[k] / tt), smax = std::max(smax, s[k] / ts);
  double tz = 0, sz = 0;
  for (int k = 0; k < n; ++k) tz += std::exp(t[k] / tt - tmax), sz += std::exp(s[k] / ts - smax);
  double loss = 0;
  for (int k = 0; k < n; ++k) {
    const double q = std::exp(t[k] / tt - tmax) / tz;
    const double log_p = s[k] / ts - smax - std::log(sz);
    loss -= q * log_p;
  }
  return loss;
}

TEST(DistillationLoss, MatchesHandComputationWithZeroCentre) {
  at::manual_seed(0);
  auto out = at::randn({2, 10, 5});
  auto student = out.clone().requires_grad_(true);
  auto teacher = out.clone().requires_grad_(true);
  DistillationLoss loss_fn({0.04, 0.1, 0.9}, 10, 5);
  auto loss = loss_fn(student, teacher);
  double expected = 0;
  auto c = out.contiguous();
  for (int r = 0; r < 20; ++r) {
    expected +=
        row_cross_entropy(c.data_ptr<float>() + r * 5, c.data_ptr<float>() + r * 5, 5, 0.04, 0.1);
  }
  expected /= 20;
  EXPECT_NEAR(loss.item<double>(), expected, 1e-5 * std::max(1.0, std::abs(expected)));
  auto grads = torch::autograd::grad({loss}, {student, teacher}, {}, false, false, true);
  EXPECT_GT(grads[0].abs().sum().item<float>(), 0);
  EXPECT_FALSE(grads[1].defined() && grads[1].abs().sum().item<float>() != 0)
      << "no gradient may reach the teacher";
}

TEST(DistillationLoss, CentreIsAPerSlotEma) {
  auto teacher = at::randn({4, 10, 5});
  DistillationLoss loss_fn({0.04, 0.1, 0.9}, 10, 5);
  loss_fn.update_center(teacher);
  ASSERT_EQ(loss_fn.center().sizes(), (at::IntArrayRef{10, 5}));
  EXPECT_TRUE(at::allclose(loss_fn.center(), 0.1 * teacher.mean(0)));
  auto second = at::randn({4, 10, 5});
  loss_fn.update_center(second);
  EXPECT_TRUE(at::allclose(loss_fn.center(), 0.9 * 0.1 * teacher.mean(0) + 0.1 * second.mean(0)));
}

TEST(DistillationLoss, CentreShiftsTheTeacherTarget) {
  // Subtracting a constant per slot leaves softmax unchanged; a per-channel centre changes it.
  auto s = at::randn({2, 10, 5}), t = at::randn({2, 10, 5});
  DistillationLoss a({0.04, 0.1, 0.9}, 10, 5), b({0.04, 0.1, 0.9}, 10, 5);
  b.set_center(at::full({10, 5}, 3.0));
  EXPECT_NEAR(a(s, t).item<double>(), b(s, t).item<double>(), 1e-5);
  b.set_center(at::randn({10, 5}));
  EXPECT_GT(std::abs(a(s, t).item<double>() - b(s, t).item<double>()), 1e-4);
}

}  // namespace
}  // namespace helix::objectives
