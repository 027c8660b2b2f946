// End-to-end tests of helix neuronmotif on a tiny CNN trained by helix finetune to find TATAAT:
// every output file of a layer, the layer below run first to seed the genetic algorithm, resuming
// from stored samples, and clear errors for models and options it cannot use.
#include <gtest/gtest.h>

#include "cli_helpers.hpp"

namespace helix::cli_test {
namespace {

std::string planted_csv(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out = "sequence,label\n";
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    do {
      s = random_bases(rng, 30);
    } while (s.find("TATAAT") != std::string::npos);
    const int label = static_cast<int>(i % 2);
    if (label == 1) s.replace(rng() % 24, 6, "TATAAT");
    out += s + "," + std::to_string(label) + "\n";
  }
  return out;
}

class NeuronMotifCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("helix_neuronmotif");
    write_text(path("train.csv"), planted_csv(300, 1));
    write_text(path("dev.csv"), planted_csv(80, 2));
    // Receptive fields 6 (exhaustive) and 6 + 2 * 2 = 11 (genetic algorithm).
    write_text(path("cnn.yaml"),
               "model:\n  name: conv_net\n  filters: [8, 4]\n  kernels: [6, 3]\n  pools: [2, 1]\n"
               "  padding: valid\n");
    write_text(path("same.yaml"),
               "model:\n  name: conv_net\n  filters: [8]\n  kernels: [6]\n  pools: [1]\n");
    write_text(path("fast.yaml"),
               "finetune:\n  epochs: 15\n  batch_size: 16\n  lr: 1.0e-2\n  patience: 0\n"
               "  threads: 1\n");
    write_text(path("db.meme"),
               "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
               "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
               "MOTIF TATA_box TATAAT\nletter-probability matrix: alength= 4 w= 6 nsites= 20 E= 0\n"
               "0 0 0 1\n1 0 0 0\n0 0 0 1\n1 0 0 0\n1 0 0 0\n0 0 0 1\n\n"
               "MOTIF GC_box GGGCGG\nletter-probability matrix: alength= 4 w= 6 nsites= 20 E= 0\n"
               "0 0 1 0\n0 0 1 0\n0 0 1 0\n0 1 0 0\n0 0 1 0\n0 0 1 0\n");
    for (const auto& [config, out] : {std::pair{"cnn.yaml", "model"}, {"same.yaml", "same"}}) {
      const auto r = run_helix({"finetune", "--encoder", "none", "--model", path(config), "--train",
                                path("train.csv"), "--dev", path("dev.csv"), "--out", path(out),
                                "--config", path("fast.yaml")});
      ASSERT_EQ(r.code, 0) << r.describe();
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static std::string model(const std::string& run = "model") {
    return (fs::path(path(run)) / "model.safetensors").string();
  }
  static TempDir* dir_;
};
TempDir* NeuronMotifCli::dir_ = nullptr;

TEST_F(NeuronMotifCli, SecondLayerRunsTheFirstForSeedingAndWritesEveryOutput) {
  const auto out = path("nm");
  const std::vector<std::string> args = {"neuronmotif",
                                         "--model",
                                         model(),
                                         "--layer",
                                         "2",
                                         "--out",
                                         out,
                                         "--motifs",
                                         path("db.meme"),
                                         "--population",
                                         "200",
                                         "--max-generations",
                                         "4",
                                         "--threads",
                                         "1"};
  const auto r = run_helix(args);
  ASSERT_EQ(r.code, 0) << r.describe();
  for (const auto* layer : {"layer_1", "layer_2"}) {
    for (const auto* file :
         {"leaves.json", "motifs.meme", "segments.meme", "matches.tsv", "neurons.tsv",
          "dictionary.tsv", "dictionary.meme", "grammar.tsv", "report.html"}) {
      EXPECT_TRUE(fs::exists(fs::path(out) / layer / file)) << layer << "/" << file;
    }
  }
  // Layer 1 (receptive field 6): all 4^6 sequences per neuron; 8 neurons.
  const auto layer1 = file_lines(fs::path(out) / "layer_1" / "neurons.tsv");
  ASSERT_EQ(layer1.size(), 9u);
  EXPECT_EQ(layer1[0].substr(0, 27), "neuron\tmethod\tgenerations\te");
  EXPECT_NE(layer1[1].find("\texhaustive\t0\t4096\t"), std::string::npos) << layer1[1];
  // Layer 2 (receptive field 11): the genetic algorithm, 4 neurons.
  const auto layer2 = file_lines(fs::path(out) / "layer_2" / "neurons.tsv");
  ASSERT_EQ(layer2.size(), 5u);
  for (size_t i = 1; i < layer2.size(); ++i) {
    EXPECT_TRUE(layer2[i].find("\tgenetic\t") != std::string::npos ||
                layer2[i].find("\tdead\t") != std::string::npos)
        << layer2[i];
  }
  // The network learned TATAAT: some first-layer neuron's leaf matches it in the database.
  const auto matches = read_text(fs::path(out) / "layer_1" / "matches.tsv");
  EXPECT_EQ(matches.substr(0, 8), "Query_ID");
  EXPECT_NE(matches.find("TATA_box"), std::string::npos) << matches;
  EXPECT_TRUE(fs::exists(fs::path(out) / "layer_1" / "logos"));
  EXPECT_FALSE(fs::is_empty(fs::path(out) / "layer_1" / "logos"));
  const auto html = read_text(fs::path(out) / "layer_2" / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Neuron 3"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org"));  // no external resources

  // A second run reuses the stored samples and reports the same neurons (all but the timing
  // column: demixing is timed anew).
  const auto without_seconds = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.substr(0, row.rfind('\t')));
    return out;
  };
  const auto again = run_helix(args);
  ASSERT_EQ(again.code, 0) << again.describe();
  EXPECT_NE(again.err.find("resumed"), std::string::npos);
  EXPECT_EQ(without_seconds(file_lines(fs::path(out) / "layer_2" / "neurons.tsv")),
            without_seconds(layer2));
}

// A 'same'-padded model is interpreted through its interior neurons (the valid-padding copy).
TEST_F(NeuronMotifCli, SamePaddedModelIsInterpretedThroughItsInteriorNeurons) {
  const auto out = path("same_nm");
  const auto r = run_helix({"neuronmotif", "--model", model("same"), "--layer", "1", "--out", out,
                            "--motifs", path("db.meme"), "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("interior neurons"), std::string::npos) << r.err;
  const auto rows = file_lines(fs::path(out) / "layer_1" / "neurons.tsv");
  ASSERT_EQ(rows.size(), 9u);  // header + 8 neurons
  // Receptive field 6 < 11: every neuron is enumerated exhaustively, 4^6 sequences.
  EXPECT_NE(rows[1].find("\texhaustive\t"), std::string::npos) << rows[1];
  EXPECT_NE(rows[1].find("\t4096\t"), std::string::npos) << rows[1];
}

TEST_F(NeuronMotifCli, UnusableModelsAndOptionsExitWithCode2) {
  const auto out = path("bad");
  const auto deep = run_helix({"neuronmotif", "--model", model(), "--layer", "3", "--out", out});
  EXPECT_EQ(deep.code, 2);
  EXPECT_NE(deep.err.find("out of range"), std::string::npos) << deep.err;
  const auto neuron = run_helix(
      {"neuronmotif", "--model", model(), "--layer", "1", "--neurons", "9", "--out", out});
  EXPECT_EQ(neuron.code, 2);
  const auto nb = run_helix(
      {"neuronmotif", "--model", model(), "--layer", "1", "--motif-nb", "0", "--out", out});
  EXPECT_EQ(nb.code, 2);
  const auto missing =
      run_helix({"neuronmotif", "--model", path("none.safetensors"), "--layer", "1", "--out", out});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("none.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace helix::cli_test
