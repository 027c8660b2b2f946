#include "shared_args.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "commands.hpp"
#include "helix/data/sequence_file.hpp"
#include "helix/io/motif_file.hpp"
#include "helix/motif/tomtom.hpp"
#include "helix/nn/conv_net.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/train/checkpoint.hpp"
#include "helix/train/device.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::app {

CLI::Validator within(double lo, double hi, bool hi_open) {
  auto show = [](double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
    std::ostringstream out;
    out << v;
    return out.str();
  };
  const std::string range = "[" + show(lo) + ", " + show(hi) + (hi_open ? ")" : "]");
  return CLI::Validator(
      [lo, hi, hi_open, range](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (end == begin || *end != '\0') return "expected a number in " + range;
        const bool inside = std::isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi);
        return inside ? std::string() : text + " is outside " + range;
      },
      "in " + range);
}

CLI::Option* add_threads_option(CLI::App* cli, int& threads, const std::string& help) {
  return cli->add_option("--threads", threads, help + " (default: one per core)")
      ->check(within(1, available_cpus()));
}

std::string checked_device(const std::string& name) { return train::resolve_device(name).str(); }

void add_labeled_options(CLI::App* cli, LabeledArgs& args) {
  cli->add_option("--sequence-column", args.sequence_column, "Sequence column of CSV/TSV inputs")
      ->capture_default_str();
  cli->add_option("--label-column", args.label_columns,
                  "Target column(s); several (comma-separated or repeated) make a multi-output "
                  "regression")
      ->delimiter(',')
      ->capture_default_str();
  cli->add_option("--name-column", args.name_column,
                  "Column naming the rows in predictions.tsv (default: row numbers)");
  cli->add_option("--labels", args.labels,
                  "Label table (CSV/TSV) for FASTA inputs: record names in --id-column, targets "
                  "in --label-column");
  cli->add_option("--id-column", args.id_column,
                  "Column of --labels matched to FASTA record names (default: its first column)");
  cli->add_option("--task", args.task,
                  "auto (integer or word labels: classification; other numbers: regression), "
                  "classification or regression")
      ->check(CLI::IsMember({"auto", "classification", "regression"}))
      ->capture_default_str();
}

Splits read_splits(const LabeledArgs& args, const std::string& train, const std::string& dev,
                   const std::string& test) {
  data::LabeledReadOptions options;
  options.sequence_column = args.sequence_column;
  options.label_columns = args.label_columns;
  options.labels_path = args.labels;
  options.id_column = args.id_column;
  options.name_column = args.name_column;
  options.task = args.task;
  Splits splits;
  splits.train = data::read_labeled(train, options, /*require_two_classes=*/true);
  options.task = data::task_kind_name(splits.train.kind);
  auto read_aligned = [&](const std::string& path) {
    auto set = std::make_unique<data::LabeledSet>(data::read_labeled(path, options));
    data::align_to_training(*set, splits.train);
    return set;
  };
  if (!dev.empty()) splits.dev = read_aligned(dev);
  if (!test.empty()) splits.test = read_aligned(test);
  if (splits.train.kind == data::TaskKind::kClassification) {
    spdlog::info("{}: {} sequences, classification with {} classes", train, splits.train.size(),
                 splits.train.num_classes());
  } else {
    spdlog::info("{}: {} sequences, regression on {} target(s)", train, splits.train.size(),
                 splits.train.num_targets());
  }
  return splits;
}

void check_run_directory(const std::string& dir, const std::vector<std::string>& run_files,
                         bool resume, bool force) {
  if (resume || force) return;
  for (const auto& name : run_files) {
    const auto path = std::filesystem::path(dir) / name;
    // A run that never completed a checkpoint leaves at most its config and an empty log: they
    // are replaced, so a failed or killed first attempt never blocks the corrected rerun.
    if (name == "config.yaml" || name == "metrics.jsonl") continue;
    if (name == "checkpoints" ? train::holds_checkpoint(path) : std::filesystem::exists(path)) {
      throw UsageError(dir + " already holds a run (" + name +
                       "); use --resume to continue it or --force to start over");
    }
  }
}

void add_sequence_input_options(CLI::App* cli, SequenceInputArgs& args,
                                const std::string& input_help) {
  cli->add_option("--input", args.input, input_help)->required();
  cli->add_option("--column", args.column, "Sequence column of a CSV/TSV input")
      ->capture_default_str();
  cli->add_option("--batch-size", args.batch_size, "Sequences per forward pass")
      ->capture_default_str()
      ->check(within(1, 1e6));
  cli->add_option("--device", args.device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  add_threads_option(cli, args.threads, "Intra-op CPU threads");
}

SequenceInput read_sequence_input(const SequenceInputArgs& args) {
  apply_threads(args.threads);
  SequenceInput out;
  for (auto& record : data::read_sequences(args.input, args.column)) {
    out.names.push_back(std::move(record.name));
    out.sequences.push_back(std::move(record.sequence));
    out.lines.push_back(record.line);
  }
  return out;
}

std::string resolved_command_line(const CLI::App& command) {
  std::string out = "helix " + command.get_name();
  for (const auto* option : command.get_options()) {
    if (option->get_name() == "--help") continue;
    if (option->count() > 0) {
      if (option->get_type_size() == 0) {  // a flag
        out += " " + option->get_name();
        continue;
      }
      for (const auto& value : option->results()) out += " " + option->get_name() + " " + value;
    } else if (option->get_type_size() != 0 && !option->get_default_str().empty()) {
      out += " " + option->get_name() + " " + option->get_default_str();
    }
  }
  return out;
}

LoadedConvNet load_conv_net(const std::string& model, const std::string& purpose) {
  auto loaded = nn::load_sequence_model(model);
  auto conv = std::dynamic_pointer_cast<nn::ConvNetImpl>(loaded.model->encoder);
  if (!conv) {
    throw InputError(model, 0,
                     purpose +
                         " conv_net models (helix finetune --encoder none --model "
                         "configs/basset-like.yaml or similar); this model's encoder is " +
                         loaded.description["encoder"].value("name", std::string("?")));
  }
  return {conv, loaded.alphabet};
}

std::unique_ptr<motif::TomtomDatabase> read_motif_database(const std::string& path,
                                                           const std::string& dist, int threads) {
  motif::TomtomOptions tomtom;
  tomtom.distance = motif::parse_tomtom_distance(dist);
  tomtom.min_overlap = 5;
  tomtom.threads = threads;
  return std::make_unique<motif::TomtomDatabase>(io::read_motifs(path), tomtom);
}

}  // namespace helix::app
