// IsoCLR pretraining throughput: pairs/s of the real training step (train::IsoclrStep: both views
// through the encoder, projection head, DCL, backward, clipping, AdamW) on synthetic spliced
// transcripts, per config and transcript length, with the peak resident memory. Prints one JSON
// object per line.
//
// Usage: isoclr_throughput [--threads N] [--steps N] [CONFIG ...]
// Defaults: configs/isoclr.yaml (dilated_small, 150 pairs of 1,000 nt and 50 pairs of 6,000 nt:
// the published short and long batch sizes) and configs/isoclr-tiny.yaml (64 / 16 pairs).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "helix/train/isoclr_trainer.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"

namespace {

// 64 genes of 2 isoforms each, about `length` nt with 8 exons and a CDS.
helix::data::PairCorpus synthetic_corpus(int64_t length, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> base(0, 3);
  std::vector<helix::data::RnaRecord> records;
  for (int g = 0; g < 64; ++g) {
    for (int t = 0; t < 2; ++t) {
      helix::data::RnaRecord r;
      r.id = "g" + std::to_string(g) + "." + std::to_string(t);
      r.group = "g" + std::to_string(g);
      for (int64_t i = 0; i < length; ++i) r.sequence += "ACGT"[base(rng)];
      r.exon_lengths.assign(8, length / 8);
      r.exon_lengths.back() += length % 8;
      r.cds_begin = length / 10;
      r.cds_end = r.cds_begin + 3 * (length / 5);
      records.push_back(std::move(r));
    }
  }
  helix::data::PairCorpus corpus;
  corpus.add_transcripts(records);
  return corpus;
}

double peak_rss_gb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1048576.0;  // kB -> GB
}

}  // namespace

int main(int argc, char** argv) {
  helix::install_caching_cpu_allocator();
  int threads = 0;
  int64_t steps = 4;
  std::vector<std::string> configs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (arg == "--steps" && i + 1 < argc) {
      steps = std::stoll(argv[++i]);
    } else {
      configs.push_back(arg);
    }
  }
  if (configs.empty()) {
    configs = {HELIX_SOURCE_DIR "/configs/isoclr.yaml",
               HELIX_SOURCE_DIR "/configs/isoclr-tiny.yaml"};
  }
  helix::set_compute_threads(threads);
  for (const auto& path : configs) {
    helix::Config config(helix::train::isoclr_config_defaults());
    config.merge_file(path);
    config.set("train.device", "cpu");
    for (const auto& [bucket, length, key] :
         {std::tuple<const char*, int64_t, const char*>{"short", 1000, "train.batch_size"},
          {"long", 6000, "train.batch_size_long"}}) {
      const int64_t pairs = config.get_int(key);
      const auto corpus = synthetic_corpus(length, 7);
      helix::train::IsoclrStep step(config, at::kCPU);
      helix::data::IsoclrViewOptions views;
      std::mt19937_64 rng(1);
      auto batch_of = [&](int64_t k) {
        std::vector<helix::data::PairDraw> draws;
        for (int64_t i = 0; i < pairs; ++i) {
          draws.push_back(
              helix::data::draw_pair(corpus, (k * pairs + i) % corpus.num_anchors(), -1, rng));
        }
        return helix::data::make_isoclr_batch(corpus, draws, views, rng);
      };
      step.train_step(batch_of(0), 100);  // warm-up (allocator, oneDNN primitives)
      double seconds = 0;
      for (int64_t s = 0; s < steps; ++s) {
        const auto batch = batch_of(s + 1);
        const auto t = std::chrono::steady_clock::now();
        step.train_step(batch, 101 + s);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      }
      nlohmann::json out = {{"bench", "isoclr_train_step"},
                            {"config", path.substr(path.find_last_of('/') + 1)},
                            {"bucket", bucket},
                            {"transcript_nt", length},
                            {"pairs_per_step", pairs},
                            {"threads", at::get_num_threads()},
                            {"seconds_per_step", seconds / steps},
                            {"pairs_per_s", pairs * steps / seconds},
                            {"peak_rss_gb", peak_rss_gb()}};
      std::cout << out.dump() << std::endl;
    }
  }
  return 0;
}
