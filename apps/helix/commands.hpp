// Subcommands of the helix program. Each adds its CLI11 subcommand with its options and returns
// the function that runs it (returning the exit code).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace helix::app {

struct Command {
  CLI::App* cli = nullptr;
  std::function<int()> run;
};

Command add_pretrain_command(CLI::App& parent);
Command add_embed_command(CLI::App& parent);
Command add_probe_command(CLI::App& parent);
Command add_finetune_command(CLI::App& parent);
Command add_predict_command(CLI::App& parent);
Command add_tomtom_command(CLI::App& parent);
Command add_neuronmotif_command(CLI::App& parent);
Command add_filter_motifs_command(CLI::App& parent);

// Sets LibTorch's intra-op threads: n when n > 0, else one per available CPU.
void apply_threads(int n);

}  // namespace helix::app
