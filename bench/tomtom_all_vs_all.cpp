// Tomtom speed: all 838 JASPAR 2022 CORE vertebrate (non-redundant) motifs against themselves,
// both strands, Pearson, MEME's default thresholds (MEME 4.12's tomtom takes 8 min on one core).
// Prints one JSON object; a "skipped" one when the shared motif file is absent.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "helix/io/motif_file.hpp"
#include "helix/motif/tomtom.hpp"

int main() {
  const std::string path =
      std::string(HELIX_SOURCE_DIR) + "/../shared/data/motifs/JASPAR2022_CORE_vertebrates_nr.pfm";
  if (!std::filesystem::exists(path)) {
    std::cout << nlohmann::json{{"bench", "tomtom_all_vs_all"}, {"skipped", "no " + path}}.dump()
              << std::endl;
    return 0;
  }
  const auto motifs = helix::io::read_motifs(path);
  helix::motif::TomtomOptions options;
  const auto start = std::chrono::steady_clock::now();
  const helix::motif::TomtomDatabase database(motifs, options);
  const auto matches = helix::motif::compare_motifs(motifs, database);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << nlohmann::json{{"bench", "tomtom_all_vs_all"},
                              {"queries", motifs.size()},
                              {"targets", motifs.size()},
                              {"matches", matches.size()},
                              {"seconds", seconds},
                              {"threads", std::max(1U, std::thread::hardware_concurrency())}}
                   .dump()
            << std::endl;
  return 0;
}
