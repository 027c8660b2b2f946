#include "helix/train/checkpoint.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "helix/nn/module_tensors.hpp"
#include "helix/train/ema.hpp"

namespace helix::train {
namespace {
namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("helix_ckpt_" + name);
  fs::remove_all(dir);
  return dir;
}

TEST(Checkpoint, RoundTripRestoresModelAndOptimizer) {
  const auto dir = fresh_dir("roundtrip");
  torch::nn::Linear model(4, 3);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(0.1));
  auto x = at::randn({5, 4});
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    model(x).pow(2).sum().backward();
    opt.step();
  }
  save_checkpoint(dir, 3, nn::module_tensors(*model, "m."), opt, {{"seed", 5}}, 2);
  // Continue the original one more step.
  opt.zero_grad();
  model(x).pow(2).sum().backward();
  opt.step();
  const auto expected = model->weight.detach().clone();

  torch::nn::Linear other(4, 3);
  torch::optim::AdamW opt2(other->parameters(), torch::optim::AdamWOptions(0.1));
  auto ckpt = load_latest_checkpoint(dir);
  ASSERT_TRUE(ckpt.has_value());
  EXPECT_EQ(ckpt->step, 3);
  EXPECT_EQ(ckpt->state["seed"], 5);
  load_module(*ckpt, "m.", *other);
  load_optimizer(*ckpt, opt2);
  opt2.zero_grad();
  other(x).pow(2).sum().backward();
  opt2.step();
  EXPECT_TRUE(at::equal(other->weight, expected)) << "Adam moments must be restored exactly";
  fs::remove_all(dir);
}

TEST(Checkpoint, KeepsTheNewestAndLeavesNoTemporaries) {
  const auto dir = fresh_dir("keep");
  torch::nn::Linear model(2, 2);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(0.1));
  for (int64_t step : {10, 20, 30})
    save_checkpoint(dir, step, nn::module_tensors(*model, ""), opt, {}, 2);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"latest", "step-20", "step-30"}));
  EXPECT_EQ(load_latest_checkpoint(dir)->step, 30);
  // An incomplete directory (no state.json) is never taken as a checkpoint.
  fs::create_directories(dir / "step-40");
  EXPECT_EQ(load_latest_checkpoint(dir)->step, 30);
  fs::remove_all(dir);
}

TEST(Checkpoint, StaleTemporariesAndPartialCheckpointsAreRemoved) {
  // What kill -9 leaves: a half-written save, a prune renamed away but not yet deleted, and an
  // emptied step directory.
  const auto dir = fresh_dir("stale");
  torch::nn::Linear model(2, 2);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(0.1));
  save_checkpoint(dir, 10, nn::module_tensors(*model, ""), opt, {}, 2);
  fs::create_directories(dir / ".step-20.tmp.999.0");
  std::ofstream(dir / ".step-20.tmp.999.0" / "weights.safetensors") << "partial";
  fs::create_directories(dir / ".step-5.tmp.999.1");
  fs::create_directories(dir / "step-15");
  remove_stale_checkpoint_files(dir);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"latest", "step-10"}));
  EXPECT_TRUE(holds_checkpoint(dir));
  EXPECT_FALSE(holds_checkpoint(dir / "nothing-here"));
  // A save cleans up too.
  fs::create_directories(dir / ".step-30.tmp.999.2");
  save_checkpoint(dir, 20, nn::module_tensors(*model, ""), opt, {}, 2);
  EXPECT_FALSE(fs::exists(dir / ".step-30.tmp.999.2"));
  fs::remove_all(dir);
}

TEST(Checkpoint, FreshRunCleanupRemovesAFailedFirstAttempt) {
  const auto dir = fresh_dir("fresh");
  try {
    FreshRunCleanup cleanup(dir, {"config.yaml", "metrics.jsonl", "checkpoints"}, true);
    fs::create_directories(dir / "checkpoints");
    std::ofstream(dir / "config.yaml") << "x: 1\n";
    throw std::runtime_error("bad data");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(fs::exists(dir)) << "a run failing before its first checkpoint leaves nothing";
  {  // Without an exception, or once a checkpoint exists, nothing is removed.
    FreshRunCleanup cleanup(dir, {"config.yaml"}, true);
    fs::create_directories(dir);
    std::ofstream(dir / "config.yaml") << "x: 1\n";
  }
  EXPECT_TRUE(fs::exists(dir / "config.yaml"));
  fs::remove_all(dir);
}

TEST(Checkpoint, MismatchedModelIsAClearError) {
  const auto dir = fresh_dir("mismatch");
  torch::nn::Linear model(2, 2);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(0.1));
  save_checkpoint(dir, 1, nn::module_tensors(*model, "m."), opt, {}, 1);
  torch::nn::Linear bigger(3, 2);
  EXPECT_ANY_THROW(load_module(*load_latest_checkpoint(dir), "m.", *bigger));
  fs::remove_all(dir);
}

TEST(Ema, UpdateMovesTeacherTowardsStudent) {
  torch::nn::Linear teacher(3, 2), student(3, 2);
  copy_weights(*teacher, *student);
  EXPECT_TRUE(at::equal(teacher->weight, student->weight));
  const auto before = teacher->weight.detach().clone();
  {
    torch::NoGradGuard no_grad;
    student->weight.add_(1.0);
  }
  ema_update(*teacher, *student, 0.9);
  EXPECT_TRUE(at::allclose(teacher->weight, 0.9 * before + 0.1 * student->weight));
}

}  // namespace
}  // namespace helix::train
