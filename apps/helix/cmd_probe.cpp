// helix probe: linear probes on frozen features (encoder embeddings or k-mer counts).
#include <chrono>
#include <filesystem>

#include "commands.hpp"
#include "helix/eval/embed.hpp"
#include "helix/eval/encoder_source.hpp"
#include "helix/eval/kmer.hpp"
#include "helix/eval/predictions.hpp"
#include "helix/eval/probe_protocol.hpp"
#include "helix/report/plot.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {
namespace fs = std::filesystem;

namespace {
struct ProbeArgs {
  std::string encoder;
  std::string features = "encoder";
  std::string train, dev, test, out;
  LabeledArgs labeled;
  std::vector<int64_t> train_sizes;
  std::vector<uint64_t> seeds = {0, 1, 2};
  uint64_t init_seed = 0;
  int cv_folds = 5;
  int64_t batch_size = 64;
  std::string device = "cpu";
  int threads = 0;
};

// k from "kmer:K", or 0 for "encoder".
int kmer_size(const std::string& features) {
  if (features == "encoder") return 0;
  const std::string prefix = "kmer:";
  if (features.rfind(prefix, 0) == 0) {
    try {
      size_t used = 0;
      const int k = std::stoi(features.substr(prefix.size()), &used);
      if (used == features.size() - prefix.size() && k >= 1 && k <= 8) return k;
    } catch (const std::exception&) {
    }
  }
  throw UsageError("--features must be 'encoder' or 'kmer:K' with K in 1..8, got '" + features +
                   "'");
}

int run_probe(const ProbeArgs& a) {
  const std::vector<std::string> inputs = {a.train, a.dev, a.test, a.labeled.labels, a.encoder};
  check_output_directory(a.out, {"predictions.tsv", "metrics.json", "curve.svg"}, inputs);
  const auto device = checked_device(a.device);
  apply_threads(a.threads);
  const int k = kmer_size(a.features);
  if (k == 0 && a.encoder.empty()) {
    throw UsageError("--encoder FILE or random:CONFIG is required (or --features kmer:K)");
  }
  if (k > 0 && !a.encoder.empty()) {
    throw UsageError("--features " + a.features + " replaces the encoder; drop --encoder");
  }
  // Everything is read and checked before any output is written.
  const auto splits = read_splits(a.labeled, a.train, a.dev, a.test);
  if (!splits.dev && a.cv_folds > static_cast<int>(splits.train.size())) {
    throw UsageError("--cv-folds " + std::to_string(a.cv_folds) + " is more than the " +
                     std::to_string(splits.train.size()) + " rows of " + a.train);
  }
  for (const auto size : a.train_sizes) {
    if (size > static_cast<int64_t>(splits.train.size())) {
      throw UsageError("--train-size " + std::to_string(size) + " is more than the " +
                       std::to_string(splits.train.size()) + " rows of " + a.train);
    }
  }
  eval::ProbeFeatures features;
  nlohmann::json provenance;
  const auto start = std::chrono::steady_clock::now();
  if (k > 0) {
    features.train = eval::kmer_counts(splits.train.sequences, k);
    if (splits.dev) features.dev = eval::kmer_counts(splits.dev->sequences, k);
    features.test = eval::kmer_counts(splits.test->sequences, k);
    provenance = {{"features", a.features}, {"kind", "kmer"}, {"k", k}, {"normalised", true}};
  } else {
    auto source = eval::encoder_from_spec(a.encoder, a.init_seed);
    const auto alphabet = seq::Alphabet::from_name(source.alphabet);
    for (const data::LabeledSet* set : std::initializer_list<const data::LabeledSet*>{
             &splits.train, splits.dev.get(), splits.test.get()}) {
      if (set) eval::check_sequence_lengths(*source.encoder, set->path, set->sequences, set->lines);
    }
    const eval::EmbedOptions options{a.batch_size, device};
    auto embed = [&](const data::LabeledSet& set) {
      at::Tensor out;
      translate_torch_error("embedding " + set.path, [&] {
        out = eval::embed_sequences(*source.encoder, alphabet, set.sequences, options);
      });
      return out;
    };
    features.train = embed(splits.train);
    if (splits.dev) features.dev = embed(*splits.dev);
    features.test = embed(*splits.test);
    provenance = source.provenance;
    provenance["features"] = "encoder";
  }
  const double feature_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("features: {} dimensions, {:.1f} s", features.train.size(1), feature_seconds);

  eval::ProbeProtocolOptions options;
  options.train_sizes = a.train_sizes;
  options.seeds = a.seeds;
  options.cv_folds = a.cv_folds;
  auto outcome = eval::run_probe(splits.train, splits.dev.get(), *splits.test, features, options);
  auto metrics = outcome.metrics;
  metrics["command"] = "probe";
  metrics["provenance"] = provenance;
  metrics["feature_seconds"] = feature_seconds;
  metrics["train"] = a.train;
  metrics["dev"] = a.dev;
  metrics["test_file"] = a.test;
  if (splits.train.kind == data::TaskKind::kClassification) {
    metrics["classes"] = splits.train.classes;
  }
  const fs::path out = a.out;
  fs::create_directories(out);
  eval::write_predictions((out / "predictions.tsv").string(), splits.test->names, splits.train.kind,
                          splits.train.classes, splits.train.target_names, outcome.test_scores,
                          splits.test.get());
  write_file_atomic(out / "metrics.json", metrics.dump(2) + "\n");
  if (metrics.contains("curve")) {
    const auto metric =
        splits.train.kind == data::TaskKind::kClassification ? "mcc" : std::string("pearson");
    report::PlotOptions plot;
    plot.log_x = true;
    plot.title = "Low-data curve: " + fs::path(a.train).filename().string();
    plot.x_label = "training sequences";
    plot.y_label = "test " + metric + " (mean +/- sd over seeds)";
    write_file_atomic(out / "curve.svg",
                      report::line_plot_svg(
                          {report::curve_series(metrics, metric,
                                                a.features == "encoder" ? a.encoder : a.features)},
                          plot));
  }
  const bool classification = splits.train.kind == data::TaskKind::kClassification;
  if (classification) {
    spdlog::info("test: MCC {:.4f}, AUROC {:.4f}, accuracy {:.4f}; wrote {}",
                 eval::metric_value(metrics["test"], "mcc"),
                 eval::metric_value(metrics["test"], "auroc"),
                 eval::metric_value(metrics["test"], "accuracy"), out.string());
  } else {
    spdlog::info("test: Pearson {:.4f}, Spearman {:.4f}, R2 {:.4f}; wrote {}",
                 eval::metric_value(metrics["test"], "pearson"),
                 eval::metric_value(metrics["test"], "spearman"),
                 eval::metric_value(metrics["test"], "r2"), out.string());
  }
  return 0;
}
}  // namespace

Command add_probe_command(CLI::App& parent) {
  auto args = std::make_shared<ProbeArgs>();
  auto* cli = parent.add_subcommand(
      "probe",
      "Linear probe on frozen features: mean-pooled encoder embeddings (or k-mer counts) of the\n"
      "train/dev/test splits, then ridge regression (penalty by exact leave-one-out on train)\n"
      "or L2 logistic regression (penalty by dev log-loss, or by stratified cross-validation\n"
      "without --dev). Writes DIR/metrics.json (test metrics, selection, curve),\n"
      "DIR/predictions.tsv (test set) and, with --train-size, DIR/curve.svg (the low-data\n"
      "curve of the headline metric: Pearson r or MCC).");
  cli->add_option("--encoder", args->encoder,
                  "encoder.safetensors from helix pretrain, or random:CONFIG for a randomly "
                  "initialised encoder of the architecture in CONFIG (a pretraining config or a "
                  "model description)");
  cli->add_option("--features", args->features,
                  "encoder (embeddings of --encoder) or kmer:K (normalised counts of the 4^K "
                  "k-mers; no encoder)")
      ->capture_default_str();
  cli->add_option("--train", args->train, "Training split: CSV/TSV, or FASTA with --labels")
      ->required();
  cli->add_option("--dev", args->dev, "Dev split, used to choose the logistic penalty");
  cli->add_option("--test", args->test, "Test split, scored with the selected probe")->required();
  cli->add_option("--out", args->out, "Output directory")->required();
  add_labeled_options(cli, args->labeled);
  cli->add_option("--train-size", args->train_sizes,
                  "Low-data curve: also fit on random training subsets of these sizes "
                  "(e.g. 100,300,1000), once per --seeds; metrics.json gets mean and std")
      ->delimiter(',')
      ->check(within(1, 1e9));
  cli->add_option("--seeds", args->seeds, "Seeds of the training subsets of --train-size")
      ->delimiter(',')
      ->capture_default_str();
  cli->add_option("--init-seed", args->init_seed, "Seed of the weights of --encoder random:CONFIG")
      ->capture_default_str();
  cli->add_option("--cv-folds", args->cv_folds,
                  "Cross-validation folds when there is no --dev (at most the training rows)")
      ->capture_default_str()
      ->check(within(2, 1000));
  cli->add_option("--batch-size", args->batch_size, "Sequences per forward pass")
      ->capture_default_str()
      ->check(within(1, 1e6));
  cli->add_option("--device", args->device, "cpu, cuda, cuda:N or auto (embedding)")
      ->capture_default_str();
  add_threads_option(cli, args->threads, "Intra-op CPU threads");
  cli->footer(
      "Exit codes: 0 done, 1 runtime failure, 2 bad input or usage (messages name file and "
      "line).");
  return {cli, [args] { return run_probe(*args); }};
}

}  // namespace helix::app
