// Issue 12, end to end: no command may overwrite its input, accept a number outside its range,
// leave a half-made run behind, or exit 1 for what is a usage or input error. Each case is one
// row of a table: the command line, the exit code 2 and a fragment of the message.
#include <gtest/gtest.h>

#include "cli_helpers.hpp"

namespace helix::cli_test {
namespace {

struct Case {
  std::string name;
  std::vector<std::string> args;
  std::string fragment;  // expected in stderr
};

// A two-class planted-motif CSV (as in the downstream tests, smaller).
std::string labelled_csv(size_t n, uint64_t seed, size_t length = 30) {
  std::mt19937_64 rng(seed);
  std::string out = "sequence,label\n";
  for (size_t i = 0; i < n; ++i) {
    std::string s = random_bases(rng, length);
    if (i % 2 == 1) s.replace(rng() % (length - 6), 6, "TATAAT");
    out += s + "," + std::to_string(i % 2) + "\n";
  }
  return out;
}

constexpr const char* kMeme =
    "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
    "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
    "MOTIF m1\nletter-probability matrix: alength= 4 w= 4 nsites= 20 E= 0\n"
    "0.7 0.1 0.1 0.1\n0.1 0.7 0.1 0.1\n0.1 0.1 0.7 0.1\n0.1 0.1 0.1 0.7\n\n"
    "MOTIF m2\nletter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0\n"
    "0.25 0.25 0.25 0.25\n0.1 0.1 0.1 0.7\n0.7 0.1 0.1 0.1\n";

class HardeningCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_ = new TinySetup();
    write_text(path("train.csv"), labelled_csv(40, 1));
    write_text(path("dev.csv"), labelled_csv(20, 2));
    write_text(path("short.csv"), "sequence,label\nACGTACGTACGTACGTACGT,0\nACGT,1\n");
    write_text(path("q.meme"), kMeme);
    write_text(path("x.fa"),
               ">s1\nACGTACGTACGTACGTACGTAAACCCGGGTTT\n>s2\nTTTTGGGGCCCCAAAATTTTGGGGCCCC\n");
    write_text(path("cnn.yaml"),
               "model:\n  name: conv_net\n  filters: [4]\n  kernels: [9]\n  pools: [1]\n"
               "  padding: valid\n");
    write_text(path("fast.yaml"), "finetune:\n  epochs: 1\n  batch_size: 8\n  device: cpu\n");
    const auto r = run_helix({"finetune", "--encoder", "none", "--model", path("cnn.yaml"),
                              "--train", path("train.csv"), "--dev", path("dev.csv"), "--out",
                              path("cnn"), "--config", path("fast.yaml"), "--threads", "1"});
    finetune_output_ = new std::string(r.describe());
    finetune_ok_ = r.code == 0;
  }
  static void TearDownTestSuite() {
    delete finetune_output_;
    delete setup_;
  }
  static std::string path(const std::string& name) { return (setup_->dir / name).string(); }
  static std::string model() { return path("cnn/model.safetensors"); }
  static std::string config() { return setup_->config.string(); }

  // Runs every case; each must exit 2 with its fragment, and every file in `unchanged` must keep
  // its bytes.
  static void expect_refused(const std::vector<Case>& cases,
                             const std::vector<std::string>& unchanged = {}) {
    std::vector<std::string> before;
    for (const auto& f : unchanged) before.push_back(read_text(f));
    for (const auto& c : cases) {
      const auto r = run_helix(c.args);
      EXPECT_EQ(r.code, 2) << c.name << ": " << r.describe();
      EXPECT_NE(r.err.find(c.fragment), std::string::npos)
          << c.name << ": expected '" << c.fragment << "' in\n"
          << r.err;
      EXPECT_EQ(r.err.find(".tmp."), std::string::npos) << c.name << ": names a temporary";
      for (size_t i = 0; i < unchanged.size(); ++i) {
        EXPECT_EQ(read_text(unchanged[i]), before[i]) << c.name << " changed " << unchanged[i];
      }
    }
  }

  static TinySetup* setup_;
  static std::string* finetune_output_;
  static bool finetune_ok_;
};
TinySetup* HardeningCli::setup_ = nullptr;
std::string* HardeningCli::finetune_output_ = nullptr;
bool HardeningCli::finetune_ok_ = false;

TEST_F(HardeningCli, OutputsThatAreInputsAreRefusedAndTheInputSurvives) {
  ASSERT_TRUE(finetune_ok_) << *finetune_output_;
  fs::create_symlink(path("x.fa"), path("x-link.fa"));
  fs::create_directories(path("sub"));
  const auto dotdot = path("sub/../x.fa");
  expect_refused(
      {
          {"embed --out = --input",
           {"embed", "--encoder", model(), "--input", path("x.fa"), "--out", path("x.fa")},
           "is the input"},
          {"embed --out via ..",
           {"embed", "--encoder", model(), "--input", path("x.fa"), "--out", dotdot},
           "is the input"},
          {"embed --out via a link",
           {"embed", "--encoder", model(), "--input", path("x.fa"), "--out", path("x-link.fa")},
           "is the input"},
          {"embed --out = --encoder",
           {"embed", "--encoder", model(), "--input", path("x.fa"), "--out", model()},
           "is the input"},
          {"predict --out = --model",
           {"predict", "--model", model(), "--input", path("x.fa"), "--out", model()},
           "is the input"},
          {"tomtom --out = --query",
           {"tomtom", "--query", path("q.meme"), "--target", path("q.meme"), "--out",
            path("q.meme")},
           "is the input"},
          {"probe writes over --train",
           {"probe", "--features", "kmer:2", "--train", path("cnn/metrics.json"), "--test",
            path("dev.csv"), "--out", path("cnn")},
           "lies where the run writes"},
          {"finetune --out over --train",
           {"finetune", "--encoder", "none", "--model", path("cnn.yaml"), "--train",
            path("cnn/model.safetensors"), "--dev", path("dev.csv"), "--out", path("cnn")},
           "lies where the run writes"},
      },
      {path("x.fa"), model(), path("q.meme"), path("cnn/metrics.json")});
}

TEST_F(HardeningCli, PretrainRefusesARunDirectoryHoldingItsConfig) {
  fs::create_directories(path("run-own"));
  write_text(path("run-own/config.yaml"), read_text(config()));
  expect_refused({{"pretrain",
                   {"pretrain", "--config", path("run-own/config.yaml"), "--out", path("run-own")},
                   "lies where the run writes"}},
                 {path("run-own/config.yaml")});
}

TEST_F(HardeningCli, UnwritableOutputsAreUsageErrorsFoundBeforeTheWork) {
  ASSERT_TRUE(finetune_ok_) << *finetune_output_;
  fs::create_directories(path("a-dir"));
  const std::vector<std::string> embed = {"embed",   "--encoder",  model(),
                                          "--input", path("x.fa"), "--out"};
  auto with = [](std::vector<std::string> a, std::vector<std::string> more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  expect_refused({
      {"missing directory", with(embed, {path("nowhere/e.npy")}), "does not exist"},
      {"under a regular file", with(embed, {path("x.fa") + "/e.npy"}), "is not a directory"},
      {"in /proc", with(embed, {"/proc/helix-e.npy"}), "cannot create files in /proc"},
      {"an existing directory", with(embed, {path("a-dir")}), "existing directory"},
      {"--device gpu9", with(embed, {path("e.npy"), "--device", "gpu9"}), "unknown device 'gpu9'"},
      {"--device cuda:7", with(embed, {path("e.npy"), "--device", "cuda:7"}), "cuda:7"},
      {"tomtom into a missing directory",
       {"tomtom", "--query", path("q.meme"), "--target", path("q.meme"), "--out",
        path("nowhere/t.tsv")},
       "does not exist"},
      {"probe under a file",
       {"probe", "--features", "kmer:2", "--train", path("train.csv"), "--test", path("dev.csv"),
        "--out", path("x.fa") + "/p"},
       "is not a directory"},
  });
  EXPECT_FALSE(fs::exists(path("e.npy")));
}

TEST_F(HardeningCli, SequencesShorterThanTheReceptiveFieldNameFileLineAndMinimum) {
  ASSERT_TRUE(finetune_ok_) << *finetune_output_;
  expect_refused({
      {"predict",
       {"predict", "--model", model(), "--input", path("short.csv"), "--out", path("p.tsv")},
       "short.csv:3: sequence of 4 bases is shorter than this model's receptive field: it needs at "
       "least 9 bases"},
      {"finetune",
       {"finetune", "--encoder", "none", "--model", path("cnn.yaml"), "--train", path("train.csv"),
        "--dev", path("short.csv"), "--out", path("rf-run"), "--config", path("fast.yaml")},
       "short.csv:3"},
  });
  EXPECT_FALSE(fs::exists(path("p.tsv")));
  EXPECT_FALSE(fs::exists(path("rf-run"))) << "a run that failed validation leaves nothing";
}

TEST_F(HardeningCli, OptionsOutsideTheirRangeAreRefused) {
  ASSERT_TRUE(finetune_ok_) << *finetune_output_;
  const std::vector<std::string> embed = {"embed",      "--encoder", model(),      "--input",
                                          path("x.fa"), "--out",     path("e.npy")};
  auto with = [](std::vector<std::string> a, std::vector<std::string> more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  const std::vector<std::string> tomtom = {"tomtom", "--query", path("q.meme"), "--target",
                                           path("q.meme")};
  const std::vector<std::string> nm = {"neuronmotif", "--model", model(),   "--layer",
                                       "1",           "--out",   path("nm")};
  expect_refused({
      {"--threads 0", with(embed, {"--threads", "0"}), "--threads"},
      {"--threads -1", with(embed, {"--threads", "-1"}), "--threads"},
      {"--threads 100000", with(embed, {"--threads", "100000"}), "--threads"},
      {"--batch-size 0", with(embed, {"--batch-size", "0"}), "--batch-size"},
      {"pretrain --stop-after -1",
       {"pretrain", "--config", config(), "--out", path("r"), "--stop-after", "-1"},
       "--stop-after"},
      {"finetune --stop-after -1",
       {"finetune", "--encoder", "none", "--model", path("cnn.yaml"), "--train", path("train.csv"),
        "--dev", path("dev.csv"), "--out", path("r"), "--stop-after", "-1"},
       "--stop-after"},
      {"pretrain --threads 100000",
       {"pretrain", "--config", config(), "--out", path("r"), "--threads", "100000"},
       "--threads"},
      {"train.threads=100000",
       {"pretrain", "--config", config(), "--out", path("r"), "train.threads=100000"},
       "train.threads"},
      {"--cv-folds above the rows",
       {"probe", "--features", "kmer:2", "--train", path("short.csv"), "--test", path("dev.csv"),
        "--out", path("p"), "--cv-folds", "5"},
       "--cv-folds 5 is more than the 2 rows"},
      {"--cv-folds 1",
       {"probe", "--features", "kmer:2", "--train", path("train.csv"), "--test", path("dev.csv"),
        "--out", path("p"), "--cv-folds", "1"},
       "--cv-folds"},
      {"tomtom --thresh nan", with(tomtom, {"--thresh", "nan"}), "--thresh"},
      {"tomtom --thresh -1", with(tomtom, {"--thresh", "-1"}), "--thresh"},
      {"tomtom --motif-pseudo nan", with(tomtom, {"--motif-pseudo", "nan"}), "--motif-pseudo"},
      {"tomtom --min-overlap -2", with(tomtom, {"--min-overlap", "-2"}), "--min-overlap"},
      {"--population 1", with(nm, {"--population", "1"}), "--population"},
      {"--neurons 500", with(nm, {"--neurons", "500"}),
       "--neurons 500 out of range: layer 1 has neurons 0..3"},
      {"--neurons -1", with(nm, {"--neurons", "-1"}), "--neurons"},
      {"--max-generations 0", with(nm, {"--max-generations", "0"}), "--max-generations"},
      {"filter-motifs --threshold nan",
       {"filter-motifs", "--model", model(), "--sequences", path("x.fa"), "--out", path("fm"),
        "--threshold", "nan"},
       "--threshold"},
  });
  for (const auto* left : {"e.npy", "r", "p", "nm", "fm"}) {
    EXPECT_FALSE(fs::exists(path(left))) << left << " was created by a refused command";
  }
}

TEST_F(HardeningCli, ConfigValuesOutsideTheirRangeNameTheOverrideOrTheFileLine) {
  const std::vector<std::pair<std::string, std::string>> overrides = {
      {"findna.mask_prob=1.5", "[0, 1]"},
      {"findna.mask_prob=-0.5", "[0, 1]"},
      {"findna.rc_prob=2", "[0, 1]"},
      {"findna.noise_std=-1", "[0, inf)"},
      {"findna.ema_start=2", "[0, 1]"},
      {"findna.center_momentum=5", "[0, 1]"},
      {"train.grad_clip=-1", "[0, inf)"},
      {"findna.teacher_temp=0", "(0, inf)"},
      {"train.lr=.nan", "[0, inf)"},
      {"train.lr=.inf", "[0, inf)"},
      {"train.lr=-1", "[0, inf)"},
      {"train.weight_decay=-1", "[0, inf)"},
      {"findna.max_deletion=-5", "[0, "},
      {"train.batch_size=0", "[1, "},
      {"data.max_n_fraction=-0.1", "[0, 1]"},
      {"model.mlp_dim=4000000000", "[1, 1048576]"},
      {"findna.mask_random=0.5", "mask_zero + findna.mask_random must be at most 1"},
      {"findna.max_deletion=64", "below data.window"},
  };
  std::vector<Case> cases;
  for (const auto& [o, fragment] : overrides) {
    // --dry-run refuses it as the run does, before anything starts.
    cases.push_back(
        {o + " (dry run)", {"pretrain", "--dry-run", "--config", config(), o}, fragment});
    cases.push_back({o,
                     {"pretrain", "--config", config(), "--out", path("bad-run"), o},
                     "override '" + o + "'"});
  }
  write_text(path("bad.yaml"), "train:\n  steps: 10\n  batch_size: 0\n");
  cases.push_back({"batch_size: 0 in a file",
                   {"pretrain", "--dry-run", "--config", path("bad.yaml")},
                   "bad.yaml:3: config key 'train.batch_size' must be in [1, 1000000], got 0"});
  write_text(path("bad2.yaml"), "findna:\n  mask_zero: 0.9\n  mask_random: 0.2\n");
  cases.push_back({"fractions summing above 1 in a file",
                   {"pretrain", "--dry-run", "--config", path("bad2.yaml")},
                   "bad2.yaml:3:"});
  write_text(path("bad3.yaml"), "findna:\n  mnm_loss: softmax\n  rc_mode: sideways\n");
  cases.push_back({"choice in a file",
                   {"pretrain", "--dry-run", "--config", path("bad3.yaml")},
                   "bad3.yaml:3:"});
  write_text(path("bad-ft.yaml"), "finetune:\n  lr: -1\n");
  cases.push_back(
      {"finetune.lr in a file",
       {"finetune", "--encoder", "none", "--model", path("cnn.yaml"), "--train", path("train.csv"),
        "--dev", path("dev.csv"), "--out", path("bad-run"), "--config", path("bad-ft.yaml")},
       "bad-ft.yaml:2:"});
  write_text(path("huge.yaml"),
             "model:\n  name: conv_net\n  filters: [4000000000]\n  kernels: [3]\n  pools: [1]\n");
  cases.push_back({"a model description that overflows",
                   {"finetune", "--encoder", "none", "--model", path("huge.yaml"), "--train",
                    path("train.csv"), "--dev", path("dev.csv"), "--out", path("bad-run")},
                   "4000000000"});
  expect_refused(cases);
  EXPECT_FALSE(fs::exists(path("bad-run")));
}

TEST_F(HardeningCli, AFailedFirstRunLeavesNothingThatBlocksTheCorrectedRerun) {
  // A genome without one usable window: every window of chrN is all N.
  write_text(path("n.fa"), ">chrN\n" + std::string(500, 'N') + "\n");
  const auto out = path("rerun");
  const auto bad = run_helix({"pretrain", "--config", config(), "--out", out,
                              "data.genome=" + path("n.fa"), "data.holdout=", "train.steps=4"});
  EXPECT_EQ(bad.code, 2) << bad.describe();
  EXPECT_FALSE(fs::exists(fs::path(out) / "config.yaml")) << bad.describe();
  // Leftovers of a first attempt killed before its first checkpoint do not block either.
  fs::create_directories(fs::path(out) / "checkpoints" / ".step-2.tmp.1.0");
  write_text(fs::path(out) / "config.yaml", "train:\n  steps: 4\n");
  write_text(fs::path(out) / "metrics.jsonl", "");
  const auto good = run_helix({"pretrain", "--config", config(), "--out", out, "train.steps=4",
                               "train.checkpoint_every=2"});
  ASSERT_EQ(good.code, 0) << good.describe();
  EXPECT_TRUE(fs::exists(fs::path(out) / "encoder.safetensors"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "checkpoints" / ".step-2.tmp.1.0"));
  // Now it holds a run: a rerun without --resume/--force is refused.
  const auto again = run_helix({"pretrain", "--config", config(), "--out", out, "train.steps=4"});
  EXPECT_EQ(again.code, 2) << again.describe();
}

}  // namespace
}  // namespace helix::cli_test
