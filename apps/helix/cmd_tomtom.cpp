// helix tomtom: compare query motifs with motif databases (the Tomtom method of the MEME Suite,
// with MEME 4.12's statistics; see src/helix/motif/tomtom.hpp).
#include <chrono>
#include <iostream>
#include <set>
#include <utility>

#include "commands.hpp"
#include "helix/io/motif_file.hpp"
#include "helix/motif/tomtom.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {

namespace {
struct TomtomArgs {
  std::string query;
  std::vector<std::string> targets;
  std::string out = "-";
  std::string dist = "pearson";
  int min_overlap = 1;
  double thresh = 0.5;
  bool evalue = false;
  bool norc = false;
  bool no_ssc = false;
  bool incomplete_scores = false;
  double motif_pseudo = 0.1;
  int threads = 0;
};

// The motifs of one file, without those whose id and name repeat an earlier motif of the file
// (MEME drops motifs with a repeated id).
std::vector<motif::Motif> read_unique_motifs(const std::string& path) {
  std::vector<motif::Motif> kept;
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::string> dropped;
  for (auto& m : io::read_motifs(path)) {
    if (seen.emplace(m.id, m.name).second) {
      kept.push_back(std::move(m));
    } else {
      dropped.push_back(m.id);
    }
  }
  if (!dropped.empty()) {
    std::string ids;
    for (const auto& id : dropped) ids += " " + id;
    spdlog::warn("{}: skipped {} motif(s) repeating an earlier id:{}", path, dropped.size(), ids);
  }
  return kept;
}

int run_tomtom(const TomtomArgs& a, const std::string& command) {
  if (a.out != "-") {
    std::vector<std::string> inputs = a.targets;
    inputs.push_back(a.query);
    check_output_file(a.out, inputs);
  }
  motif::TomtomOptions options;
  options.distance = motif::parse_tomtom_distance(a.dist);
  options.min_overlap = a.min_overlap;
  options.threshold = a.thresh;
  options.threshold_on_evalue = a.evalue;
  options.both_strands = !a.norc;
  options.incomplete_scores = a.incomplete_scores;
  options.pseudocount = a.motif_pseudo;
  options.threads = a.threads;
  if (!a.evalue && a.thresh > 1) {
    throw UsageError("--thresh " + std::to_string(a.thresh) +
                     " is a q-value and must be at most 1 (add --evalue for an E-value threshold)");
  }

  const auto queries = io::read_motifs(a.query);
  std::vector<motif::Motif> targets;
  std::vector<int> source;
  for (size_t f = 0; f < a.targets.size(); ++f) {
    for (auto& m : read_unique_motifs(a.targets[f])) {
      targets.push_back(std::move(m));
      source.push_back(static_cast<int>(f));
    }
  }
  if (targets.size() < 50) {
    spdlog::warn("only {} target motifs: Tomtom's p-values need a database of at least 50",
                 targets.size());
  }
  const auto start = std::chrono::steady_clock::now();
  const motif::TomtomDatabase database(targets, options, source);
  const auto matches = motif::compare_motifs(queries, database);
  spdlog::info("compared {} queries with {} targets in {:.2f} s: {} matches", queries.size(),
               targets.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               matches.size());
  const std::string text =
      motif::format_tomtom_tsv(queries, database, matches, HELIX_VERSION, command);
  if (a.out == "-") {
    std::cout << text << std::flush;
  } else {
    write_file_atomic(a.out, text);
  }
  return 0;
}
}  // namespace

Command add_tomtom_command(CLI::App& parent) {
  auto args = std::make_shared<TomtomArgs>();
  auto* cli = parent.add_subcommand(
      "tomtom",
      "Compare query motifs with motif databases (Tomtom, Gupta et al. 2007, with the statistics\n"
      "of MEME Suite 4.12's tomtom, whose rankings, offsets and p-values it reproduces). Writes a\n"
      "TSV: Query_ID, Target_ID, Optimal_offset, p-value, E-value, q-value, Overlap,\n"
      "Query_consensus, Target_consensus, Orientation; one row per query and matching target,\n"
      "best first, then '#' lines with the version and the options.");
  cli->add_option("--query", args->query, "Query motifs: MEME or JASPAR format")
      ->required()
      ->check(CLI::ExistingFile);
  cli->add_option("--target", args->targets,
                  "Target motif database: MEME or JASPAR format; repeat for several files "
                  "(E-values count all their motifs)")
      ->required()
      ->check(CLI::ExistingFile);
  cli->add_option("--out", args->out, "Output TSV, written atomically; '-' for stdout")
      ->capture_default_str();
  cli->add_option("--dist", args->dist,
                  "Column similarity: pearson (Pearson correlation), ed (minus the Euclidean "
                  "distance), sandelin (Sandelin-Wasserman) or allr (average log-likelihood "
                  "ratio)")
      ->check(CLI::IsMember({"pearson", "ed", "sandelin", "allr"}))
      ->capture_default_str();
  cli->add_option("--min-overlap", args->min_overlap,
                  "Only alignments overlapping by at least N columns (N is capped at the shorter "
                  "motif's length)")
      ->check(within(0, 1e6))
      ->capture_default_str();
  cli->add_option("--thresh", args->thresh,
                  "Report matches with q-value <= X (at most 1), or E-value <= X with --evalue")
      ->check(within(0, 1e300))
      ->capture_default_str();
  cli->add_flag("--evalue", args->evalue, "Apply --thresh to the E-value instead of the q-value");
  cli->add_flag("--norc", args->norc,
                "Compare with the targets as given only, not with their reverse complements");
  cli->add_flag("--no-ssc", args->no_ssc,
                "Accepted for compatibility with MEME's tomtom, where it only changes the drawn "
                "logos; results are the same with or without it");
  cli->add_flag("--incomplete-scores", args->incomplete_scores,
                "Score only the aligned columns and correct the best alignment's p-value for the "
                "number of offsets (MEME's -incomplete-scores); default: complete scores, where "
                "every query column counts");
  cli->add_option("--motif-pseudo", args->motif_pseudo,
                  "Pseudocount added to every motif: p' = (p*n + a/4) / (n + a), n = its sites "
                  "(20 when unknown)")
      ->check(within(0, 1e6))
      ->capture_default_str();
  add_threads_option(cli, args->threads, "Worker threads over the queries");
  return {cli, [args, cli] { return run_tomtom(*args, resolved_command_line(*cli)); }};
}

}  // namespace helix::app
