// Options shared by the commands that read labelled splits (probe, finetune), and reading them
// consistently: dev and test are read with the training split's task and aligned to its classes.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "helix/data/labeled.hpp"

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

struct Splits {
  data::LabeledSet train;
  std::unique_ptr<data::LabeledSet> dev;   // null when no path was given
  std::unique_ptr<data::LabeledSet> test;  // null when no path was given
};

Splits read_splits(const LabeledArgs& args, const std::string& train, const std::string& dev,
                   const std::string& test);

}  // namespace helix::app
