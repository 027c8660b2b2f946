#include "helix/train/schedule.hpp"

#include <gtest/gtest.h>

namespace helix::train {
namespace {

TEST(Schedule, FindnaEmaMomentum) {
  const int64_t K = 46860;
  EXPECT_DOUBLE_EQ(ema_momentum(0, K, 0.996, 1.0), 0.996);
  EXPECT_NEAR(ema_momentum(K / 2, K, 0.996, 1.0), 0.998, 1e-12);
  EXPECT_NEAR(1.0 - ema_momentum(K - 1, K, 0.996, 1.0), 4.5e-12, 0.1e-12);
}

TEST(Schedule, FindnaLearningRate) {
  const LrSchedule lr{3e-4, 14058, 46860};  // 30 % warm-up of 46,860 steps
  EXPECT_EQ(lr.at(0), 0.0);
  EXPECT_NEAR(lr.at(7029), 1.5e-4, 1e-12);
  EXPECT_DOUBLE_EQ(lr.at(14058), 3e-4);
  EXPECT_NEAR(lr.at(14058 + (46860 - 14058) / 2), 1.5e-4, 1e-12);
  EXPECT_NEAR(lr.at(46860), 0.0, 1e-18);
  for (int64_t s = 14058; s < 46860; s += 997) EXPECT_GE(lr.at(s), lr.at(s + 997));
}

// Orthrus: warm-up from 0.1 x lr over min(10,000, 0.1 x steps) = 2,000 of 20,000 steps, then
// cosine to 0 (docs/methods/isoclr.md, acceptance check 8).
TEST(Schedule, IsoclrLearningRate) {
  const LrSchedule lr{1e-3, 2000, 20000, 0.1};
  EXPECT_NEAR(lr.at(0), 1e-4, 1e-15);
  EXPECT_NEAR(lr.at(1000), 5.5e-4, 1e-15);
  EXPECT_DOUBLE_EQ(lr.at(2000), 1e-3);
  EXPECT_NEAR(lr.at(11000), 5e-4, 1e-15);
  EXPECT_NEAR(lr.at(20000), 0.0, 1e-18);
}

}  // namespace
}  // namespace helix::train
