// End-to-end tests of helix probe, finetune and predict on a small planted-motif task: class 1
// sequences carry TATAAT at a random position, class 0 sequences are random DNA without it.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cli_helpers.hpp"

namespace helix::cli_test {
namespace {

constexpr const char* kMotif = "TATAAT";

// Random sequences of length 26..34; label 1 plants the motif.
std::string planted_csv(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out = "sequence,label\n";
  for (size_t i = 0; i < n; ++i) {
    const size_t length = 26 + rng() % 9;
    std::string s;
    do {
      s = random_bases(rng, length);
    } while (s.find(kMotif) != std::string::npos);
    const int label = static_cast<int>(i % 2);
    if (label == 1) s.replace(rng() % (length - 6), 6, kMotif);
    out += s + "," + std::to_string(label) + "\n";
  }
  return out;
}

class DownstreamCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("helix_downstream");
    write_text(path("train.csv"), planted_csv(240, 1));
    write_text(path("dev.csv"), planted_csv(80, 2));
    write_text(path("test.csv"), planted_csv(80, 3));
    write_text(path("cnn.yaml"),
               "model:\n  name: conv_net\n  filters: [16]\n  kernels: [6]\n  pools: [1]\n");
    write_text(path("fast.yaml"),
               "finetune:\n  epochs: 12\n  batch_size: 16\n  lr: 1.0e-2\n  patience: 0\n"
               "  threads: 1\n  device: cpu\n");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static std::vector<std::string> splits(const std::string& out, bool with_dev = true) {
    std::vector<std::string> a = {"--train", path("train.csv"), "--test",    path("test.csv"),
                                  "--out",   path(out),         "--threads", "1"};
    if (with_dev) {
      a.push_back("--dev");
      a.push_back(path("dev.csv"));
    }
    return a;
  }
  static CmdResult helix(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), command);
    return run_helix(args);
  }
  static nlohmann::json metrics(const std::string& out) {
    return nlohmann::json::parse(read_text(fs::path(path(out)) / "metrics.json"));
  }
  static TempDir* dir_;
};
TempDir* DownstreamCli::dir_ = nullptr;

std::vector<std::vector<std::string>> read_tsv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_text(p));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream fs_(line);
    std::string f;
    while (std::getline(fs_, f, '\t')) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

TEST_F(DownstreamCli, ProbeOnKmerCountsSeparatesThePlantedMotif) {
  auto args = splits("probe_kmer");
  args.insert(args.end(), {"--features", "kmer:3"});
  const auto r = helix("probe", args);
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("probe_kmer");
  EXPECT_EQ(m["task"], "classification");
  EXPECT_EQ(m["n_train"], 240);
  EXPECT_EQ(m["feature_dim"], 64);
  EXPECT_GT(m["test"]["auroc"].get<double>(), 0.8);
  EXPECT_NE(m["selection"]["method"].get<std::string>().find("dev"), std::string::npos);
  const auto rows = read_tsv(fs::path(path("probe_kmer")) / "predictions.tsv");
  ASSERT_EQ(rows.size(), 81u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "label", "predicted", "prob_0", "prob_1"}));
  // The reported accuracy is that of the written predictions.
  int correct = 0;
  for (size_t i = 1; i < rows.size(); ++i) correct += rows[i][1] == rows[i][2];
  EXPECT_NEAR(m["test"]["accuracy"].get<double>(), correct / 80.0, 1e-12);
}

TEST_F(DownstreamCli, ProbeRandomEncoderLowDataCurveWithCrossValidation) {
  auto args = splits("probe_random", /*with_dev=*/false);
  args.insert(args.end(), {"--encoder", "random:" + path("cnn.yaml"), "--train-size", "20,60",
                           "--seeds", "0,1,2"});
  const auto r = helix("probe", args);
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("probe_random");
  EXPECT_EQ(m["provenance"]["kind"], "random");
  EXPECT_EQ(m["feature_dim"], 16);
  EXPECT_NE(m["selection"]["method"].get<std::string>().find("cross-validated"), std::string::npos);
  ASSERT_EQ(m["curve"].size(), 2u);
  for (const auto& point : m["curve"]) {
    ASSERT_EQ(point["mcc"]["values"].size(), 3u);
    double sum = 0;
    for (const auto& v : point["mcc"]["values"]) sum += v.get<double>();
    EXPECT_NEAR(point["mcc"]["mean"].get<double>(), sum / 3, 1e-12);
    EXPECT_GE(point["mcc"]["std"].get<double>(), 0.0);
  }
  EXPECT_EQ(m["curve"][0]["train_size"], 20);
}

TEST_F(DownstreamCli, ProbeRegressionOnTwoTargetsFromFastaAndLabelTable) {
  // Targets: GC fraction and the count of A; k = 1 counts determine both (up to length).
  std::mt19937_64 rng(5);
  std::string fasta, labels = "id\tgc\tnum_a\n";
  for (int i = 0; i < 60; ++i) {
    const auto s = random_bases(rng, 20 + rng() % 20);
    double gc = 0, a = 0;
    for (char c : s) {
      gc += c == 'G' || c == 'C';
      a += c == 'A';
    }
    fasta += ">seq" + std::to_string(i) + "\n" + s + "\n";
    labels += "seq" + std::to_string(i) + "\t" + std::to_string(gc / s.size()) + "\t" +
              std::to_string(static_cast<int>(a)) + ".5\n";
  }
  write_text(path("reg.fa"), fasta);
  write_text(path("reg_labels.tsv"), labels);
  const auto r = helix("probe", {"--train", path("reg.fa"), "--test", path("reg.fa"), "--labels",
                                 path("reg_labels.tsv"), "--label-column", "gc,num_a", "--features",
                                 "kmer:1", "--out", path("probe_reg")});
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("probe_reg");
  EXPECT_EQ(m["task"], "regression");
  EXPECT_GT(m["test"]["per_target"]["gc"]["pearson"].get<double>(), 0.99);
  EXPECT_GT(m["test"]["per_target"]["num_a"]["pearson"].get<double>(), 0.5);
  const auto rows = read_tsv(fs::path(path("probe_reg")) / "predictions.tsv");
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "gc", "num_a", "pred_gc", "pred_num_a"}));
  EXPECT_EQ(rows[1][0], "seq0");
}

TEST_F(DownstreamCli, FinetuneFromScratchLearnsTheMotifAndPredictReproducesIt) {
  const auto r = helix("finetune", [&] {
    auto a = splits("cnn");
    a.insert(a.end(),
             {"--encoder", "none", "--model", path("cnn.yaml"), "--config", path("fast.yaml")});
    return a;
  }());
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("cnn");
  EXPECT_EQ(m["provenance"]["kind"], "from_scratch");
  EXPECT_GT(m["test"]["mcc"].get<double>(), 0.8) << m.dump();
  EXPECT_GT(m["best_step"].get<int64_t>(), 0);
  const auto log = read_metrics(fs::path(path("cnn")) / "metrics.jsonl");
  EXPECT_EQ(log.size(), 12u);  // one evaluation per epoch
  // The best logged dev MCC is the selected model's.
  double best = -2;
  for (const auto& rec : log) best = std::max(best, rec["dev_score"].get<double>());
  EXPECT_NEAR(m["dev"]["mcc"].get<double>(), best, 1e-9);

  const auto model = (fs::path(path("cnn")) / "model.safetensors").string();
  const auto p = helix("predict", {"--model", model, "--input", path("test.csv"), "--out",
                                   path("cnn_predict.tsv"), "--threads", "1"});
  ASSERT_EQ(p.code, 0) << p.describe();
  const auto predicted = read_tsv(path("cnn_predict.tsv"));
  const auto reported = read_tsv(fs::path(path("cnn")) / "predictions.tsv");
  ASSERT_EQ(predicted.size(), reported.size());
  EXPECT_EQ(predicted[0], (std::vector<std::string>{"name", "predicted", "prob_0", "prob_1"}));
  for (size_t i = 1; i < predicted.size(); ++i) {
    EXPECT_EQ(predicted[i][0], reported[i][0]);
    EXPECT_EQ(predicted[i][1], reported[i][2]);  // reported has the true label in column 1
    EXPECT_NEAR(std::stod(predicted[i][3]), std::stod(reported[i][4]), 1e-5);
  }
}

TEST_F(DownstreamCli, FinetuneResumeGivesTheUninterruptedModel) {
  auto base = [&](const std::string& out) {
    auto a = splits(out);
    a.insert(a.end(), {"--encoder", "none", "--model", path("cnn.yaml"), "--config",
                       path("fast.yaml"), "finetune.epochs=3"});
    return a;
  };
  ASSERT_EQ(helix("finetune", base("whole")).code, 0);
  auto first = base("split");
  first.insert(first.end(), {"--stop-after", "20"});
  const auto r1 = helix("finetune", first);
  ASSERT_EQ(r1.code, 0) << r1.describe();
  EXPECT_FALSE(fs::exists(fs::path(path("split")) / "metrics.json"));
  // Without --resume the run is protected.
  EXPECT_EQ(helix("finetune", base("split")).code, 2);
  auto second = base("split");
  second.push_back("--resume");
  const auto r2 = helix("finetune", second);
  ASSERT_EQ(r2.code, 0) << r2.describe();
  EXPECT_EQ(metrics("whole")["test"], metrics("split")["test"]);
  EXPECT_EQ(read_text(fs::path(path("whole")) / "predictions.tsv"),
            read_text(fs::path(path("split")) / "predictions.tsv"));
  EXPECT_EQ(read_metrics(fs::path(path("whole")) / "metrics.jsonl").size(),
            read_metrics(fs::path(path("split")) / "metrics.jsonl").size());
}

TEST_F(DownstreamCli, FinetuneStopsEarlyAndStaysStoppedOnResume) {
  // With a vanishing learning rate only the BatchNorm statistics move, and the dev loss soon
  // stops improving.
  auto a = splits("early");
  a.insert(a.end(),
           {"--encoder", "none", "--model", path("cnn.yaml"), "--config", path("fast.yaml"),
            "finetune.patience=2", "finetune.lr=1e-12", "finetune.select_metric=loss"});
  ASSERT_EQ(helix("finetune", a).code, 0);
  const auto m = metrics("early");
  ASSERT_TRUE(m["stopped_early"].get<bool>());
  const auto log = read_metrics(fs::path(path("early")) / "metrics.jsonl");
  ASSERT_LT(log.size(), 12u);
  // It stopped exactly `patience` evaluations after the selected one.
  size_t best_index = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i]["best"].get<bool>()) best_index = i;
  }
  EXPECT_EQ(log.size(), best_index + 1 + 2);
  EXPECT_EQ(m["best_step"], log[best_index]["step"]);
  a.push_back("--resume");
  ASSERT_EQ(helix("finetune", a).code, 0);
  EXPECT_EQ(read_metrics(fs::path(path("early")) / "metrics.jsonl").size(), log.size());
  EXPECT_EQ(metrics("early")["test"], m["test"]);
}

TEST_F(DownstreamCli, FinetuneSwanOfAPretrainingConfig) {
  auto a = splits("swan");
  a.insert(a.end(),
           {"--encoder", "random:" + std::string(HELIX_SOURCE_DIR) + "/configs/findna-tiny.yaml",
            "--config", path("fast.yaml"), "finetune.epochs=1"});
  const auto r = helix("finetune", a);
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("swan");
  EXPECT_EQ(m["provenance"]["model"]["name"], "swan");
  EXPECT_EQ(m["provenance"]["model"]["alphabet"], "acgtn");
  EXPECT_TRUE(fs::exists(fs::path(path("swan")) / "model.safetensors"));
}

TEST_F(DownstreamCli, FinetuneRegressionPredictsInTheTargetsUnits) {
  // Target: 100 + 50 x GC fraction; the model learns standardised targets, predictions must come
  // back in the original units.
  std::mt19937_64 rng(9);
  auto table = [&](int n) {
    std::string out = "sequence,score\n";
    for (int i = 0; i < n; ++i) {
      const auto s = random_bases(rng, 30);
      double gc = 0;
      for (char c : s) gc += c == 'G' || c == 'C';
      out += s + "," + std::to_string(100 + 50 * gc / 30) + "\n";
    }
    return out;
  };
  write_text(path("reg_train.csv"), table(300));
  write_text(path("reg_dev.csv"), table(80));
  const auto r = helix("finetune", {"--encoder", "none", "--model", path("cnn.yaml"), "--train",
                                    path("reg_train.csv"), "--dev", path("reg_dev.csv"), "--out",
                                    path("reg_ft"), "--label-column", "score", "--config",
                                    path("fast.yaml"), "finetune.select_metric=loss"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto m = metrics("reg_ft");
  EXPECT_EQ(m["task"], "regression");
  EXPECT_GT(m["dev"]["pearson"].get<double>(), 0.8) << m.dump();
  const auto p = helix("predict", {"--model", path("reg_ft") + "/model.safetensors", "--input",
                                   path("reg_dev.csv"), "--out", path("reg_pred.tsv")});
  ASSERT_EQ(p.code, 0) << p.describe();
  const auto rows = read_tsv(path("reg_pred.tsv"));
  ASSERT_EQ(rows.size(), 81u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "pred_score"}));
  double mean = 0;
  for (size_t i = 1; i < rows.size(); ++i) mean += std::stod(rows[i][1]) / 80;
  EXPECT_NEAR(mean, 125.0, 5.0);  // the targets' mean is 100 + 50 x 0.5
}

// Bad input: exit code 2 and a message naming the file and line.
struct BadInput {
  std::string name;
  std::string train;  // replaces train.csv when not empty
  std::string test;   // replaces test.csv when not empty
  std::vector<std::string> extra;
  std::string expect;  // substring of stderr, e.g. "bad_train.csv:4"
};

TEST_F(DownstreamCli, BadInputsExitWithCode2AndNameFileAndLine) {
  const std::string ok = "sequence,label\nACGTACGTAC,0\nTTTTACGTAC,1\nACGTACCCAC,0\n";
  const std::vector<BadInput> cases = {
      {"unknown column", "", "", {"--label-column", "klass"}, ":1: no column 'klass'"},
      {"mixed label types", "sequence,label\nACGT,0\nACGG,1\nACGA,high\n", "", {}, ":4"},
      {"empty sequence", "sequence,label\nACGT,0\n,1\nACGA,1\n", "", {}, ":3"},
      {"bad character", "sequence,label\nACGT,0\nACJT,1\n", "", {}, ":3"},
      {"class only in test", "", ok + "ACGTAAAAAA,2\n", {}, ":5"},
      {"wrong field count", "sequence,label\nACGT,0\nACGT,1,extra\n", "", {}, ":3"},
  };
  for (const auto& c : cases) {
    const auto train = c.train.empty() ? path("train.csv") : path("bad_train.csv");
    const auto test = c.test.empty() ? path("test.csv") : path("bad_test.csv");
    if (!c.train.empty()) write_text(train, c.train);
    if (!c.test.empty()) write_text(test, c.test);
    std::vector<std::string> args = {"--train", train,       "--test",     test,
                                     "--out",   path("bad"), "--features", "kmer:2"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const auto r = helix("probe", args);
    EXPECT_EQ(r.code, 2) << c.name << "\n" << r.describe();
    const auto file = fs::path(c.test.empty() ? train : test).filename().string();
    EXPECT_NE(r.err.find(file + c.expect), std::string::npos)
        << c.name << ": expected '" << file + c.expect << "' in\n"
        << r.err;
    EXPECT_FALSE(fs::exists(path("bad"))) << c.name << ": output written despite bad input";
  }
  // The same checks guard finetune (before anything is written).
  write_text(path("bad_train.csv"), "sequence,label\nACGT,0\nACJT,1\n");
  const auto r =
      helix("finetune", {"--encoder", "none", "--model", path("cnn.yaml"), "--train",
                         path("bad_train.csv"), "--dev", path("dev.csv"), "--out", path("bad_ft")});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad_train.csv:3"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("bad_ft")));
}

TEST_F(DownstreamCli, UsageErrors) {
  // --encoder none needs --model; a model file is needed by predict (not an encoder file).
  auto a = splits("usage");
  a.insert(a.end(), {"--encoder", "none"});
  EXPECT_EQ(helix("finetune", a).code, 2);
  auto b = splits("usage");
  b.insert(b.end(), {"--features", "kmer:9"});
  EXPECT_EQ(helix("probe", b).code, 2);
  const auto p = helix("predict", {"--model", path("cnn.yaml"), "--input", path("test.csv"),
                                   "--out", path("x.tsv")});
  EXPECT_EQ(p.code, 2) << p.describe();
  EXPECT_NE(p.err.find("cnn.yaml"), std::string::npos) << p.err;
}

}  // namespace
}  // namespace helix::cli_test

namespace helix::cli_test {
namespace {

TEST(BenchGue, SkipsCleanlyWithoutTheData) {
  TempDir dir("helix_bench_gue");
  const auto r = run_command("GUE_DIR=" + shell_quote((dir / "absent").string()) +
                             " REPORT=" + shell_quote((dir / "gue.md").string()) + " bash " +
                             shell_quote(std::string(HELIX_SOURCE_DIR) + "/scripts/bench-gue.sh"));
  EXPECT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("no GUE data"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "gue.md"));
}

}  // namespace
}  // namespace helix::cli_test
