// helix: pretrain, evaluate and interpret DNA/RNA sequence models. This file only wires the
// subcommands together and maps errors to exit codes (0 ok, 1 runtime failure, 2 bad input).
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <vector>

#include "commands.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::app {
void apply_threads(int n) { helix::set_compute_threads(n); }
}  // namespace helix::app

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  helix::set_compute_threads(0);
  helix::install_caching_cpu_allocator();
  CLI::App app{
      "helix: deep learning on DNA and RNA sequences. Commands: pretrain (FinDNA\n"
      "self-distillation on a genome, or IsoCLR contrastive learning on splice isoforms and\n"
      "orthologs), embed (mean-pooled embeddings from an encoder), probe\n"
      "(linear probes on frozen features), finetune (supervised training: fine-tuning or from\n"
      "scratch), predict (predictions of a trained model), tomtom (motif comparison),\n"
      "neuronmotif (the motifs and grammar a trained CNN's neurons respond to) and\n"
      "filter-motifs (first-layer filter PWMs from top-activating windows: the Basset baseline).\n"
      "Run `helix <command> --help` for the options of a command.",
      "helix"};
  app.set_version_flag("--version", std::string("helix ") + HELIX_VERSION + " (LibTorch " +
                                        std::to_string(TORCH_VERSION_MAJOR) + "." +
                                        std::to_string(TORCH_VERSION_MINOR) + "." +
                                        std::to_string(TORCH_VERSION_PATCH) + ")");
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More log output (debug level)");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Only warnings and errors on stderr");
  app.require_subcommand(1);
  std::vector<helix::app::Command> commands = {
      helix::app::add_pretrain_command(app),    helix::app::add_embed_command(app),
      helix::app::add_probe_command(app),       helix::app::add_finetune_command(app),
      helix::app::add_predict_command(app),     helix::app::add_tomtom_command(app),
      helix::app::add_neuronmotif_command(app), helix::app::add_filter_motifs_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  helix::init_logging(quiet ? -1 : verbosity);
  for (const auto& command : commands) {
    if (!command.cli->parsed()) continue;
    try {
      return command.run();
    } catch (const helix::Error& e) {
      spdlog::error("{}", e.what());
      return helix::exit_code_for(e);
    } catch (const c10::Error& e) {
      spdlog::error("{} failed inside LibTorch: {}", command.cli->get_name(),
                    e.what_without_backtrace());
      return 1;
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", command.cli->get_name(), e.what());
      return 1;
    }
  }
  return 2;
}
