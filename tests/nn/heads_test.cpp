#include "helix/nn/heads.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "helix/nn/registry.hpp"

namespace helix::nn {
namespace {

// docs/methods/isoclr.md section 5.1 (batch-norm running statistics are buffers, not counted).
TEST(MlpHead, IsoclrProjectionHeadParameterCounts) {
  EXPECT_EQ(count_parameters(MlpHeadImpl({512, 512, 128, false})), 592896);
  EXPECT_EQ(count_parameters(MlpHeadImpl({256, 512, 128, false})), 461824);
}

TEST(MlpHead, MapsRowsToTheOutputWidth) {
  MlpHead head(MlpHeadOptions{16, 32, 8, true});
  EXPECT_EQ(head->forward(at::randn({5, 16})).sizes(), (at::IntArrayRef{5, 8}));
  EXPECT_TRUE(head->fc3->bias.defined());
  EXPECT_FALSE(MlpHead(MlpHeadOptions{})->fc3->bias.defined());
}

}  // namespace
}  // namespace helix::nn
