#include "helix/util/output_path.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix {
namespace {
namespace fs = std::filesystem;

// The UsageError message of a call, or "" (and a test failure) when it throws none.
template <typename Fn>
std::string usage_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

class OutputPath : public ::testing::Test {
 protected:
  void SetUp() override {
    input_ = (dir_.path() / "x.fa").string();
    std::ofstream(input_) << ">a\nACGT\n";
    fs::create_directories(dir_.path() / "sub");
  }
  test::TempDir dir_{"helix_output_path"};
  std::string input_;
};

TEST_F(OutputPath, AnOutputThatIsAnInputIsRefusedHoweverItIsSpelled) {
  const auto sub_dotdot = (dir_.path() / "sub" / ".." / "x.fa").string();
  const auto symlink = (dir_.path() / "link.fa").string();
  const auto hardlink = (dir_.path() / "hard.fa").string();
  fs::create_symlink(input_, symlink);
  fs::create_hard_link(input_, hardlink);
  for (const auto& out : {input_, sub_dotdot, symlink, hardlink}) {
    const auto what = usage_error_of([&] { check_output_file(out, {"", input_}); });
    EXPECT_NE(what.find("is the input"), std::string::npos) << out << ": " << what;
    EXPECT_NE(what.find(out), std::string::npos) << "names the path given: " << what;
  }
  EXPECT_TRUE(same_file(symlink, input_));
  EXPECT_FALSE(same_file(dir_.path() / "other.fa", input_));
  // A relative spelling of an absolute path.
  const auto cwd = fs::current_path();
  fs::current_path(dir_.path());
  EXPECT_TRUE(same_file("x.fa", input_));
  fs::current_path(cwd);
  check_output_file((dir_.path() / "x.npy").string(), {input_});  // fine
}

TEST_F(OutputPath, UnwritablePlacesAreFoundBeforeAnyWork) {
  auto what =
      usage_error_of([&] { check_output_file((dir_.path() / "no" / "e.npy").string(), {}); });
  EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
  what = usage_error_of([&] { check_output_file((fs::path(input_) / "e.npy").string(), {}); });
  EXPECT_NE(what.find("is not a directory"), std::string::npos) << what;
  what = usage_error_of([&] { check_output_file((dir_.path() / "sub").string(), {}); });
  EXPECT_NE(what.find("existing directory"), std::string::npos) << what;
  what = usage_error_of([&] { check_output_file("/proc/helix-e.npy", {}); });
  EXPECT_NE(what.find("cannot create files in /proc"), std::string::npos) << what;
  what = usage_error_of([&] { check_output_directory("/proc/helix-run", {"config.yaml"}, {}); });
  EXPECT_NE(what.find("cannot create files in /proc"), std::string::npos) << what;
  what = usage_error_of(
      [&] { check_output_directory((fs::path(input_) / "run").string(), {"config.yaml"}, {}); });
  EXPECT_NE(what.find("is not a directory"), std::string::npos) << what;
  // No probe file is left behind.
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".helix-write-probe"), std::string::npos);
  }
}

TEST_F(OutputPath, ADirectoryRunMustNotWriteOverItsInputs) {
  const auto run = dir_.path() / "run";
  fs::create_directories(run / "checkpoints");
  const auto config = (run / "config.yaml").string();
  std::ofstream(config) << "x: 1\n";
  auto what = usage_error_of([&] {
    check_output_directory(run.string(), {"config.yaml", "checkpoints"}, {config});
  });
  EXPECT_NE(what.find("lies where the run writes"), std::string::npos) << what;
  const auto inside = (run / "checkpoints" / "genome.fa").string();
  std::ofstream(inside) << ">a\nA\n";
  what = usage_error_of([&] { check_output_directory(run.string(), {"checkpoints"}, {inside}); });
  EXPECT_NE(what.find("lies where the run writes"), std::string::npos) << what;
  what = usage_error_of([&] { check_output_directory(input_, {"config.yaml"}, {input_}); });
  EXPECT_NE(what.find("is the input"), std::string::npos) << what;
  // Inputs elsewhere in the directory are fine, and a new nested directory can be made.
  check_output_directory(run.string(), {"metrics.json"}, {config, input_});
  check_output_directory((dir_.path() / "a" / "b").string(), {"metrics.json"}, {input_});
}

}  // namespace
}  // namespace helix
