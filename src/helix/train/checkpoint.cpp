#include "helix/train/checkpoint.hpp"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <exception>
#include <fstream>

#include "helix/io/safetensors.hpp"
#include "helix/nn/module_tensors.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::train {
namespace fs = std::filesystem;

namespace {
std::optional<int64_t> step_of(const fs::path& dir) {
  const auto name = dir.filename().string();
  if (name.rfind("step-", 0) != 0) return std::nullopt;
  try {
    size_t used = 0;
    const auto step = std::stoll(name.substr(5), &used);
    if (used != name.size() - 5) return std::nullopt;
    return step;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::pair<int64_t, fs::path>> list_checkpoints(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto step = step_of(entry.path());
    // Only complete checkpoints count: state.json is written last, inside the temporary dir.
    if (step && fs::exists(entry.path() / "state.json")) out.emplace_back(*step, entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

fs::path save_checkpoint(const fs::path& checkpoints_dir, int64_t step,
                         const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                         torch::optim::Optimizer& optimizer, const nlohmann::json& state,
                         int keep) {
  fs::create_directories(checkpoints_dir);
  auto final_dir = checkpoints_dir / ("step-" + std::to_string(step));
  const auto tmp = temporary_sibling(final_dir);
  try {
    fs::create_directories(tmp);
    io::save_safetensors((tmp / "weights.safetensors").string(), tensors,
                         {{"step", std::to_string(step)}});
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to((tmp / "optimizer.pt").string());
    auto full_state = state;
    full_state["step"] = step;
    write_file_atomic(tmp / "state.json", full_state.dump(2) + "\n");
    if (fs::exists(final_dir)) {
      // Same step written again (e.g. SIGINT right after a periodic save): replace it.
      const auto old = temporary_sibling(final_dir);
      fs::rename(final_dir, old);
      fs::rename(tmp, final_dir);
      fs::remove_all(old);
    } else {
      fs::rename(tmp, final_dir);
    }
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw Error("cannot write checkpoint " + final_dir.string() + ": " + e.what());
  }
  write_file_atomic(checkpoints_dir / "latest", final_dir.filename().string() + "\n");
  auto all = list_checkpoints(checkpoints_dir);
  for (size_t i = 0; keep > 0 && i + keep < all.size(); ++i) {
    // Renamed out of the step-N namespace first: a kill during the (non-atomic) removal then
    // leaves a temporary that is cleaned later, never a partial step-N a resume would load.
    const auto doomed = temporary_sibling(all[i].second);
    fs::rename(all[i].second, doomed);
    fs::remove_all(doomed);
  }
  remove_stale_checkpoint_files(checkpoints_dir);
  return final_dir;
}

void remove_stale_checkpoint_files(const fs::path& checkpoints_dir) {
  std::error_code ec;
  if (!fs::is_directory(checkpoints_dir, ec)) return;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(checkpoints_dir, ec)) {
    const auto name = entry.path().filename().string();
    const bool temporary =
        name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos;
    const bool incomplete = step_of(entry.path()) && !fs::exists(entry.path() / "state.json");
    if (temporary || incomplete) stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path, ec);
}

bool holds_checkpoint(const fs::path& checkpoints_dir) {
  return !list_checkpoints(checkpoints_dir).empty();
}

FreshRunCleanup::FreshRunCleanup(fs::path out, std::vector<std::string> run_files, bool armed)
    : out_(std::move(out)),
      run_files_(std::move(run_files)),
      armed_(armed),
      exceptions_(std::uncaught_exceptions()) {}

FreshRunCleanup::~FreshRunCleanup() {
  if (!armed_ || std::uncaught_exceptions() <= exceptions_) return;
  std::error_code ignored;
  if (holds_checkpoint(out_ / "checkpoints")) return;
  for (const auto& name : run_files_) fs::remove_all(out_ / name, ignored);
  fs::remove(out_, ignored);  // only if empty
}

std::optional<Checkpoint> load_latest_checkpoint(const fs::path& checkpoints_dir) {
  auto all = list_checkpoints(checkpoints_dir);
  if (all.empty()) return std::nullopt;
  Checkpoint c;
  c.step = all.back().first;
  c.directory = all.back().second;
  std::ifstream in(c.directory / "state.json");
  try {
    c.state = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError((c.directory / "state.json").string(), 0,
                     std::string("invalid JSON: ") + e.what());
  }
  const auto weights = io::load_safetensors((c.directory / "weights.safetensors").string());
  for (const auto& [name, tensor] : weights.tensors) c.tensors[name] = tensor;
  return c;
}

void load_optimizer(const Checkpoint& checkpoint, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive;
  archive.load_from((checkpoint.directory / "optimizer.pt").string());
  optimizer.load(archive);
}

void load_module(const Checkpoint& checkpoint, const std::string& prefix,
                 torch::nn::Module& module) {
  nn::load_module_tensors(checkpoint.tensors, prefix, module, [&](const std::string& problem) {
    throw Error("checkpoint " + checkpoint.directory.string() + ": " + problem +
                " (was it written with another model config?)");
  });
}

void truncate_metrics_log(const std::filesystem::path& path, int64_t step) {
  if (!std::filesystem::exists(path)) return;
  std::ifstream in(path);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (nlohmann::json::parse(line).value("step", int64_t{0}) > step) continue;
    } catch (const nlohmann::json::exception&) {
      continue;  // a torn last line from a killed run
    }
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

}  // namespace helix::train
