#include "helix/interpret/demix.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace helix::interpret {
namespace {

TEST(Demix, MotifNbTestFollowsTheSpecification) {
  EXPECT_TRUE(accept_motif_nb(std::vector<double>(12, 0.99)));
  EXPECT_FALSE(accept_motif_nb(std::vector<double>(12, 0.5)));
  std::vector<double> spread = {0.99, 0.98, 0.97, 0.99, 1.0,  0.96,
                                0.99, 0.98, 0.97, 1.0,  0.99, 0.98};
  EXPECT_TRUE(accept_motif_nb(spread));
  EXPECT_TRUE(accept_motif_nb({0.97, 0.99}));  // fewer than 10: the mean rule
  EXPECT_FALSE(accept_motif_nb({0.9, 0.99}));
}

TEST(Demix, StudentTPValuesMatchTables) {
  EXPECT_NEAR(student_t_two_sided_p(2.0, 10), 0.07339, 1e-4);
  EXPECT_NEAR(student_t_two_sided_p(1.0, 1), 0.5, 1e-9);
  EXPECT_NEAR(student_t_two_sided_p(2.228, 10), 0.05, 1e-3);
}

TEST(Demix, WeightedKMeansSeparatesClustersAndFollowsWeights) {
  at::manual_seed(0);
  auto a = at::randn({50, 3}) * 0.1;
  auto b = at::randn({50, 3}) * 0.1 + 5;
  auto labels = weighted_kmeans(at::cat({a, b}), at::ones({100}), 2, 3, 7);
  for (int i = 1; i < 50; ++i) EXPECT_EQ(labels[i].item<int64_t>(), labels[0].item<int64_t>());
  for (int i = 51; i < 100; ++i) EXPECT_EQ(labels[i].item<int64_t>(), labels[50].item<int64_t>());
  EXPECT_NE(labels[0].item<int64_t>(), labels[50].item<int64_t>());
}

}  // namespace
}  // namespace helix::interpret
