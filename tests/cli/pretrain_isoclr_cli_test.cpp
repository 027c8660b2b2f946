// End-to-end tests of `helix pretrain` with pretrain.objective: isoclr: a tiny genome with a GTF
// of spliced genes (both strands) and a small MAF, written by the test.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "cli_helpers.hpp"
#include "helix/io/safetensors.hpp"
#include "helix/nn/encoder_file.hpp"

namespace helix::cli_test {
namespace {

using nlohmann::json;

class IsoclrCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(5);
    const std::string chrom = random_bases(rng, 20000);
    write_text(dir_ / "genome.fa", fasta_record("chrT", chrom));
    // 12 genes of 3 exons, alternating strands; isoforms: all exons, and the middle one skipped.
    std::string gtf = "# tiny annotation\n";
    for (int g = 0; g < 12; ++g) {
      const int64_t base = 500 + g * 1500;
      const char strand = g % 2 ? '-' : '+';
      const int64_t exons[3][2] = {
          {base, base + 120}, {base + 400, base + 520}, {base + 800, base + 950}};
      for (int t = 0; t < 2; ++t) {
        for (int e = 0; e < 3; ++e) {
          if (t == 1 && e == 1) continue;
          gtf += "chrT\ttest\texon\t" + std::to_string(exons[e][0] + 1) + "\t" +
                 std::to_string(exons[e][1]) + "\t.\t" + strand + "\t.\tgene_id \"G" +
                 std::to_string(g) + "\"; transcript_id \"G" + std::to_string(g) + "." +
                 std::to_string(t) + "\";\n";
        }
      }
    }
    write_text(dir_ / "genes.gtf", gtf);
    // Four alignment blocks of 300 columns: human and two other species with a few changes.
    std::string maf = "##maf version=1\n\n";
    for (int b = 0; b < 4; ++b) {
      const std::string h = random_bases(rng, 300);
      std::string p = h, q = h;
      p[10] = p[10] == 'A' ? 'C' : 'A';
      q[200] = q[200] == 'G' ? 'T' : 'G';
      maf += "a score=0\n";
      maf += "s Hsap.1 " + std::to_string(1000 * b) + " 300 + 100000 " + h + "\n";
      maf += "s Ptro.1 " + std::to_string(1000 * b) + " 300 + 100000 " + p + "\n";
      maf += "s Ggor.1 " + std::to_string(1000 * b) + " 300 + 100000 " + q + "\n\n";
    }
    write_text(dir_ / "aln.maf", maf);
    write_text(dir_ / "isoclr.yaml",
               "pretrain:\n  objective: isoclr\n"
               "model:\n  filters: [8, 8, 16, 16]\n  blocks: [1, 1, 1, 1]\n"
               "data:\n  genome: " +
                   (dir_ / "genome.fa").string() + "\n  gtf: " + (dir_ / "genes.gtf").string() +
                   "\n  maf: " + (dir_ / "aln.maf").string() +
                   "\n  maf_window: 0\n  holdout_fraction: 0.2\n"
                   "train:\n  steps: 8\n  batch_size: 6\n  batch_size_long: 2\n  log_every: 1\n"
                   "  val_every: 4\n  val_batches: 1\n  checkpoint_every: 4\n  threads: 1\n"
                   "  device: cpu\n");
  }
  CmdResult pretrain(const fs::path& out, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"pretrain", "--config", (dir_ / "isoclr.yaml").string(),
                                     "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_helix(args);
  }
  void expect_bad(const std::vector<std::string>& extra, const std::vector<std::string>& words) {
    const fs::path out = dir_ / "bad_run";
    const auto r = pretrain(out, extra);
    EXPECT_EQ(r.code, 2) << r.describe();
    for (const auto& w : words) {
      EXPECT_NE(r.err.find(w), std::string::npos) << "stderr lacks '" << w << "'\n" << r.describe();
    }
    EXPECT_FALSE(fs::exists(out));
  }
  test::TempDir dir_{"helix_isoclr_cli"};
};

TEST_F(IsoclrCliTest, TrainsOnIsoformsAndOrthologsAndResumesExactly) {
  const fs::path a = dir_ / "a";
  const auto ra = pretrain(a);
  ASSERT_EQ(ra.code, 0) << ra.describe();
  EXPECT_NE(ra.err.find("24 read"), std::string::npos) << ra.err;  // 12 genes x 2 isoforms
  EXPECT_NE(ra.err.find("4 ortholog groups"), std::string::npos) << ra.err;
  const auto metrics = read_metrics(a / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 8u);
  for (const auto& m : metrics) {
    EXPECT_TRUE(std::isfinite(m.at("loss").get<double>()));
    const double shares = m.at("self_pairs").get<double>() + m.at("splice_pairs").get<double>() +
                          m.at("ortho_pairs").get<double>();
    EXPECT_NEAR(shares, 1.0, 1e-9);
  }
  EXPECT_NEAR(metrics[0].at("lr").get<double>(), 1e-4, 1e-12);  // warm-up starts at 0.1 x lr
  ASSERT_TRUE(metrics[3].contains("val_top1"));
  EXPECT_GT(metrics[3].at("val_splice_pairs").get<int64_t>() +
                metrics[3].at("val_ortho_pairs").get<int64_t>(),
            0);
  // The exported encoder takes 6 tracks and is rebuilt from the file alone.
  const auto loaded = nn::load_encoder((a / "encoder.safetensors").string());
  EXPECT_EQ(loaded.encoder->in_channels(), 6);
  EXPECT_EQ(loaded.description.at("name"), "dilated_resnet");

  const fs::path b = dir_ / "b";
  const auto rb1 = pretrain(b, {"--stop-after", "4"});
  ASSERT_EQ(rb1.code, 0) << rb1.describe();
  const auto rb2 = run_helix({"pretrain", "--out", b.string(), "--resume"});
  ASSERT_EQ(rb2.code, 0) << rb2.describe();
  const auto mb = read_metrics(b / "metrics.jsonl");
  ASSERT_EQ(mb.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(metrics[i].at("loss").get<double>(), mb[i].at("loss").get<double>()) << i;
  }
  const auto wa = io::load_safetensors((a / "checkpoints/step-8/weights.safetensors").string());
  const auto wb = io::load_safetensors((b / "checkpoints/step-8/weights.safetensors").string());
  ASSERT_EQ(wa.tensors.size(), wb.tensors.size());
  for (size_t i = 0; i < wa.tensors.size(); ++i) {
    EXPECT_TRUE(at::equal(wa.tensors[i].second, wb.tensors[i].second)) << wa.tensors[i].first;
  }
}

TEST_F(IsoclrCliTest, DryRunPrintsTheModelAndHelpListsIsoclrKeys) {
  const auto r = run_helix({"pretrain", "--config", (dir_ / "isoclr.yaml").string(), "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto j = json::parse(r.out);
  EXPECT_EQ(j.at("model").at("in_channels"), 6);
  EXPECT_GT(j.at("encoder_params").get<int64_t>(), 0);
  const auto help = run_helix({"pretrain", "--help"});
  EXPECT_NE(help.out.find("mark_transcript_end"), std::string::npos);
}

TEST_F(IsoclrCliTest, BadInputIsExit2WithFileAndLine) {
  write_text(dir_ / "short.gtf", "chrT\ttest\texon\t1\t100\t.\t+\n");
  expect_bad({"data.gtf=" + (dir_ / "short.gtf").string()}, {"short.gtf:1", "9"});
  write_text(dir_ / "uneven.maf",
             "##maf version=1\na\ns Hsap.1 0 4 + 100 ACGT\ns Ptro.1 0 3 + 100 ACG\n");
  expect_bad({"data.maf=" + (dir_ / "uneven.maf").string()}, {"uneven.maf:4", "unequal length"});
  expect_bad({"data.genome=", "data.gtf=", "data.maf="}, {"no training data"});
  expect_bad({"isoclr.loss=infonce"}, {"dcl, dcl_pooled, ntxent"});
  expect_bad({"model.tracks=5"}, {"model.tracks must be 4 or 6"});
}

}  // namespace
}  // namespace helix::cli_test
