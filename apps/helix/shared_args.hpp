// Options shared by several commands: labelled splits (probe, finetune), read consistently (dev
// and test with the training split's task and classes), and a plain sequence input with its
// batching and device options (embed, predict).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "helix/data/labeled.hpp"

namespace helix::nn {
class ConvNetImpl;
}
namespace helix::motif {
class TomtomDatabase;
}

namespace helix::app {

struct LabeledArgs {
  std::string sequence_column = "sequence";
  std::vector<std::string> label_columns = {"label"};
  std::string name_column;
  std::string labels;
  std::string id_column;
  std::string task = "auto";
};

void add_labeled_options(CLI::App* cli, LabeledArgs& args);

// A CLI11 check that an option's number lies in [lo, hi] (or [lo, hi) when `hi_open`). Unlike
// CLI::Range it refuses NaN and infinities; the help shows the range. A failed check is a usage
// error (exit 2) before anything runs.
CLI::Validator within(double lo, double hi, bool hi_open = false);
// --threads N: 1 to the CPUs this process may use (more only contend: 100000 threads ran at a
// load of 148); omitted, one per core.
CLI::Option* add_threads_option(CLI::App* cli, int& threads, const std::string& help);
// --device: cpu, cuda, cuda:N or auto, checked (and resolved) before any work.
std::string checked_device(const std::string& name);

struct Splits {
  data::LabeledSet train;
  std::unique_ptr<data::LabeledSet> dev;   // null when no path was given
  std::unique_ptr<data::LabeledSet> test;  // null when no path was given
};

Splits read_splits(const LabeledArgs& args, const std::string& train, const std::string& dev,
                   const std::string& test);

// Refuses (UsageError) to start a run in `dir` when it already holds one of `run_files` (a
// complete checkpoint for "checkpoints"; config.yaml and metrics.jsonl alone do not count: they
// are what a run that never finished a step leaves), unless resumed or --force was given.
void check_run_directory(const std::string& dir, const std::vector<std::string>& run_files,
                         bool resume, bool force);

// The command as it ran, for provenance lines in outputs: "helix <name>", then every option that
// was given (each value after its own option name) or has a default, and every flag given.
std::string resolved_command_line(const CLI::App& command);

struct SequenceInputArgs {
  std::string input;
  std::string column = "sequence";
  int64_t batch_size = 64;
  std::string device = "cpu";
  int threads = 0;
};

// --input (with `input_help`), --column, --batch-size, --device, --threads.
void add_sequence_input_options(CLI::App* cli, SequenceInputArgs& args,
                                const std::string& input_help);

struct SequenceInput {
  std::vector<std::string> names;
  std::vector<std::string> sequences;
  std::vector<int64_t> lines;  // of each record in the input file
};

// Applies --threads, checks --batch-size and reads the sequences (FASTA or a table column).
SequenceInput read_sequence_input(const SequenceInputArgs& args);

// The conv_net of a model.safetensors (helix finetune --encoder none --model CONFIG). A model
// with another encoder is an InputError naming the file and its encoder, after `purpose` (what
// the command does with conv_nets).
struct LoadedConvNet {
  std::shared_ptr<nn::ConvNetImpl> net;
  std::string alphabet;  // the model's input alphabet (acgt, acgtn)
};
LoadedConvNet load_conv_net(const std::string& model, const std::string& purpose);

// A motif file (MEME, JASPAR) as a Tomtom database with the settings the interpretation
// commands use: column similarity `dist`, both strands, alignments of at least 5 columns.
std::unique_ptr<motif::TomtomDatabase> read_motif_database(const std::string& path,
                                                           const std::string& dist, int threads);

}  // namespace helix::app
