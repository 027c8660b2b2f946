#include "helix/train/isoclr_trainer.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <random>

#include "helix/nn/registry.hpp"
#include "helix/util/error.hpp"

namespace helix::train {
namespace {

Config tiny_config(const std::vector<std::string>& overrides = {}) {
  Config c(isoclr_config_defaults());
  for (const auto& o : {"model.filters=[8, 16, 16, 32]", "model.blocks=[1, 1, 1, 1]",
                        "train.steps=300", "train.batch_size=16", "train.lr=3e-3",
                        "train.head_lr=3e-3", "train.warmup_fraction=0.05", "train.device=cpu"}) {
    c.apply_override(o);
  }
  for (const auto& o : overrides) c.apply_override(o);
  return c;
}

// 32 genes of 4 random exons (30-80 nt); each gene has 3 isoforms: all exons, exon 2 skipped,
// exon 3 skipped.
data::PairCorpus synthetic_genes() {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> base(0, 3), exon_length(30, 80);
  std::vector<data::RnaRecord> records;
  for (int g = 0; g < 32; ++g) {
    std::vector<std::string> exons(4);
    for (auto& e : exons) {
      const int n = exon_length(rng);
      for (int i = 0; i < n; ++i) e += "ACGT"[base(rng)];
    }
    for (int skip : {-1, 1, 2}) {
      data::RnaRecord r;
      r.id = "g" + std::to_string(g) + "_skip" + std::to_string(skip);
      r.group = "g" + std::to_string(g);
      for (int e = 0; e < 4; ++e) {
        if (e == skip) continue;
        r.sequence += exons[e];
        r.exon_lengths.push_back(static_cast<int64_t>(exons[e].size()));
      }
      records.push_back(r);
    }
  }
  data::PairCorpus corpus;
  corpus.add_transcripts(records);
  return corpus;
}

// Mean cosine similarity of the pooled embeddings of isoform pairs (same gene) and of pairs of
// transcripts of different genes. The embeddings are centred first (their mean over all
// transcripts subtracted): pooled ReLU features share a large common component that makes every
// raw cosine close to 1.
std::pair<double, double> isoform_and_random_cosine(IsoclrStep& step,
                                                    const data::PairCorpus& corpus) {
  data::IsoclrViewOptions views;
  views.augment = false;
  std::vector<data::PairDraw> all;
  for (int64_t a = 0; a < corpus.num_anchors(); ++a) all.push_back({a, a, data::PairType::kSelf});
  std::mt19937_64 rng(0);
  const auto batch = data::make_isoclr_batch(corpus, all, views, rng);
  const int64_t n = corpus.num_anchors();
  auto e = step.embed(batch.x.narrow(0, 0, n), batch.lengths.narrow(0, 0, n));
  e = e - e.mean(0, true);
  e = e / e.norm(2, {1}, true);
  const auto cos = at::matmul(e, e.t());
  double same = 0, other = 0;
  int64_t n_same = 0, n_other = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const double v = cos[i][j].item<double>();
      if (corpus.records[i].group == corpus.records[j].group) {
        same += v;
        ++n_same;
      } else {
        other += v;
        ++n_other;
      }
    }
  }
  return {same / n_same, other / n_other};
}

// The check: a few hundred contrastive steps bring isoform pairs closer than random pairs.
TEST(IsoclrTrainer, ContrastiveStepsBringIsoformsCloserThanRandomPairs) {
  at::set_num_threads(2);
  const auto config = tiny_config();
  const auto corpus = synthetic_genes();
  IsoclrStep step(config, torch::kCPU);
  const auto [iso_before, random_before] = isoform_and_random_cosine(step, corpus);
  data::IsoclrViewOptions views;
  double first_loss = 0, last_loss = 0;
  for (int64_t s = 0; s < 300; ++s) {
    std::mt19937_64 rng(1000 + s);
    std::vector<data::PairDraw> pairs;
    std::uniform_int_distribution<int64_t> anchor(0, corpus.num_anchors() - 1);
    for (int k = 0; k < 16; ++k) pairs.push_back(data::draw_pair(corpus, anchor(rng), -1, rng));
    const auto r = step.train_step(data::make_isoclr_batch(corpus, pairs, views, rng), s);
    if (s < 20) first_loss += r.contrastive / 20;
    if (s >= 280) last_loss += r.contrastive / 20;
  }
  const auto [iso_after, random_after] = isoform_and_random_cosine(step, corpus);
  std::printf("isoform cosine %.3f -> %.3f, random pairs %.3f -> %.3f, loss %.3f -> %.3f\n",
              iso_before, iso_after, random_before, random_after, first_loss, last_loss);
  EXPECT_LT(last_loss, first_loss - 0.5);
  EXPECT_GT(iso_after - random_after, 0.3);
  EXPECT_GT(iso_after - random_after, iso_before - random_before + 0.1);
}

TEST(IsoclrTrainer, DescriptionHasThePublishedParameterCounts) {
  Config c(isoclr_config_defaults());
  const auto d = describe_isoclr_model(c);
  EXPECT_EQ(d["encoder_params"].get<int64_t>(), 787264);     // dilated_small, 6 tracks
  EXPECT_EQ(d["projection_params"].get<int64_t>(), 461824);  // rep 256
  EXPECT_EQ(d["embedding_dim"].get<int64_t>(), 256);
  c.apply_override("model.tracks=4");
  EXPECT_EQ(describe_isoclr_model(c)["encoder_params"].get<int64_t>(), 787008);
  c.apply_override("model.tracks=5");
  EXPECT_THROW(describe_isoclr_model(c), UsageError);
}

TEST(IsoclrTrainer, MlmNeedsAPerPositionEncoder) {
  EXPECT_THROW(IsoclrStep(tiny_config({"isoclr.mlm_weight=0.5"}), torch::kCPU), UsageError);
  IsoclrStep swan(tiny_config({"model.name=swan", "isoclr.mlm_weight=0.5", "model.group_size=4",
                               "model.mlp_dim=16", "data.max_length=512"}),
                  torch::kCPU);
  const auto corpus = synthetic_genes();
  std::mt19937_64 rng(3);
  std::vector<data::PairDraw> pairs;
  for (int64_t a = 0; a < 8; ++a) pairs.push_back(data::draw_pair(corpus, a, -1, rng));
  data::IsoclrViewOptions views;
  const auto r = swan.train_step(data::make_isoclr_batch(corpus, pairs, views, rng), 0);
  EXPECT_GT(r.mlm, 1.0);  // about ln 4 at the start
  EXPECT_NEAR(r.loss, r.contrastive + 0.5 * r.mlm, 1e-4);
}

}  // namespace
}  // namespace helix::train
