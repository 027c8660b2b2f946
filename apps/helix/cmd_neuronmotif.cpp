// helix neuronmotif: what the neurons of a trained CNN respond to, as motifs and grammar
// (NeuronMotif, Wei et al. PNAS 2023), matched to a motif database by the built-in Tomtom.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "helix/interpret/annotate.hpp"
#include "helix/interpret/neuron.hpp"
#include "helix/interpret/neuronmotif.hpp"
#include "helix/io/motif_file.hpp"
#include "helix/motif/tomtom.hpp"
#include "helix/nn/conv_net.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/report/logo.hpp"
#include "helix/report/neuronmotif_report.hpp"
#include "helix/train/device.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"
#include "helix/util/output_path.hpp"
#include "shared_args.hpp"

namespace helix::app {
namespace {

namespace fs = std::filesystem;

struct NeuronMotifArgs {
  std::string model;
  int64_t layer = 0;
  std::vector<int64_t> neurons;
  std::string out;
  std::string motifs;
  std::string motif_nb = "auto";
  int64_t max_motif_nb = 3;
  std::string constants = "paper";
  bool no_seed = false;
  int64_t population = 0;
  int64_t max_generations = 200;
  int64_t max_samples = 100000;
  uint64_t seed = 1;
  std::string dist = "pearson";
  std::string device = "cpu";
  int threads = 0;
  bool force = false;
};

fs::path layer_dir(const NeuronMotifArgs& a, int64_t layer) {
  return fs::path(a.out) / ("layer_" + std::to_string(layer + 1));
}

std::string tsv_number(double v) { return format_significant(v, 6); }

// The finished bundle of `layer` in the output directory, when it is complete.
std::optional<interpret::LayerResult> finished_layer(const NeuronMotifArgs& a, int64_t layer) {
  const auto path = layer_dir(a, layer) / "leaves.json";
  if (!fs::exists(path)) return std::nullopt;
  std::ifstream in(path);
  nlohmann::json bundle;
  try {
    in >> bundle;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged bundle is recomputed
  }
  if (!bundle.value("complete", false)) return std::nullopt;
  return interpret::layer_from_bundle(bundle, path.string());
}

// `lower`: the finished layers below `layer`, in order, as far as they go; when all are there
// each grammar node gets its earliest layer.
void write_layer_outputs(const NeuronMotifArgs& a, const interpret::LayerResult& layer,
                         bool complete, const motif::TomtomDatabase* database,
                         const std::string& command,
                         const std::vector<interpret::LayerResult>& lower) {
  const auto dir = layer_dir(a, layer.layer);
  write_file_atomic(dir / "leaves.json", interpret::bundle_json(layer, complete).dump(1) + "\n");
  // All leaf PPMs, then the annotation segments, in MEME format.
  std::vector<motif::Motif> leaves;
  for (const auto& neuron : layer.neurons) {
    for (size_t l = 0; l < neuron.leaves.size(); ++l) {
      motif::Motif m;
      m.id = interpret::leaf_id(neuron.neuron, l, neuron.leaves[l]);
      m.probabilities = neuron.leaves[l].ppm;
      m.sites = double(neuron.leaves[l].n);
      leaves.push_back(std::move(m));
    }
  }
  io::write_meme((dir / "motifs.meme").string(), leaves);
  // One SVG logo per leaf, for papers and pages outside the report.
  fs::create_directories(dir / "logos");
  for (const auto& m : leaves) {
    report::LogoOptions logo;
    logo.title = m.id;
    write_file_atomic(dir / "logos" / (m.id + ".svg"), report::logo_svg(m.probabilities, logo));
  }
  const interpret::SegmentOptions segment_options;
  const auto segments = interpret::annotation_motifs(layer, segment_options);
  std::vector<motif::Motif> segment_motifs;
  segment_motifs.reserve(segments.size());
  for (const auto& s : segments) segment_motifs.push_back(s.motif);
  io::write_meme((dir / "segments.meme").string(), segment_motifs);

  // Database matches of the segments; per leaf the best one.
  std::vector<std::vector<std::optional<interpret::DatabaseHit>>> leaf_hits(layer.neurons.size());
  for (size_t i = 0; i < layer.neurons.size(); ++i) {
    leaf_hits[i].resize(layer.neurons[i].leaves.size());
  }
  if (database != nullptr) {
    const auto matches = motif::compare_motifs(segment_motifs, *database);
    write_file_atomic(
        dir / "matches.tsv",
        motif::format_tomtom_tsv(segment_motifs, *database, matches, HELIX_VERSION, command));
    // Per leaf, the best hit of any of its segments.
    const auto segment_hits = interpret::best_hits(matches, segments.size(), *database, 1.0);
    std::map<int64_t, size_t> index_of;
    for (size_t i = 0; i < layer.neurons.size(); ++i) index_of[layer.neurons[i].neuron] = i;
    for (size_t j = 0; j < segments.size(); ++j) {
      auto& best = leaf_hits[index_of[segments[j].neuron]][segments[j].leaf];
      if (segment_hits[j] && (!best || segment_hits[j]->p_value < best->p_value)) {
        best = segment_hits[j];
      }
    }
  }
  // Dictionary and grammar per neuron.
  std::vector<interpret::NeuronGrammar> grammars;
  std::ostringstream dictionary_tsv, grammar_tsv, neurons_tsv;
  dictionary_tsv
      << "neuron\tmotif\tmotif_id\tleaves\tsegments\tmatch_id\tmatch_name\tq_value\tleftover\n";
  grammar_tsv << "neuron\tmotifs\tgaps\tleaves\tpartial_leaves\ttree\tearliest_layers\n";
  neurons_tsv
      << "neuron\tmethod\tgenerations\tevaluated\tsamples\tmax_activation\tleaves\t"
         "best_c_over_m\tbest_match_id\tbest_match_name\tbest_match_q\tsampling_seconds\tseconds\n";
  std::vector<motif::Motif> dictionary_motifs;
  const interpret::GrammarOptions grammar_options;
  // Earliest layers only when every layer below is at hand (else "earliest" would mislead).
  std::vector<interpret::LayerSegments> lower_segments;
  if (layer.layer > 0 && int64_t(lower.size()) == layer.layer) {
    for (const auto& below : lower) {
      lower_segments.push_back(interpret::layer_segments(below, grammar_options.segments));
    }
  }
  for (size_t i = 0; i < layer.neurons.size(); ++i) {
    const auto& neuron = layer.neurons[i];
    grammars.push_back(interpret::neuron_grammar(neuron, database, grammar_options));
    if (!lower_segments.empty()) {
      interpret::annotate_earliest_layers(grammars.back(), layer.layer, lower_segments,
                                          grammar_options);
    }
    for (const auto& d : grammars.back().dictionary) {
      dictionary_tsv << neuron.neuron << '\t' << d.label << '\t' << d.motif.id << '\t' << d.leaves
                     << '\t' << d.segments << '\t' << (d.hit ? d.hit->target_id : "") << '\t'
                     << (d.hit ? d.hit->target_name : "") << '\t'
                     << (d.hit ? tsv_number(d.hit->q_value) : "") << '\t'
                     << (d.leftover ? "yes" : "no") << '\n';
      auto m = d.motif;
      m.name = d.label;
      dictionary_motifs.push_back(std::move(m));
    }
    for (const auto& p : grammars.back().patterns) {
      std::string motifs, gaps;
      for (size_t j = 0; j < p.motifs.size(); ++j) motifs += (j ? "," : "") + p.motifs[j];
      for (size_t j = 0; j < p.gaps.size(); ++j) gaps += (j ? "," : "") + p.gaps[j];
      std::string earliest;
      for (const auto& node : p.nodes) {
        if (node.earliest_layer == 0) continue;
        earliest +=
            (earliest.empty() ? "" : "; ") + node.text + "=" + std::to_string(node.earliest_layer);
      }
      grammar_tsv << neuron.neuron << '\t' << motifs << '\t' << gaps << '\t' << p.leaves << '\t'
                  << p.partial_leaves << '\t' << p.tree << '\t' << earliest << '\n';
    }
    std::optional<interpret::DatabaseHit> best;
    for (const auto& h : leaf_hits[i]) {
      if (h && (!best || h->p_value < best->p_value)) best = h;
    }
    neurons_tsv << neuron.neuron << '\t' << neuron.method << '\t' << neuron.generations << '\t'
                << neuron.evaluated << '\t' << neuron.samples << '\t'
                << tsv_number(neuron.max_activation) << '\t' << neuron.leaves.size() << '\t'
                << tsv_number(interpret::best_quality(neuron.leaves)) << '\t'
                << (best ? best->target_id : "") << '\t' << (best ? best->target_name : "") << '\t'
                << (best ? tsv_number(best->q_value) : "") << '\t'
                << format_significant(neuron.sampling_seconds, 3) << '\t'
                << format_significant(neuron.seconds, 3) << '\n';
  }
  write_file_atomic(dir / "neurons.tsv", neurons_tsv.str());
  write_file_atomic(dir / "dictionary.tsv", dictionary_tsv.str());
  write_file_atomic(dir / "grammar.tsv", grammar_tsv.str());
  io::write_meme((dir / "dictionary.meme").string(), dictionary_motifs);

  report::NeuronMotifReportInput input;
  input.layer = &layer;
  input.model_path = a.model;
  input.database_path = a.motifs;
  input.leaf_hits = std::move(leaf_hits);
  input.grammars = std::move(grammars);
  report::write_html((dir / "report.html").string(), report::neuronmotif_report(input));
}

// FNV-1a of the model file: identifies the network whose samples OUT holds.
std::string file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t hash = 1469598103934665603ULL;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash = (hash ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// Samples and bundles in OUT are only valid for the model and sampling settings that made them:
// OUT/neuronmotif.json records those, and another model or setting is refused (or, with
// --force, OUT's previous results are removed).
void check_results_identity(const NeuronMotifArgs& a) {
  const nlohmann::json identity = {
      {"model", file_fingerprint(a.model)}, {"seed", a.seed},
      {"constants", a.constants},           {"no_seed", a.no_seed},
      {"population", a.population},         {"max_generations", a.max_generations},
      {"max_samples", a.max_samples}};
  const auto path = fs::path(a.out) / "neuronmotif.json";
  if (fs::exists(path)) {
    std::ifstream in(path);
    const auto previous = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (previous != identity) {
      if (!a.force) {
        throw UsageError(a.out +
                         " holds NeuronMotif results of another model or other sampling "
                         "settings (see its neuronmotif.json); use another --out, or --force to "
                         "replace them");
      }
      for (const auto& entry : fs::directory_iterator(a.out)) {
        if (entry.path().filename().string().rfind("layer_", 0) == 0) fs::remove_all(entry.path());
      }
    }
  }
  fs::create_directories(a.out);
  write_file_atomic(path, identity.dump(1) + "\n");
}

int run_neuronmotif(const NeuronMotifArgs& a, const std::string& command) {
  {
    std::vector<std::string> written = {"neuronmotif.json"};
    for (int64_t l = 1; l <= a.layer; ++l) written.push_back("layer_" + std::to_string(l));
    check_output_directory(a.out, written, {a.model, a.motifs});
  }
  const auto device = train::resolve_device(a.device);
  apply_threads(a.threads);
  nn::ConvNet net(load_conv_net(a.model, "NeuronMotif interprets").net);
  if (net->options().padding != "valid") {
    spdlog::info(
        "{} uses padding: {}; interpreting its interior neurons (each cropped to its receptive "
        "field, where the padding never reaches)",
        a.model, net->options().padding);
    net = interpret::with_valid_padding(net);
  }
  const int64_t layer = a.layer - 1;
  const auto geometry = interpret::layer_geometry(*net, layer);  // layer range
  for (const auto k : a.neurons) {
    if (k >= geometry.channels) {
      throw UsageError("--neurons " + std::to_string(k) + " out of range: layer " +
                       std::to_string(a.layer) + " has neurons 0.." +
                       std::to_string(geometry.channels - 1));
    }
  }
  // Everything checked: only now is OUT created.
  std::unique_ptr<motif::TomtomDatabase> database;
  if (!a.motifs.empty()) database = read_motif_database(a.motifs, a.dist, a.threads);
  check_results_identity(a);
  interpret::NeuronMotifOptions options;
  options.device = device;
  net->to(options.device);
  options.max_motif_nb = a.max_motif_nb;
  if (a.motif_nb != "auto") {
    try {
      options.motif_nb = std::stoll(a.motif_nb);
    } catch (const std::exception&) {
      options.motif_nb = 0;
    }
    if (options.motif_nb < 1 || options.motif_nb > 10) {
      throw UsageError("--motif-nb must be 'auto' or an integer in [1, 10], got '" + a.motif_nb +
                       "'");
    }
  }
  if (a.constants == "neuronmotif") {  // the constants of the NeuronMotif/ folder (bug N7)
    options.sampler.stratify_bins = 20;
    options.demix.ppm_bins = 20;
    options.demix.min_leaf = 50;
  }
  options.sampler.population = a.population;
  options.sampler.max_generations = a.max_generations;
  options.sampler.max_samples = a.max_samples;
  options.sampler.seed = a.seed;
  options.demix.seed = a.seed;
  const bool exhaustive_everywhere = net->receptive_field(layer) < options.sampler.exhaustive_below;
  // The finished layers below seed the genetic algorithm of the next one (missing ones are run
  // first) and date each grammar node.
  const bool seeding = !a.no_seed && !exhaustive_everywhere;
  std::vector<interpret::SeedMotif> seeds;
  std::vector<interpret::LayerResult> lower;
  for (int64_t l = 0; l < layer; ++l) {
    auto below = finished_layer(a, l);
    if (!below) {
      if (!seeding) break;
      spdlog::info("layer {} (all neurons) first: it seeds layer {}", l + 1, l + 2);
      translate_torch_error("NeuronMotif layer " + std::to_string(l + 1), [&] {
        below = interpret::run_layer(net, l, {}, seeds, options, layer_dir(a, l).string());
      });
      write_layer_outputs(a, *below, true, database.get(), command, lower);
    }
    if (seeding) seeds = interpret::seeds_from_layer(*below);
    lower.push_back(std::move(*below));
  }
  interpret::LayerResult result;
  translate_torch_error("NeuronMotif layer " + std::to_string(a.layer), [&] {
    result =
        interpret::run_layer(net, layer, a.neurons, seeds, options, layer_dir(a, layer).string());
  });
  write_layer_outputs(a, result, a.neurons.empty(), database.get(), command, lower);
  spdlog::info("wrote {}", (layer_dir(a, layer) / "report.html").string());
  return 0;
}

}  // namespace

Command add_neuronmotif_command(CLI::App& parent) {
  auto args = std::make_shared<NeuronMotifArgs>();
  auto* cli = parent.add_subcommand(
      "neuronmotif",
      "Interpret the neurons of a trained CNN (NeuronMotif): sample the sequences that activate\n"
      "each neuron of a conv layer (all 4^RF when the receptive field RF < 11 bp, else a genetic\n"
      "algorithm seeded with the layer below), demix them into leaves by clustering the lower\n"
      "layers' feature maps, and write per leaf an activation-weighted PPM, per neuron a motif\n"
      "dictionary and grammar, and with --motifs their best database matches (built-in Tomtom).\n"
      "Outputs in OUT/layer_<L>/: motifs.meme, segments.meme, matches.tsv, neurons.tsv,\n"
      "dictionary.tsv, dictionary.meme, grammar.tsv, leaves.json, report.html, logos/ (one\n"
      "SVG per leaf), samples/.\n"
      "Lower layers needed for seeding are run first (or reused from OUT); sampled neurons are\n"
      "kept in OUT/layer_<L>/samples, so an interrupted run resumes. OUT/neuronmotif.json\n"
      "records the model and sampling settings; OUT is refused for another (see --force).");
  cli->add_option("--model", args->model,
                  "model.safetensors of a conv_net (helix finetune --encoder none --model CONFIG); "
                  "with 'same' padding its interior neurons are interpreted, each cropped to its "
                  "receptive field")
      ->required();
  cli->add_option("--layer", args->layer, "Conv layer to interpret (1-based)")
      ->required()
      ->check(within(1, 1000));
  cli->add_option("--neurons", args->neurons,
                  "Neurons (0-based channels) of that layer; default all")
      ->delimiter(',')
      ->check(within(0, 1e6));
  cli->add_option("--out", args->out, "Output directory")->required();
  cli->add_option("--motifs", args->motifs,
                  "Motif database to match against (MEME, JASPAR .jaspar/.pfm), e.g. "
                  "JASPAR2022_CORE_vertebrates_nr.pfm");
  cli->add_option("--dist", args->dist,
                  "Tomtom column similarity for database matching: pearson, ed (what the "
                  "NeuronMotif authors' runs used), sandelin or allr")
      ->capture_default_str();
  cli->add_option("--motif-nb", args->motif_nb,
                  "Motifs per neuron m (pool sizes raised to the m-th power when demixing): auto "
                  "(the C/M test, up to --max-motif-nb) or a number")
      ->capture_default_str();
  cli->add_option("--max-motif-nb", args->max_motif_nb, "Largest m tried by --motif-nb auto")
      ->capture_default_str()
      ->check(within(1, 10));
  cli->add_option("--constants", args->constants,
                  "paper (50 bins, no minimum leaf size: the paper and demo copies) or "
                  "neuronmotif (20 bins, leaves of at least 50: the NeuronMotif/ folder)")
      ->capture_default_str()
      ->check(CLI::IsMember({"paper", "neuronmotif"}));
  cli->add_flag("--no-seed", args->no_seed,
                "Start the genetic algorithm from random sequences instead of the layer below's "
                "motifs (no lower layers are run)");
  cli->add_option("--population", args->population,
                  "Genetic algorithm population, 10 to 1000000; 0: clamp(floor(RF/20)*1000, 2000, "
                  "5000)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) {
            return text == "0" ? std::string() : within(10, 1e6).operator()(text);
          },
          "0 or in [10, 1000000]"));
  cli->add_option("--max-generations", args->max_generations, "Genetic algorithm generations")
      ->capture_default_str()
      ->check(within(1, 1e6));
  cli->add_option("--max-samples", args->max_samples,
                  "Activating sequences kept per neuron (stratified by activation)")
      ->capture_default_str()
      ->check(within(1, 1e9));
  cli->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cli->add_flag("--force", args->force,
                "Replace results in --out made from another model or other sampling settings "
                "(otherwise refused)");
  cli->add_option("--device", args->device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  add_threads_option(cli, args->threads, "CPU threads");
  return {cli, [args, cli] { return run_neuronmotif(*args, resolved_command_line(*cli)); }};
}

}  // namespace helix::app
