// End-to-end tests of helix filter-motifs on a conv_net saved directly (no training): filter 0's
// weights are the log-odds of a planted PWM, filter 1 is dead. Every output file, the PWM read
// back from MEME and named by the database, FASTA input, and exit code 2 for unusable input.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cmath>

#include "cli_helpers.hpp"
#include "helix/io/motif_file.hpp"
#include "helix/nn/conv_net.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/sequence_model.hpp"

namespace helix::cli_test {
namespace {

// Consensus TGACGC (rows A, C, G, T).
const std::vector<std::array<double, 4>> kPlanted = {
    {0.10, 0.10, 0.10, 0.70}, {0.05, 0.05, 0.85, 0.05}, {0.80, 0.10, 0.05, 0.05},
    {0.10, 0.70, 0.10, 0.10}, {0.05, 0.05, 0.85, 0.05}, {0.05, 0.85, 0.05, 0.05}};

std::string meme_matrix(const std::string& id, const std::vector<std::array<double, 4>>& rows) {
  std::string out = "MOTIF " + id +
                    "\nletter-probability matrix: alength= 4 w= " + std::to_string(rows.size()) +
                    " nsites= 20 E= 0\n";
  for (const auto& r : rows) {
    for (size_t b = 0; b < 4; ++b) out += std::to_string(r[b]) + (b < 3 ? " " : "\n");
  }
  return out + "\n";
}

class FilterMotifsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("helix_filter_motifs");
    torch::manual_seed(1);
    // Two filters of width 6 ('same' padding, batch norm with its initial statistics): filter 0
    // the planted log-odds, filter 1 all-negative (dead).
    auto encoder = nn::build_encoder({{"name", "conv_net"},
                                      {"filters", {2}},
                                      {"kernels", {6}},
                                      {"pools", {1}},
                                      {"padding", "same"}});
    {
      torch::NoGradGuard no_grad;
      auto params = encoder->named_parameters();
      auto weight = params["convs.0.weight"];
      for (int64_t j = 0; j < 6; ++j) {
        for (int64_t c = 0; c < 4; ++c) {
          weight[0][c][j] = std::log2(kPlanted[size_t(j)][size_t(c)] / 0.25);
        }
      }
      weight[1].fill_(-1.0);
      params["norms.0.bias"][0] = 0.0;
      params["norms.0.bias"][1] = -1.0;
    }
    nn::SequenceModel model(encoder, 2, 0.0);
    model->eval();
    nn::TaskInfo task;
    task.kind = "classification";
    task.classes = {"0", "1"};
    task.targets = {"label"};
    nn::save_sequence_model(path("model.safetensors"), *model, "acgt", task);
    auto other = nn::build_encoder({{"name", "dilated_resnet"},
                                    {"in_channels", 4},
                                    {"filters", {4}},
                                    {"blocks", {1}},
                                    {"dilations", {1}}});
    nn::save_sequence_model(path("resnet.safetensors"), *nn::SequenceModel(other, 2, 0.0), "acgt",
                            task);

    // 300 random 60-bp sequences, a draw of the planted PWM in every other one.
    std::mt19937_64 rng(5);
    std::string csv = "sequence,label\n", fasta;
    for (int i = 0; i < 300; ++i) {
      std::string s;
      for (int p = 0; p < 60; ++p) s += "ACGT"[rng() % 4];
      if (i % 2 == 0) {
        const size_t at = rng() % 55;
        for (size_t j = 0; j < 6; ++j) {
          std::discrete_distribution<int> d(kPlanted[j].begin(), kPlanted[j].end());
          s[at + j] = "ACGT"[d(rng)];
        }
      }
      csv += s + "," + std::to_string(i % 2 == 0) + "\n";
      fasta += ">s" + std::to_string(i) + "\n" + s + "\n";
    }
    write_text(path("seqs.csv"), csv);
    write_text(path("seqs.fa"), fasta);
    write_text(path("nocol.csv"), "dna,label\nACGTACGTAC,1\n");
    write_text(path("empty.csv"), "sequence,label\n");
    // The planted motif among 30 random decoys.
    std::string db =
        "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
        "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n" +
        meme_matrix("PLANTED", kPlanted);
    std::gamma_distribution<double> gamma(0.5, 1.0);
    for (int m = 0; m < 30; ++m) {
      std::vector<std::array<double, 4>> rows(6 + size_t(m % 5));
      for (auto& r : rows) {
        double sum = 0;
        for (auto& v : r) sum += (v = gamma(rng) + 1e-3);
        for (auto& v : r) v /= sum;
      }
      db += meme_matrix("DECOY" + std::to_string(m), rows);
    }
    write_text(path("db.meme"), db);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static TempDir* dir_;
};
TempDir* FilterMotifsCli::dir_ = nullptr;

TEST_F(FilterMotifsCli, WritesPwmsLogosAndDatabaseMatches) {
  const fs::path out = path("fm");
  const auto r = run_helix({"filter-motifs", "--model", path("model.safetensors"), "--sequences",
                            path("seqs.csv"), "--motifs", path("db.meme"), "--out", out.string(),
                            "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("2 filters of width 6 over 16500 windows of 300 sequences"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 dead, 1 of 2 match the database at q < 0.05"), std::string::npos)
      << r.err;
  // MEME: the live filter only, read back as a 6-column PWM with the planted consensus.
  const auto motifs = io::read_motifs((out / "filters.meme").string());
  ASSERT_EQ(motifs.size(), 1u);
  EXPECT_EQ(motifs[0].id, "f0");
  ASSERT_EQ(motifs[0].length(), 6u);
  std::string consensus;
  for (const auto& row : motifs[0].probabilities) {
    consensus += "ACGT"[std::max_element(row.begin(), row.end()) - row.begin()];
  }
  EXPECT_EQ(consensus, "TGACGC");
  EXPECT_GT(motifs[0].sites, 100);
  // filters.tsv: every filter; the dead one without IC or match.
  const auto rows = file_lines(out / "filters.tsv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            "filter\tsites\tmax_activation\tmean_ic\tbest_match_id\tbest_match_name\tbest_match_q");
  EXPECT_EQ(rows[1].substr(0, 2), "0\t");
  EXPECT_NE(rows[1].find("\tPLANTED\t\t"), std::string::npos) << rows[1];  // id PLANTED, no name
  EXPECT_EQ(rows[2], "1\t0\t0\t\t\t\t");
  // Tomtom output and logos.
  const auto matches = read_text(out / "matches.tsv");
  EXPECT_EQ(matches.substr(0, 8), "Query_ID");
  EXPECT_NE(matches.find("f0\tPLANTED\t"), std::string::npos) << matches;
  EXPECT_NE(read_text(out / "logos" / "f0.svg").find("<svg"), std::string::npos);
  EXPECT_FALSE(fs::exists(out / "logos" / "f1.svg"));
}

TEST_F(FilterMotifsCli, ReadsFastaAndStopsAtMaxSequences) {
  const fs::path out = path("fm_fasta");
  const auto r = run_helix({"filter-motifs", "--model", path("model.safetensors"), "--sequences",
                            path("seqs.fa"), "--out", out.string(), "--max-sequences", "50",
                            "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("over 2750 windows of 50 sequences"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no database"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out / "filters.meme"));
  EXPECT_FALSE(fs::exists(out / "matches.tsv"));
  const auto rows = file_lines(out / "filters.tsv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].substr(rows[1].size() - 3), "\t\t\t");  // no match columns
}

TEST_F(FilterMotifsCli, UnusableInputExitsWith2NamingTheFile) {
  const auto out = path("bad");
  const auto run = [&](const std::string& model, const std::string& sequences,
                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"filter-motifs", "--model", path(model), "--sequences",
                                     path(sequences), "--out",   out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_helix(args);
  };
  for (const auto& [model, sequences, named] :
       {std::tuple{"model.safetensors", "missing.csv", "missing.csv"},
        {"model.safetensors", "nocol.csv", "nocol.csv"},
        {"model.safetensors", "empty.csv", "empty.csv"},
        {"missing.safetensors", "seqs.csv", "missing.safetensors"},
        {"resnet.safetensors", "seqs.csv", "resnet.safetensors"}}) {
    const auto r = run(model, sequences);
    EXPECT_EQ(r.code, 2) << model << " " << sequences << "\n" << r.describe();
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    if (std::string(model) == "resnet.safetensors") {
      EXPECT_NE(r.err.find("conv_net"), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(run("model.safetensors", "seqs.csv", {"--threshold", "1"}).code, 2);
}

}  // namespace
}  // namespace helix::cli_test
