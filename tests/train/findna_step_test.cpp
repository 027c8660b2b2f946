#include "helix/train/findna_step.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "helix/train/findna_trainer.hpp"
#include "helix/util/error.hpp"

namespace helix::train {
namespace {

Config tiny_config(const std::string& ema_timing) {
  Config c(findna_config_defaults());
  for (const auto* o : {"model.group_size=4", "model.mlp_dim=8", "model.n_encoders=1",
                        "data.window=32", "findna.cls_tokens=2", "train.steps=10",
                        "train.batch_size=4", "train.warmup_fraction=0", "train.lr=1e-2"}) {
    c.apply_override(o);
  }
  c.apply_override("findna.ema_timing=" + ema_timing);
  return c;
}

data::FindnaBatch batch_for(const FindnaStep& step, const Config& c) {
  std::mt19937_64 rng(1);
  std::vector<std::string> windows(4, std::string(32, 'A'));
  for (auto& w : windows) {
    for (auto& ch : w) ch = "ACGT"[rng() % 4];
  }
  return data::make_findna_batch(windows, step.setup().alphabet, findna_view_options(c), rng);
}

std::vector<at::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<at::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

TEST(FindnaStep, TeacherUpdateAfterTheOptimizerStepByDefault) {
  // Student and teacher start equal. Updated after the step (corrected), the teacher moves
  // towards the new student; updated before it (bug B6), it averages two equal copies and only
  // float rounding of m x + (1 - m) x can move it.
  std::map<std::string, double> moved;
  for (const std::string timing : {"after_step", "before_step"}) {
    auto c = tiny_config(timing);
    FindnaStep step(c, torch::kCPU);
    const auto initial = snapshot(*step.teacher());
    const auto r = step.train_step(batch_for(step, c), 0);
    EXPECT_TRUE(std::isfinite(r.loss));
    const auto now = snapshot(*step.teacher());
    for (size_t i = 0; i < now.size(); ++i) {
      moved[timing] += (now[i] - initial[i]).abs().sum().item<double>();
    }
  }
  EXPECT_GT(moved["after_step"], 0.0);
  EXPECT_LT(moved["before_step"], 1e-3 * moved["after_step"])
      << "after " << moved["after_step"] << " before " << moved["before_step"];
}

TEST(FindnaStep, ScrambledBceIsSelectableAndFinite) {
  auto c = tiny_config("after_step");
  c.apply_override("findna.mnm_loss=scrambled_bce");
  FindnaStep step(c, torch::kCPU);
  const auto r = step.train_step(batch_for(step, c), 0);
  EXPECT_TRUE(std::isfinite(r.mlm_loss));
  EXPECT_GT(r.mlm_loss, 0.0);
}

TEST(FindnaStep, InvalidSwitchValuesAreUsageErrors) {
  auto c = tiny_config("after_step");
  c.apply_override("findna.ema_timing=sometimes");
  EXPECT_THROW(FindnaStep(c, torch::kCPU), UsageError);
  auto d = tiny_config("after_step");
  d.apply_override("findna.rc_mode=mirror");
  EXPECT_THROW(findna_view_options(d), UsageError);
}

}  // namespace
}  // namespace helix::train
