#include "helix/nn/sequence_model.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/nn/registry.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {
namespace {

namespace fs = std::filesystem;

class SequenceModelTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  test::TempDir dir_{"helix_seqmodel"};
};

std::shared_ptr<EncoderBase> small_cnn(const std::string& padding = "valid") {
  return build_encoder({{"name", "conv_net"},
                        {"filters", {6, 5}},
                        {"kernels", {3, 3}},
                        {"pools", {2, 1}},
                        {"padding", padding}});
}

TEST_F(SequenceModelTest, PoolsOnlyOverEachSequencesOwnOutputPositions) {
  torch::manual_seed(0);
  SequenceModel model(small_cnn(), 2, 0.0);
  model->eval();
  // A 20-long sequence alone, and the same sequence padded to 30 next to a 30-long one: with
  // valid convolutions the first output_length(20) positions do not see the padding.
  auto x20 = torch::zeros({1, 4, 20});
  for (int64_t i = 0; i < 20; ++i) x20[0][i % 4][i] = 1;
  auto batch = torch::zeros({2, 4, 30});
  batch[0].narrow(1, 0, 20).copy_(x20[0]);
  batch[1] = torch::rand({4, 30}).gt(0.5).to(torch::kFloat);
  const auto alone = model->forward(x20, torch::Tensor());
  const auto padded = model->forward(batch, torch::tensor({20, 30}, torch::kLong));
  EXPECT_TRUE(torch::allclose(alone[0], padded[0], 1e-5, 1e-6));
  // Without lengths the padding would enter the mean.
  const auto unmasked = model->forward(batch, torch::Tensor());
  EXPECT_FALSE(torch::allclose(alone[0], unmasked[0], 1e-5, 1e-6));
}

TEST_F(SequenceModelTest, SavedModelPredictsIdentically) {
  torch::manual_seed(1);
  SequenceModel model(small_cnn("same"), 3, 0.2);
  // Move the BatchNorm running statistics away from their initial values.
  model->train();
  for (int i = 0; i < 3; ++i) model->forward(torch::rand({8, 4, 25}), torch::Tensor());
  model->eval();
  TaskInfo task;
  task.kind = "classification";
  task.classes = {"x", "y", "z"};
  task.targets = {"label"};
  save_sequence_model(file("m.safetensors"), *model, "acgt", task, {{"note", "test"}});
  auto loaded = load_sequence_model(file("m.safetensors"));
  EXPECT_EQ(loaded.task.classes, task.classes);
  EXPECT_EQ(loaded.alphabet, "acgt");
  EXPECT_EQ(loaded.description["training"]["note"], "test");
  const auto x = torch::rand({4, 4, 25});
  const auto lengths = torch::tensor({25, 20, 25, 11}, torch::kLong);
  EXPECT_TRUE(model->forward(x, lengths).equal(loaded.model->forward(x, lengths)));
}

TEST_F(SequenceModelTest, EncoderFilesAndNonModelsAreRejectedWithAHint) {
  torch::manual_seed(2);
  auto encoder = small_cnn();
  save_encoder(file("encoder.safetensors"), *encoder, "acgt");
  try {
    load_sequence_model(file("encoder.safetensors"));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--encoder"), std::string::npos) << e.what();
  }
  // Task and head disagree: a regression head without target statistics.
  SequenceModel model(small_cnn(), 1, 0.0);
  TaskInfo bad;
  bad.kind = "regression";
  bad.targets = {"y"};
  save_sequence_model(file("bad.safetensors"), *model, "acgt", bad);
  EXPECT_THROW(load_sequence_model(file("bad.safetensors")), InputError);
}

TEST_F(SequenceModelTest, ReadsModelDescriptionsFromYaml) {
  std::ofstream(file("a.yaml")) << "model:\n  name: conv_net\n  filters: [4]\n  kernels: [3]\n"
                                   "  pools: [1]\n  padding: \"valid\"\n  dropout: 0.5\n";
  std::ofstream(file("b.yaml")) << "name: conv_net\nfilters: [4]\nkernels: [3]\npools: [1]\n";
  std::ofstream(file("c.yaml")) << "- 1\n- 2\n";
  std::ofstream(file("d.yaml")) << "model: {name: conv_net\n";
  const auto a = read_model_description(file("a.yaml"));
  EXPECT_EQ(a["filters"], (nlohmann::json{4}));
  EXPECT_EQ(a["padding"], "valid");
  EXPECT_DOUBLE_EQ(a["dropout"].get<double>(), 0.5);
  EXPECT_EQ(read_model_description(file("b.yaml"))["name"], "conv_net");
  EXPECT_THROW(read_model_description(file("c.yaml")), InputError);
  try {
    read_model_description(file("d.yaml"));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("d.yaml:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace helix::nn
