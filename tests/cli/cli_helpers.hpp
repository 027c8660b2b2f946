// Helpers for the end-to-end tests of the `helix` program: running it (exit code, stdout,
// stderr), temporary directories, a small synthetic genome and a config that keeps training
// runs to a fraction of a second.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../temp_dir.hpp"

namespace helix::cli_test {

namespace fs = std::filesystem;

inline std::string helix_binary() { return HELIX_BINARY; }

// Single-quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The lines of `text`, without their newlines.
inline std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

inline std::vector<std::string> file_lines(const fs::path& path) {
  return text_lines(read_text(path));
}

inline void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// Exit status as the shell reports it: the exit code, or 128 + signal for a killed process.
inline int decode_status(int status) {
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

using helix::test::TempDir;

struct CmdResult {
  int code = -1;    // exit code, or 128 + signal
  std::string out;  // stdout
  std::string err;  // stderr
  std::string all() const { return out + err; }
  // For assertion messages.
  std::string describe() const {
    return "exit code " + std::to_string(code) + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" +
           err;
  }
};

// Runs a shell command line, capturing stdout (pipe) and stderr (a temporary file).
inline CmdResult run_command(const std::string& command) {
  CmdResult r;
  char err_tmpl[] = "/tmp/helix_cli_stderr_XXXXXX";
  const int fd = mkstemp(err_tmpl);
  if (fd < 0) return r;
  ::close(fd);
  const std::string full = command + " 2>" + shell_quote(err_tmpl) + " </dev/null";
  std::FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe != nullptr) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.out.append(buf, n);
    r.code = decode_status(::pclose(pipe));
  }
  r.err = read_text(err_tmpl);
  ::unlink(err_tmpl);
  return r;
}

// Runs `helix ARGS...` (each argument quoted).
inline CmdResult run_helix(const std::vector<std::string>& args) {
  std::string command = shell_quote(helix_binary());
  for (const auto& a : args) command += " " + shell_quote(a);
  return run_command(command);
}

// `helix` started in the background with fork/exec; stdout and stderr go to `log_path`.
class BackgroundHelix {
 public:
  BackgroundHelix(const std::vector<std::string>& args, const fs::path& log_path) {
    std::vector<std::string> argv_s = {helix_binary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    const std::string log = log_path.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::FILE* f = std::fopen(log.c_str(), "w");
      if (f != nullptr) {
        ::dup2(::fileno(f), 1);
        ::dup2(::fileno(f), 2);
      }
      // Whatever the test runner did with signals, the child starts with defaults.
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~BackgroundHelix() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  BackgroundHelix(const BackgroundHelix&) = delete;
  BackgroundHelix& operator=(const BackgroundHelix&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // True once the process has exited (and stores its status).
  bool poll() {
    if (reaped_) return true;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      code_ = decode_status(status);
    }
    return reaped_;
  }
  // Waits up to `timeout` for the process to exit; returns its exit code or -1 on timeout.
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll()) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return code_;
  }
  int code() const { return code_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int code_ = -1;
};

// Records of a metrics.jsonl file (blank lines skipped; a malformed line fails the test).
inline std::vector<nlohmann::json> read_metrics(const fs::path& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      out.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << path << ": malformed line '" << line << "': " << e.what();
    }
  }
  return out;
}

// Random bases from a fixed seed, with a repeated motif every few hundred bases.
inline std::string random_bases(std::mt19937_64& rng, size_t length) {
  static const char kBases[] = "ACGT";
  static const std::string kMotif = "TTGACAGCTAGCTCAGTCCTAGGTATAATGCTAGC";
  std::uniform_int_distribution<int> base(0, 3);
  std::string s;
  s.reserve(length);
  while (s.size() < length) {
    if (s.size() % 300 == 100) {
      s += kMotif;
    } else {
      s += kBases[base(rng)];
    }
  }
  s.resize(length);
  return s;
}

// FASTA text with lines of `width` bases.
inline std::string fasta_record(const std::string& name, const std::string& seq,
                                size_t width = 60) {
  std::string out = ">" + name + " synthetic\n";
  for (size_t i = 0; i < seq.size(); i += width) out += seq.substr(i, width) + "\n";
  return out;
}

// The test genome: chrA (16 kb, with a 200-nt N run), chrB (10 kb, lower-case stretch) and
// chrC (4 kb, used as the held-out region). 30 kb in all.
inline std::string genome_fasta_text() {
  std::mt19937_64 rng(20240611);
  std::string a = random_bases(rng, 16000);
  for (size_t i = 8000; i < 8200; ++i) a[i] = 'N';
  std::string b = random_bases(rng, 10000);
  for (size_t i = 2000; i < 3000; ++i) b[i] = static_cast<char>(b[i] - 'A' + 'a');
  std::string c = random_bases(rng, 4000);
  return fasta_record("chrA", a) + fasta_record("chrB", b) + fasta_record("chrC", c);
}

// Config YAML for a tiny, fast model on `genome`. Extra lines are appended under `train:`.
inline std::string tiny_config_yaml(const fs::path& genome, const std::string& extra_train = "") {
  return "model:\n"
         "  group_size: 4\n"
         "  mlp_dim: 16\n"
         "  n_encoders: 1\n"
         "data:\n"
         "  genome: \"" +
         genome.string() +
         "\"\n"
         "  window: 64\n"
         "  holdout: \"chrC:1001-3000\"\n"
         "  prefetch: 2\n"
         "findna:\n"
         "  cls_tokens: 2\n"
         "train:\n"
         "  batch_size: 8\n"
         "  steps: 40\n"
         "  log_every: 10\n"
         "  val_every: 20\n"
         "  val_batches: 1\n"
         "  checkpoint_every: 20\n"
         "  device: cpu\n"
         "  threads: 1\n" +
         extra_train;
}

// A fixture directory holding genome.fa and tiny.yaml.
struct TinySetup {
  TempDir dir{"helix_cli"};
  fs::path genome = dir / "genome.fa";
  fs::path config = dir / "tiny.yaml";
  TinySetup() {
    write_text(genome, genome_fasta_text());
    write_text(config, tiny_config_yaml(genome));
  }
};

// Polls `pred` every few milliseconds until it holds or `timeout` passes.
template <typename Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace helix::cli_test
