// End-to-end tests of `helix pretrain` (and the program's global options): runs the built binary
// on a small synthetic genome and checks its exit codes, messages and run directory.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <set>

#include "cli_helpers.hpp"
#include "helix/io/safetensors.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/train/checkpoint.hpp"

namespace helix::cli_test {
namespace {

using nlohmann::json;

class PretrainCliTest : public ::testing::Test {
 protected:
  TinySetup setup_;
  const fs::path& dir() const { return setup_.dir.path(); }
  std::string config() const { return setup_.config.string(); }

  // `helix pretrain --config tiny.yaml --out OUT EXTRA...`
  CmdResult pretrain(const fs::path& out, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"pretrain", "--config", config(), "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_helix(args);
  }

  // A bad-input run: exit code 2, every substring in stderr, and no run directory left behind.
  void expect_bad_input(const std::vector<std::string>& args,
                        const std::vector<std::string>& substrings, const fs::path& out) {
    ASSERT_FALSE(fs::exists(out)) << "test setup: " << out << " should not exist yet";
    const auto r = run_helix(args);
    EXPECT_EQ(r.code, 2) << r.describe();
    for (const auto& s : substrings) {
      EXPECT_NE(r.err.find(s), std::string::npos) << "stderr lacks '" << s << "'\n" << r.describe();
    }
    EXPECT_FALSE(fs::exists(out)) << "a failed run left " << out << " behind";
  }
  void expect_bad_genome(const fs::path& genome, const std::vector<std::string>& substrings,
                         const std::vector<std::string>& extra = {}) {
    const fs::path out = dir() / "run_bad";
    std::vector<std::string> args = {"pretrain", "--config",   config(),
                                     "--out",    out.string(), "data.genome=" + genome.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    expect_bad_input(args, substrings, out);
  }
};

double mean_of(const std::vector<json>& records, size_t begin, size_t end, const char* key) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += records[i].at(key).get<double>();
  return sum / static_cast<double>(end - begin);
}

int64_t latest_step(const fs::path& run) {
  auto checkpoint = train::load_latest_checkpoint(run / "checkpoints");
  return checkpoint ? checkpoint->step : -1;
}

// Steps of the records, in file order.
std::vector<int64_t> steps_of(const std::vector<json>& records) {
  std::vector<int64_t> steps;
  for (const auto& r : records) steps.push_back(r.at("step").get<int64_t>());
  return steps;
}

std::vector<int64_t> one_to(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{1});
  return v;
}

// Lines of a file being written (log_every=1: one per step so far).
int64_t complete_records(const fs::path& path) {
  const std::string text = read_text(path);
  return std::count(text.begin(), text.end(), '\n');
}

bool all_finite(const at::Tensor& t) { return at::isfinite(t).all().item<bool>(); }

// ---------------------------------------------------------------------------------------------
// Smoke training

TEST_F(PretrainCliTest, SmokeTrainingLearnsAndWritesTheRunDirectory) {
  const fs::path out = dir() / "run";
  const auto r =
      pretrain(out, {"train.steps=240", "train.log_every=1", "train.val_every=80",
                     "train.checkpoint_every=80", "train.lr=1e-3", "train.warmup_fraction=0.1"});
  ASSERT_EQ(r.code, 0) << r.describe();

  // metrics.jsonl: one record per step, with the documented fields, finite.
  const auto records = read_metrics(out / "metrics.jsonl");
  ASSERT_EQ(steps_of(records), one_to(240));
  for (const auto& rec : records) {
    for (const char* key : {"loss", "mlm_loss", "distill_loss", "mlm_acc", "lr", "seq_per_s"}) {
      ASSERT_TRUE(rec.contains(key)) << key << " missing in " << rec.dump();
      ASSERT_TRUE(std::isfinite(rec.at(key).get<double>())) << rec.dump();
    }
    const double acc = rec.at("mlm_acc").get<double>();
    EXPECT_TRUE(acc >= 0 && acc <= 1) << rec.dump();
    EXPECT_GE(rec.at("lr").get<double>(), 0.0);
    EXPECT_LE(rec.at("lr").get<double>(), 1e-3 * (1 + 1e-9));
    const int64_t step = rec.at("step").get<int64_t>();
    const bool validation = step % 80 == 0;
    for (const char* key : {"val_mlm_loss", "val_mlm_acc", "val_majority_acc"}) {
      EXPECT_EQ(rec.contains(key), validation) << key << " at step " << step;
    }
    if (validation) {
      EXPECT_TRUE(std::isfinite(rec.at("val_mlm_loss").get<double>()));
      EXPECT_GT(rec.at("val_majority_acc").get<double>(), 0.0);
      EXPECT_LE(rec.at("val_majority_acc").get<double>(), 1.0);
    }
  }
  // The learning rate warms up, peaks and decays (cosine to 0 at the end).
  EXPECT_LT(records.front().at("lr").get<double>(), 1e-4);
  EXPECT_LT(records.back().at("lr").get<double>(), 1e-5);

  // It learns: the masked-nucleotide loss of the last 20 steps is clearly below the first 20.
  const double first = mean_of(records, 0, 20, "mlm_loss");
  const double last = mean_of(records, records.size() - 20, records.size(), "mlm_loss");
  EXPECT_LT(last, first - 0.05) << "first 20 steps " << first << ", last 20 steps " << last;

  // config.yaml is the resolved config (defaults plus file plus overrides) and parses back.
  ASSERT_TRUE(fs::exists(out / "config.yaml"));
  const YAML::Node resolved = YAML::LoadFile((out / "config.yaml").string());
  EXPECT_EQ(resolved["train"]["steps"].as<int64_t>(), 240);
  EXPECT_EQ(resolved["data"]["window"].as<int64_t>(), 64);
  EXPECT_EQ(resolved["data"]["genome"].as<std::string>(), setup_.genome.string());
  EXPECT_EQ(resolved["findna"]["mask_prob"].as<double>(), 0.3);  // a default

  // Checkpoints: the newest two of 80, 160, 240 are kept; `latest` names step-240.
  EXPECT_FALSE(fs::exists(out / "checkpoints" / "step-80"));
  EXPECT_TRUE(fs::exists(out / "checkpoints" / "step-160"));
  const fs::path ckpt = out / "checkpoints" / "step-240";
  for (const char* name : {"weights.safetensors", "optimizer.pt", "state.json"}) {
    EXPECT_TRUE(fs::is_regular_file(ckpt / name)) << name;
  }
  EXPECT_EQ(read_text(out / "checkpoints" / "latest"), "step-240\n");
  EXPECT_EQ(json::parse(read_text(ckpt / "state.json")).at("step").get<int64_t>(), 240);
  EXPECT_EQ(latest_step(out), 240);

  // Student and EMA teacher: same tensors, close but not equal.
  const auto weights = io::load_safetensors((ckpt / "weights.safetensors").string());
  std::map<std::string, at::Tensor> by_name(weights.tensors.begin(), weights.tensors.end());
  double diff_sq = 0, norm_sq = 0;
  int pairs = 0;
  for (const auto& [name, student] : by_name) {
    if (name.rfind("student.", 0) != 0) continue;
    const auto it = by_name.find("teacher." + name.substr(8));
    ASSERT_NE(it, by_name.end()) << "no teacher tensor for " << name;
    const auto& teacher = it->second;
    ASSERT_EQ(student.sizes(), teacher.sizes()) << name;
    ASSERT_TRUE(all_finite(student) && all_finite(teacher)) << name;
    diff_sq += (student - teacher).to(at::kDouble).pow(2).sum().item<double>();
    norm_sq += student.to(at::kDouble).pow(2).sum().item<double>();
    ++pairs;
  }
  EXPECT_GE(pairs, 4);
  EXPECT_EQ(static_cast<size_t>(2 * pairs + 1), weights.tensors.size())
      << "expected student.*, teacher.* and distill.center";
  EXPECT_TRUE(by_name.count("distill.center"));
  const double relative = std::sqrt(diff_sq / norm_sq);
  EXPECT_GT(relative, 0.0) << "the teacher is not an average of the student";
  EXPECT_LT(relative, 0.3) << "the teacher is far from the student";

  // encoder.safetensors is the teacher's encoder at the last checkpoint.
  ASSERT_TRUE(fs::exists(out / "encoder.safetensors"));
  const auto encoder_file = io::load_safetensors((out / "encoder.safetensors").string());
  EXPECT_EQ(encoder_file.metadata.at("step"), "240");
  ASSERT_FALSE(encoder_file.tensors.empty());
  for (const auto& [name, tensor] : encoder_file.tensors) {
    const auto it = by_name.find("teacher.encoder." + name);
    ASSERT_NE(it, by_name.end()) << name;
    EXPECT_TRUE(at::equal(tensor, it->second)) << name;
  }
  const auto loaded = nn::load_encoder((out / "encoder.safetensors").string());
  EXPECT_EQ(loaded.encoder->output_dim(), 32);  // (ceil(log2(64 + 2)) + 1) * 4
  EXPECT_EQ(loaded.alphabet, "acgtn");
}

// ---------------------------------------------------------------------------------------------
// Resume

TEST_F(PretrainCliTest, StopAfterThenResumeMatchesAnUninterruptedRunExactly) {
  const std::vector<std::string> overrides = {"train.steps=8", "train.log_every=1"};
  const fs::path a = dir() / "run_a";
  const fs::path b = dir() / "run_b";
  const auto ra = pretrain(a, overrides);
  ASSERT_EQ(ra.code, 0) << ra.describe();

  auto b_args = overrides;
  b_args.insert(b_args.end(), {"--stop-after", "4"});
  const auto rb1 = pretrain(b, b_args);
  ASSERT_EQ(rb1.code, 0) << rb1.describe();
  EXPECT_EQ(steps_of(read_metrics(b / "metrics.jsonl")), one_to(4));
  EXPECT_EQ(latest_step(b), 4);

  // --resume alone: the run's own config.yaml.
  const auto rb2 = run_helix({"pretrain", "--out", b.string(), "--resume"});
  ASSERT_EQ(rb2.code, 0) << rb2.describe();

  const auto ma = read_metrics(a / "metrics.jsonl");
  const auto mb = read_metrics(b / "metrics.jsonl");
  ASSERT_EQ(steps_of(ma), one_to(8));
  ASSERT_EQ(steps_of(mb), one_to(8));
  for (size_t i = 0; i < ma.size(); ++i) {
    for (const char* key : {"loss", "mlm_loss", "distill_loss", "mlm_acc", "lr", "ema_momentum"}) {
      EXPECT_EQ(ma[i].at(key).get<double>(), mb[i].at(key).get<double>())
          << key << " differs at step " << i + 1;
    }
  }
  // The final validation (step 8) and the weights agree too.
  ASSERT_TRUE(ma.back().contains("val_mlm_loss"));
  ASSERT_TRUE(mb.back().contains("val_mlm_loss"));
  EXPECT_EQ(ma.back()["val_mlm_loss"].get<double>(), mb.back()["val_mlm_loss"].get<double>());
  const auto wa = io::load_safetensors((a / "checkpoints/step-8/weights.safetensors").string());
  const auto wb = io::load_safetensors((b / "checkpoints/step-8/weights.safetensors").string());
  ASSERT_EQ(wa.tensors.size(), wb.tensors.size());
  for (size_t i = 0; i < wa.tensors.size(); ++i) {
    EXPECT_EQ(wa.tensors[i].first, wb.tensors[i].first);
    EXPECT_TRUE(at::equal(wa.tensors[i].second, wb.tensors[i].second)) << wa.tensors[i].first;
  }
}

TEST_F(PretrainCliTest, FixedBatchesRepeatTheSameWindowsAndViews) {
  // With lr = 0 the student never changes, so its masked-nucleotide loss depends on the batch
  // alone: identical at every step when one batch is drawn once and repeated (the original
  // code's precomputed dataset, bug B5), different when views are drawn fresh (the default).
  const std::vector<std::string> common = {"train.steps=4", "train.log_every=1", "train.lr=0"};
  auto fixed = common;
  fixed.push_back("data.fixed_batches=1");
  const auto rf = pretrain(dir() / "fixed", fixed);
  ASSERT_EQ(rf.code, 0) << rf.describe();
  const auto rd = pretrain(dir() / "fresh", common);
  ASSERT_EQ(rd.code, 0) << rd.describe();
  const auto mf = read_metrics(dir() / "fixed" / "metrics.jsonl");
  const auto md = read_metrics(dir() / "fresh" / "metrics.jsonl");
  ASSERT_EQ(mf.size(), 4u);
  ASSERT_EQ(md.size(), 4u);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(mf[i].at("mlm_loss").get<double>(), mf[0].at("mlm_loss").get<double>()) << i;
    EXPECT_NE(md[i].at("mlm_loss").get<double>(), md[0].at("mlm_loss").get<double>()) << i;
  }
}

TEST_F(PretrainCliTest, FaithfulPresetResolvesEveryOriginalBehaviour) {
  const auto r =
      run_helix({"pretrain", "--config",
                 std::string(HELIX_SOURCE_DIR) + "/configs/findna-faithful.yaml", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("\"params\":12651873"), std::string::npos) << r.out;
}

TEST_F(PretrainCliTest, DryRunRejectsInvalidChoices) {
  for (const char* bad : {"train.device=tpu", "findna.rc_mode=mirror", "findna.mnm_loss=mse",
                          "data.chromosome_weighting=random", "model.alphabet=rna"}) {
    const auto r = run_helix({"pretrain", "--dry-run", bad});
    EXPECT_EQ(r.code, 2) << bad << "\n" << r.describe();
  }
}

TEST_F(PretrainCliTest, ResumeWorksFromAnotherWorkingDirectory) {
  // The genome is given relative to the first working directory; config.yaml stores it absolute,
  // so the resume (run from the test's own working directory) still finds it.
  const fs::path out = dir() / "run";
  const auto first = "cd " + shell_quote(setup_.genome.parent_path().string()) + " && " +
                     shell_quote(helix_binary()) + " pretrain --config " + shell_quote(config()) +
                     " --out " + shell_quote(out.string()) +
                     " data.genome=" + shell_quote(setup_.genome.filename().string()) +
                     " train.steps=4 train.log_every=1 --stop-after 2";
  const auto r1 = run_command(first);
  ASSERT_EQ(r1.code, 0) << r1.describe();
  const auto r2 = run_helix({"pretrain", "--out", out.string(), "--resume"});
  ASSERT_EQ(r2.code, 0) << r2.describe();
  EXPECT_EQ(steps_of(read_metrics(out / "metrics.jsonl")), one_to(4));
}

TEST_F(PretrainCliTest, ResumeWithoutARunIsAUsageError) {
  const fs::path out = dir() / "nothing_here";
  expect_bad_input({"pretrain", "--out", out.string(), "--resume"}, {"holds no run"}, out);
}

// ---------------------------------------------------------------------------------------------
// Signals

// Starts a long run, waits for its first metrics record, sends `sig`; returns the exit code.
int interrupt_run(const fs::path& config, const fs::path& out, const fs::path& log, int sig,
                  int64_t steps) {
  BackgroundHelix run(
      {"pretrain", "--config", config.string(), "--out", out.string(),
       "train.steps=" + std::to_string(steps), "train.log_every=1", "train.checkpoint_every=0"},
      log);
  EXPECT_TRUE(run.started());
  const bool logged = wait_until(
      [&] {
        return run.poll() || read_text(out / "metrics.jsonl").find('\n') != std::string::npos;
      },
      std::chrono::seconds(120));
  EXPECT_TRUE(logged) << "no metrics record within 120 s";
  if (run.poll()) {  // never signal a reaped (possibly reused) pid
    ADD_FAILURE() << "the run ended before it could be interrupted:\n" << read_text(log);
    return run.code();
  }
  ::kill(run.pid(), sig);
  const int code = run.wait(std::chrono::seconds(120));
  EXPECT_NE(code, -1) << "the run did not stop within 120 s of the signal";
  return code;
}

TEST_F(PretrainCliTest, SigintWritesACheckpointExits130AndResumeFinishes) {
  const fs::path out = dir() / "run";
  const fs::path log = dir() / "sigint.log";
  constexpr int64_t kSteps = 500;
  const int code = interrupt_run(setup_.config, out, log, SIGINT, kSteps);
  ASSERT_EQ(code, 130) << read_text(log);
  EXPECT_NE(read_text(log).find("interrupted"), std::string::npos) << read_text(log);

  // A checkpoint at the step of the last record (train.checkpoint_every=0: only the signal's).
  const auto records = read_metrics(out / "metrics.jsonl");
  ASSERT_FALSE(records.empty());
  const int64_t stopped = records.back().at("step").get<int64_t>();
  ASSERT_LT(stopped, kSteps);
  EXPECT_EQ(steps_of(records), one_to(stopped));
  EXPECT_EQ(latest_step(out), stopped);
  EXPECT_TRUE(fs::exists(out / "encoder.safetensors"));

  const auto resumed = run_helix({"pretrain", "--out", out.string(), "--resume"});
  ASSERT_EQ(resumed.code, 0) << resumed.describe();
  EXPECT_EQ(steps_of(read_metrics(out / "metrics.jsonl")), one_to(kSteps));
  EXPECT_EQ(latest_step(out), kSteps);
}

TEST_F(PretrainCliTest, SigtermWritesACheckpointAndExits143) {
  const fs::path out = dir() / "run";
  const fs::path log = dir() / "sigterm.log";
  const int code = interrupt_run(setup_.config, out, log, SIGTERM, 500);
  ASSERT_EQ(code, 143) << read_text(log);
  const auto records = read_metrics(out / "metrics.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(latest_step(out), records.back().at("step").get<int64_t>());
}

TEST_F(PretrainCliTest, ResumeAfterSigkillDropsUncheckpointedRecordsAndMatchesExactly) {
  // A killed run leaves metrics records past its last checkpoint (perhaps a torn last line);
  // --resume drops them and replays those steps identically.
  const std::vector<std::string> overrides = {"train.steps=150", "train.log_every=1",
                                              "train.checkpoint_every=20"};
  const fs::path a = dir() / "run_a";
  const auto ra = pretrain(a, overrides);
  ASSERT_EQ(ra.code, 0) << ra.describe();

  const fs::path b = dir() / "run_b";
  const fs::path log = dir() / "sigkill.log";
  {
    std::vector<std::string> args = {"pretrain", "--config", config(), "--out", b.string()};
    args.insert(args.end(), overrides.begin(), overrides.end());
    BackgroundHelix run(args, log);
    ASSERT_TRUE(run.started());
    // Past the checkpoint at step 20, (most likely) well before the one at 40.
    const bool past =
        wait_until([&] { return run.poll() || complete_records(b / "metrics.jsonl") >= 22; },
                   std::chrono::seconds(120));
    ASSERT_TRUE(past);
    ASSERT_FALSE(run.poll()) << "the run ended before it could be killed:\n" << read_text(log);
    ::kill(run.pid(), SIGKILL);
    ASSERT_EQ(run.wait(std::chrono::seconds(60)), 128 + SIGKILL);
  }
  const int64_t checkpointed = latest_step(b);
  ASSERT_GE(checkpointed, 20);
  // Normally the kill lands between checkpoints; on a starved machine it may land right after
  // one, and the test then only checks the plain resume.
  int64_t logged = 0;  // the last complete record (a SIGKILL may tear the last line)
  {
    std::istringstream lines(read_text(b / "metrics.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      try {
        logged = json::parse(line).at("step").get<int64_t>();
      } catch (const json::exception&) {
      }
    }
  }
  ASSERT_GE(logged, checkpointed);
  if (logged == checkpointed) {
    std::cerr << "note: killed right at a checkpoint; no records to drop\n";
  }

  const auto resumed = run_helix({"pretrain", "--out", b.string(), "--resume"});
  ASSERT_EQ(resumed.code, 0) << resumed.describe();
  const auto ma = read_metrics(a / "metrics.jsonl");
  const auto mb = read_metrics(b / "metrics.jsonl");
  ASSERT_EQ(steps_of(mb), one_to(150)) << "records duplicated or missing after --resume";
  ASSERT_EQ(steps_of(ma), one_to(150));
  for (size_t i = 0; i < ma.size(); ++i) {
    for (const char* key : {"loss", "mlm_loss", "distill_loss"}) {
      ASSERT_EQ(ma[i].at(key).get<double>(), mb[i].at(key).get<double>())
          << key << " differs at step " << i + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime failure

TEST_F(PretrainCliTest, NonFiniteLossExits1AndKeepsTheLastCheckpoint) {
  // Any larger learning rate makes AdamW's step size overflow float before a loss is computed.
  const fs::path out = dir() / "run";
  const auto r = pretrain(out, {"train.lr=1e20", "train.warmup_fraction=0",
                                "train.checkpoint_every=1", "train.log_every=1"});
  ASSERT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("non-finite loss"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("step-1"), std::string::npos) << "names the last good checkpoint\n"
                                                     << r.describe();
  // The first step's loss was finite, so training did diverge rather than fail at once.
  const auto records = read_metrics(out / "metrics.jsonl");
  ASSERT_EQ(steps_of(records), one_to(1));
  EXPECT_TRUE(std::isfinite(records[0].at("loss").get<double>()));

  auto checkpoint = train::load_latest_checkpoint(out / "checkpoints");
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->step, 1);
  EXPECT_FALSE(checkpoint->tensors.empty());
  for (const auto& [name, tensor] : checkpoint->tensors) {
    EXPECT_TRUE(all_finite(tensor)) << name;
  }
  EXPECT_NO_THROW(nn::load_encoder((out / "encoder.safetensors").string()));
}

TEST_F(PretrainCliTest, FailureInsideTheFirstStepExits1AndLeavesNoRunBehind) {
  // lr = 1e38 makes AdamW's first update overflow float inside LibTorch, before any checkpoint.
  const fs::path out = dir() / "run";
  const auto r = pretrain(out, {"train.lr=1e38", "train.warmup_fraction=0"});
  ASSERT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("training step 1 failed"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("train.lr"), std::string::npos) << r.describe();
  EXPECT_FALSE(fs::exists(out)) << "a run that never checkpointed is removed\n" << r.describe();
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit code 2, a message naming the problem, no run directory

TEST_F(PretrainCliTest, MissingGenomeIsExit2) {
  const fs::path genome = dir() / "no_such_genome.fa";
  expect_bad_genome(genome, {genome.string(), "no such file"});
}

TEST_F(PretrainCliTest, UnsetGenomeIsExit2) { expect_bad_genome("", {"data.genome is not set"}); }

TEST_F(PretrainCliTest, EmptyFastaIsExit2) {
  const fs::path genome = dir() / "empty.fa";
  write_text(genome, "");
  expect_bad_genome(genome, {genome.string(), "no sequences found"});
}

TEST_F(PretrainCliTest, FastaWithoutAUsableWindowIsExit2) {
  const fs::path genome = dir() / "short.fa";
  std::mt19937_64 rng(7);
  write_text(genome, fasta_record("s1", random_bases(rng, 40)) +
                         fasta_record("s2", random_bases(rng, 63)) +
                         fasta_record("s3", random_bases(rng, 10)));
  expect_bad_genome(genome, {genome.string(), "no usable window of 64 nt"}, {"data.holdout="});
}

TEST_F(PretrainCliTest, HoldoutOnAnUnknownSequenceIsExit2) {
  expect_bad_genome(setup_.genome, {"chrZ"}, {"data.holdout=chrZ:1-100"});
}

// Line 1 is the header of s1, lines 2-11 its bases; s2's header is line 12.
std::string fasta_with_bad_character(int64_t bad_line) {
  std::mt19937_64 rng(11);
  std::string text =
      fasta_record("s1", random_bases(rng, 600)) + fasta_record("s2", random_bases(rng, 600));
  int64_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
    } else if (line == bad_line && text[i] != '>') {
      text[i + 7] = 'X';
      break;
    }
  }
  return text;
}

TEST_F(PretrainCliTest, NonNucleotideCharacterInGzipFastaNamesFileAndLine) {
  // Plain gzip (not bgzip) is read completely and validated up front, line by line.
  const fs::path plain = dir() / "bad_char.fa";
  const fs::path genome = dir() / "bad_char.fa.gz";
  write_text(plain, fasta_with_bad_character(15));
  ASSERT_EQ(
      std::system(("gzip -c " + shell_quote(plain.string()) + " > " + shell_quote(genome.string()))
                      .c_str()),
      0);
  expect_bad_genome(genome, {genome.string() + ":15:", "invalid character 'X'", "s2"},
                    {"data.holdout="});
}

TEST_F(PretrainCliTest, NonNucleotideCharacterInPlainFastaIsExit2) {
  // Plain FASTA goes through faidx and is validated as windows are scanned: the message names
  // the file and the sequence.
  const fs::path genome = dir() / "bad_char.fa";
  write_text(genome, fasta_with_bad_character(5));
  expect_bad_genome(genome, {genome.string(), "invalid character 'X'", "s1"}, {"data.holdout="});
}

TEST_F(PretrainCliTest, TruncatedGzipIsExit2) {
  const fs::path full = dir() / "full.fa.gz";
  const fs::path genome = dir() / "truncated.fa.gz";
  ASSERT_EQ(std::system(("gzip -c " + shell_quote(setup_.genome.string()) + " > " +
                         shell_quote(full.string()))
                            .c_str()),
            0);
  const std::string bytes = read_text(full);
  ASSERT_GT(bytes.size(), 1000u);
  write_text(genome, bytes.substr(0, bytes.size() / 2));
  expect_bad_genome(genome, {genome.string(), "truncated or corrupt"});
}

TEST_F(PretrainCliTest, UnknownConfigKeyInFileListsValidKeys) {
  const fs::path bad_config = dir() / "typo.yaml";
  write_text(bad_config, tiny_config_yaml(setup_.genome, "  stepz: 5\n"));
  // "stepz" is the last line of the file.
  const std::string text = read_text(bad_config);
  const auto line = std::count(text.begin(), text.end(), '\n');
  const fs::path out = dir() / "run";
  expect_bad_input({"pretrain", "--config", bad_config.string(), "--out", out.string()},
                   {bad_config.string() + ":" + std::to_string(line) + ":",
                    "unknown config key 'train.stepz'", "steps", "batch_size", "warmup_fraction"},
                   out);
}

TEST_F(PretrainCliTest, UnknownConfigKeyInOverrideListsValidKeys) {
  const fs::path out = dir() / "run";
  expect_bad_input({"pretrain", "--config", config(), "--out", out.string(), "train.stepz=5"},
                   {"unknown config key 'train.stepz'", "steps", "batch_size"}, out);
  expect_bad_input({"pretrain", "--config", config(), "--out", out.string(), "trian.steps=5"},
                   {"unknown config section 'trian'", "pretrain", "model", "data", "findna"}, out);
}

TEST_F(PretrainCliTest, WronglyTypedOverrideIsExit2) {
  const fs::path out = dir() / "run";
  expect_bad_input({"pretrain", "--config", config(), "--out", out.string(), "train.steps=many"},
                   {"train.steps", "integer", "many"}, out);
}

TEST_F(PretrainCliTest, MalformedOverrideIsExit2) {
  const fs::path out = dir() / "run";
  expect_bad_input({"pretrain", "--config", config(), "--out", out.string(), "train.steps"},
                   {"malformed override 'train.steps'", "section.key=value"}, out);
}

TEST_F(PretrainCliTest, MissingConfigFileIsExit2) {
  const fs::path out = dir() / "run";
  const fs::path missing = dir() / "missing.yaml";
  expect_bad_input({"pretrain", "--config", missing.string(), "--out", out.string()},
                   {missing.string()}, out);
}

TEST_F(PretrainCliTest, DirectoryHoldingARunNeedsResumeOrForce) {
  const fs::path out = dir() / "run";
  const auto first = pretrain(out, {"train.steps=3"});
  ASSERT_EQ(first.code, 0) << first.describe();
  const std::string metrics_before = read_text(out / "metrics.jsonl");
  const std::string config_before = read_text(out / "config.yaml");

  const auto refused = pretrain(out, {"train.steps=5"});
  EXPECT_EQ(refused.code, 2) << refused.describe();
  for (const char* s : {"already holds a run", "--resume", "--force"}) {
    EXPECT_NE(refused.err.find(s), std::string::npos) << s << "\n" << refused.describe();
  }
  EXPECT_EQ(read_text(out / "metrics.jsonl"), metrics_before) << "the refused run touched it";
  EXPECT_EQ(read_text(out / "config.yaml"), config_before);
  EXPECT_EQ(latest_step(out), 3);

  // --force with bad input: still refused, and the old run stays.
  const auto bad_force = pretrain(out, {"--force", "data.genome=" + (dir() / "nope.fa").string()});
  EXPECT_EQ(bad_force.code, 2) << bad_force.describe();
  EXPECT_EQ(read_text(out / "metrics.jsonl"), metrics_before);

  const auto forced = pretrain(out, {"--force", "train.steps=5", "train.log_every=1"});
  ASSERT_EQ(forced.code, 0) << forced.describe();
  EXPECT_EQ(steps_of(read_metrics(out / "metrics.jsonl")), one_to(5));
  EXPECT_EQ(latest_step(out), 5);
  EXPECT_FALSE(fs::exists(out / "checkpoints" / "step-3")) << "--force kept the old checkpoints";
}

// ---------------------------------------------------------------------------------------------
// --dry-run, --help, --version

TEST_F(PretrainCliTest, DryRunPrintsOneJsonObjectWithTheParameterCount) {
  const auto r = run_helix({"pretrain", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.describe();
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << "stdout is not one JSON object:\n" << r.out;
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.at("params").get<int64_t>(), 12651873);
  EXPECT_EQ(j.at("model").at("name"), "swan");

  // The tiny config, without writing anything.
  const fs::path out = dir() / "dry";
  const auto tiny =
      run_helix({"pretrain", "--config", config(), "--out", out.string(), "--dry-run"});
  ASSERT_EQ(tiny.code, 0) << tiny.describe();
  const auto t = json::parse(tiny.out);
  EXPECT_EQ(t.at("model").at("width").get<int64_t>(), 32);
  EXPECT_EQ(t.at("positions").get<int64_t>(), 66);
  EXPECT_GT(t.at("params").get<int64_t>(), 0);
  EXPECT_LT(t.at("params").get<int64_t>(), 100000);
  EXPECT_FALSE(fs::exists(out));

  // Overrides apply to the description.
  const auto wider = run_helix({"pretrain", "--dry-run", "model.group_size=8", "data.window=64",
                                "findna.cls_tokens=2", "model.n_encoders=1"});
  ASSERT_EQ(wider.code, 0) << wider.describe();
  EXPECT_EQ(json::parse(wider.out).at("model").at("width").get<int64_t>(), 64);
}

TEST(HelixCli, HelpAndVersion) {
  const auto top = run_helix({"--help"});
  EXPECT_EQ(top.code, 0) << top.describe();
  for (const char* s : {"pretrain", "embed", "--version"}) {
    EXPECT_NE(top.all().find(s), std::string::npos) << s << "\n" << top.describe();
  }
  const auto pretrain = run_helix({"pretrain", "--help"});
  EXPECT_EQ(pretrain.code, 0) << pretrain.describe();
  for (const char* s : {"--config", "--out", "--resume", "--force", "--dry-run", "--stop-after",
                        "--threads", "section.key=value"}) {
    EXPECT_NE(pretrain.all().find(s), std::string::npos) << s << "\n" << pretrain.describe();
  }
  const auto embed = run_helix({"embed", "--help"});
  EXPECT_EQ(embed.code, 0) << embed.describe();
  for (const char* s : {"--encoder", "--input", "--out", "--column", "--batch-size"}) {
    EXPECT_NE(embed.all().find(s), std::string::npos) << s << "\n" << embed.describe();
  }
  const auto version = run_helix({"--version"});
  EXPECT_EQ(version.code, 0) << version.describe();
  EXPECT_NE(version.all().find("helix "), std::string::npos) << version.describe();
}

TEST(HelixCli, UsageErrorsAreExit2) {
  const auto none = run_helix({});
  EXPECT_EQ(none.code, 2) << none.describe();
  const auto unknown = run_helix({"fly"});
  EXPECT_EQ(unknown.code, 2) << unknown.describe();
  const auto no_config = run_helix({"pretrain", "--out", "/nonexistent/helix_cli_run"});
  EXPECT_EQ(no_config.code, 2) << no_config.describe();
  EXPECT_NE(no_config.err.find("--config"), std::string::npos) << no_config.describe();
  EXPECT_FALSE(fs::exists("/nonexistent/helix_cli_run"));
}

}  // namespace
}  // namespace helix::cli_test
