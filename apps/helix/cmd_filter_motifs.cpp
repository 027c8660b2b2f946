// helix filter-motifs: the first-layer filter motif baseline (Basset; calico/basenji
// bin/basenji_motifs.py): a PWM per first-layer filter of a trained CNN from the windows of real
// sequences that activate it most, matched to a motif database by the built-in Tomtom.
#include <chrono>
#include <filesystem>
#include <sstream>

#include "commands.hpp"
#include "helix/data/sequence_file.hpp"
#include "helix/interpret/annotate.hpp"
#include "helix/interpret/filter_motifs.hpp"
#include "helix/io/motif_file.hpp"
#include "helix/motif/tomtom.hpp"
#include "helix/nn/conv_net.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/report/logo.hpp"
#include "helix/train/device.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {
namespace {

namespace fs = std::filesystem;

struct FilterMotifsArgs {
  std::string model;
  std::string sequences;
  std::string column = "sequence";
  std::string out;
  std::string motifs;
  double threshold = 0.5;
  double pseudocount = 0.5;
  int64_t max_sequences = 0;
  std::string dist = "pearson";
  std::string device = "cpu";
  int threads = 0;
};

constexpr double kMatchQ = 0.05;  // a filter matches the database when its best hit has q < this

std::string tsv_number(double v) { return format_significant(v, 6); }

int run_filter_motifs(const FilterMotifsArgs& a, const std::string& command) {
  const auto started = std::chrono::steady_clock::now();
  check_output_directory(a.out, {"logos", "filters.meme", "matches.tsv", "filters.tsv"},
                         {a.model, a.sequences, a.motifs});
  const auto device = train::resolve_device(a.device);
  apply_threads(a.threads);
  const auto loaded = load_conv_net(a.model, "filter-motifs reads the first conv layer of");
  const auto& conv = loaded.net;
  std::vector<std::string> sequences;
  for (auto& record : data::read_sequences(a.sequences, a.column)) {
    if (a.max_sequences > 0 && int64_t(sequences.size()) >= a.max_sequences) break;
    sequences.push_back(std::move(record.sequence));
  }
  std::unique_ptr<motif::TomtomDatabase> database;
  if (!a.motifs.empty()) database = read_motif_database(a.motifs, a.dist, a.threads);
  conv->to(device);
  interpret::FilterMotifOptions options;
  options.threshold_fraction = a.threshold;
  options.pseudocount = a.pseudocount;
  options.alphabet = loaded.alphabet;
  interpret::FilterMotifResult result;
  translate_torch_error("filter-motifs",
                        [&] { result = interpret::filter_motifs(*conv, sequences, options); });
  if (result.windows == 0) {
    throw InputError(a.sequences, 0,
                     "no window of " + std::to_string(result.kernel) +
                         " A/C/G/T bases (the first layer's kernel) in any of its " +
                         std::to_string(sequences.size()) + " sequences");
  }

  // Live filters' PWMs: MEME, logos and database matches.
  const fs::path out(a.out);
  fs::create_directories(out / "logos");
  std::vector<motif::Motif> pwms;
  std::vector<size_t> filter_of;  // pwms[i] is result.filters[filter_of[i]]
  for (size_t i = 0; i < result.filters.size(); ++i) {
    const auto& f = result.filters[i];
    const auto logo = out / "logos" / (f.motif.id + ".svg");
    if (f.dead) {
      fs::remove(logo);  // from an earlier run
      continue;
    }
    pwms.push_back(f.motif);
    filter_of.push_back(i);
    report::LogoOptions logo_options;
    logo_options.title = f.motif.id + " (" + std::to_string(f.sites) + " sites)";
    write_file_atomic(logo, report::logo_svg(f.motif.probabilities, logo_options));
  }
  io::write_meme((out / "filters.meme").string(), pwms);
  std::vector<std::optional<interpret::DatabaseHit>> hits(result.filters.size());
  if (database) {
    const auto matches = motif::compare_motifs(pwms, *database);
    write_file_atomic(out / "matches.tsv",
                      motif::format_tomtom_tsv(pwms, *database, matches, HELIX_VERSION, command));
    const auto best = interpret::best_hits(matches, pwms.size(), *database, 1.0);
    for (size_t i = 0; i < pwms.size(); ++i) {
      if (best[i] && best[i]->q_value < kMatchQ) hits[filter_of[i]] = best[i];
    }
  } else if (fs::exists(out / "matches.tsv")) {
    fs::remove(out / "matches.tsv");  // an earlier run's, against a database not used now
  }

  std::ostringstream tsv;
  tsv << "filter\tsites\tmax_activation\tmean_ic\tbest_match_id\tbest_match_name\tbest_match_q\n";
  int64_t matched = 0;
  for (size_t i = 0; i < result.filters.size(); ++i) {
    const auto& f = result.filters[i];
    const auto& hit = hits[i];
    matched += hit ? 1 : 0;
    tsv << f.filter << '\t' << f.sites << '\t' << tsv_number(f.max_activation) << '\t'
        << (f.dead ? "" : tsv_number(f.mean_ic)) << '\t' << (hit ? hit->target_id : "") << '\t'
        << (hit ? hit->target_name : "") << '\t' << (hit ? tsv_number(hit->q_value) : "") << '\n';
  }
  write_file_atomic(out / "filters.tsv", tsv.str());

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto n = result.filters.size();
  spdlog::info(
      "{} filters of width {} over {} windows of {} sequences ({} windows with other letters "
      "skipped): {} dead, {}; {:.1f} s; wrote {}",
      n, result.kernel, result.windows, result.sequences, result.skipped_windows,
      result.dead_filters(),
      database
          ? std::to_string(matched) + " of " + std::to_string(n) + " match the database at q < 0.05"
          : std::string("no database (--motifs) to match"),
      seconds, out.string());
  return 0;
}

}  // namespace

Command add_filter_motifs_command(CLI::App& parent) {
  auto args = std::make_shared<FilterMotifsArgs>();
  auto* cli = parent.add_subcommand(
      "filter-motifs",
      "First-layer filter motifs of a trained CNN (the Basset / basenji_motifs.py baseline to\n"
      "NeuronMotif): each first-layer filter's activation (after batch norm and ReLU) on every\n"
      "window of the input sequences that lies inside a sequence and holds only A/C/G/T (the\n"
      "model's padding is not used); the windows above --threshold x the filter's maximum give\n"
      "its PWM (base counts per column + --pseudocount, normalised). Filters never above 0 are\n"
      "dead (no PWM). With --motifs the PWMs are matched to the database by the built-in Tomtom.\n"
      "Outputs in OUT/: filters.meme (id f<filter>, nsites = windows used), filters.tsv (per\n"
      "filter: sites, max activation, mean information content in bits, best match at q <\n"
      "0.05), matches.tsv (with --motifs; q <= 0.5) and logos/f<filter>.svg.");
  cli->add_option("--model", args->model,
                  "model.safetensors of a conv_net (helix finetune --encoder none --model CONFIG); "
                  "its first conv layer is read, batch norm folded in")
      ->required();
  cli->add_option("--sequences", args->sequences,
                  "Sequences to scan: FASTA (plain or gzip) or a CSV/TSV table with a sequence "
                  "column, e.g. the training split")
      ->required();
  cli->add_option("--column", args->column, "Sequence column of a CSV/TSV input")
      ->capture_default_str();
  cli->add_option("--out", args->out, "Output directory")->required();
  cli->add_option("--motifs", args->motifs,
                  "Motif database to match against (MEME, JASPAR .jaspar/.pfm), e.g. "
                  "JASPAR2022_CORE_vertebrates_nr.pfm");
  cli->add_option("--threshold", args->threshold,
                  "A window is a site of a filter when its activation is above this fraction of "
                  "the filter's maximum over all windows, in [0, 1)")
      ->capture_default_str()
      ->check(within(0, 1, /*hi_open=*/true));
  cli->add_option("--pseudocount", args->pseudocount,
                  "Added to each base's count in every PWM column before normalising")
      ->capture_default_str()
      ->check(within(0, 1e6));
  cli->add_option("--max-sequences", args->max_sequences,
                  "Scan only the first N sequences of the file (0: all)")
      ->capture_default_str()
      ->check(within(0, 1e12));
  cli->add_option("--dist", args->dist,
                  "Tomtom column similarity for database matching (min overlap 5, both strands): "
                  "pearson, ed, sandelin or allr")
      ->capture_default_str();
  cli->add_option("--device", args->device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  add_threads_option(cli, args->threads, "CPU threads");
  return {cli, [args, cli] { return run_filter_motifs(*args, resolved_command_line(*cli)); }};
}

}  // namespace helix::app
