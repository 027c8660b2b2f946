// The c10d process group over Gloo on 127.0.0.1: environment parsing (torchrun, SLURM), and two
// real processes (this test binary re-run as rank 0 and rank 1 with torchrun's variables) for
// the collectives, a rank that dies, and ranks that disagree.
#include "helix/train/distributed.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <torch/nn/modules/linear.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "helix/util/error.hpp"

namespace helix::train {
namespace {

using Env = std::map<std::string, std::string>;

WorldInfo world_of(const Env& env) {
  return world_from_environment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

std::string usage_error_of(const Env& env) {
  try {
    world_of(env);
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

TEST(WorldFromEnvironment, TorchrunSlurmAndSingle) {
  EXPECT_FALSE(world_of({}).distributed());
  EXPECT_EQ(world_of({}).source, "single");
  auto w = world_of({{"RANK", "1"},
                     {"WORLD_SIZE", "4"},
                     {"LOCAL_RANK", "1"},
                     {"MASTER_ADDR", "10.0.0.1"},
                     {"MASTER_PORT", "29500"},
                     {"TORCHELASTIC_USE_AGENT_STORE", "True"}});
  EXPECT_EQ(w.source, "torchrun");
  EXPECT_EQ(w.rank, 1);
  EXPECT_EQ(w.world_size, 4);
  EXPECT_EQ(w.master_addr, "10.0.0.1");
  EXPECT_EQ(w.master_port, 29500);
  EXPECT_TRUE(w.agent_store);
  w = world_of({{"SLURM_PROCID", "2"},
                {"SLURM_STEP_NUM_TASKS", "3"},
                {"SLURM_LOCALID", "0"},
                {"MASTER_ADDR", "node1"},
                {"MASTER_PORT", "1234"}});
  EXPECT_EQ(w.source, "slurm");
  EXPECT_EQ(w.rank, 2);
  EXPECT_EQ(w.world_size, 3);
  EXPECT_FALSE(w.agent_store);
  // A batch script (SLURM_NTASKS but no srun step) runs one process, not a hang.
  EXPECT_FALSE(world_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}}).distributed());
  EXPECT_FALSE(world_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}}).distributed());
}

TEST(WorldFromEnvironment, BadVariablesAreNamed) {
  const Env base = {
      {"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
  auto with = [&](const std::string& key, const std::string& value) {
    Env e = base;
    if (value == "<unset>") {
      e.erase(key);
    } else {
      e[key] = value;
    }
    return e;
  };
  EXPECT_NE(usage_error_of(with("MASTER_PORT", "<unset>")).find("MASTER_PORT is not set"),
            std::string::npos);
  EXPECT_NE(usage_error_of(with("MASTER_ADDR", "")).find("MASTER_ADDR"), std::string::npos);
  EXPECT_NE(usage_error_of(with("MASTER_PORT", "70000")).find("MASTER_PORT='70000'"),
            std::string::npos);
  EXPECT_NE(usage_error_of(with("RANK", "abc")).find("RANK='abc'"), std::string::npos);
  EXPECT_NE(usage_error_of(with("RANK", "2")).find("[0, 1]"), std::string::npos);
  EXPECT_NE(usage_error_of(with("WORLD_SIZE", "0")).find("WORLD_SIZE"), std::string::npos);
  EXPECT_NE(usage_error_of(with("WORLD_SIZE", "<unset>")).find("WORLD_SIZE is not set"),
            std::string::npos);
}

TEST(ProcessGroup, APortInUseIsAUsageError) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int port = free_local_port();
  address.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  WorldInfo w;
  w.world_size = 2;
  w.master_addr = "127.0.0.1";
  w.master_port = port;
  const auto start = std::chrono::steady_clock::now();
  try {
    ProcessGroup::connect(w, std::chrono::seconds(5));
    ADD_FAILURE() << "connected on a port in use";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "no hang";
  ::close(fd);
}

// Runs this test binary as `world` ranks of `test` (a DistributedWorker test) with torchrun's
// variables; returns their exit codes.
std::vector<int> run_ranks(const std::string& test, int world) {
  const std::string port = std::to_string(free_local_port());
  // Each rank that finishes its test body leaves a mark, so a skipped worker cannot pass.
  const auto marks = std::filesystem::temp_directory_path() /
                     ("helix_distributed_" + std::to_string(::getpid()) + "_" + test);
  std::filesystem::remove_all(marks);
  std::filesystem::create_directories(marks);
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("HELIX_DISTRIBUTED_WORKER", marks.c_str(), 1);
      ::setenv("RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", port.c_str(), 1);
      const std::string filter = "--gtest_filter=DistributedWorker." + test;
      ::execl("/proc/self/exe", "helix_tests", filter.c_str(), "--gtest_brief=1",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (const auto pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  for (int r = 0; r < world; ++r) {
    if (!std::filesystem::exists(marks / std::to_string(r))) codes[r] = -1;  // never got there
  }
  std::filesystem::remove_all(marks);
  return codes;
}

TEST(ProcessGroup, TwoRanksAgreeOnEveryCollective) {
  EXPECT_EQ(run_ranks("Collectives", 2), (std::vector<int>{0, 0}));
}

TEST(ProcessGroup, ADeadRankMakesTheOtherFailWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_ranks("OneRankDies", 2), (std::vector<int>{0, 0}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(ProcessGroup, RanksWithDifferentConfigsRefuseToStart) {
  EXPECT_EQ(run_ranks("DifferentConfigs", 2), (std::vector<int>{0, 0}));
}

// The ranks' side of the tests above: skipped unless started by run_ranks.
class DistributedWorker : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("HELIX_DISTRIBUTED_WORKER") == nullptr) {
      GTEST_SKIP() << "runs as a rank of ProcessGroup tests";
    }
    world_ = world_from_environment();
    ASSERT_EQ(world_.source, "torchrun");
    group_ = ProcessGroup::connect(world_, std::chrono::seconds(5));
  }
  // The end of a rank's test body was reached.
  void mark_done() const {
    std::ofstream(std::filesystem::path(std::getenv("HELIX_DISTRIBUTED_WORKER")) /
                  std::to_string(world_.rank))
        << "done\n";
  }
  WorldInfo world_;
  std::unique_ptr<ProcessGroup> group_;
};

TEST_F(DistributedWorker, Collectives) {
  const int r = group_->rank();
  ASSERT_EQ(group_->size(), 2);
  std::vector<at::Tensor> tensors = {at::full({3, 4}, r + 1.0), at::arange(5) * (r + 1),
                                     at::full({2}, 0.5 * r, at::kDouble)};
  // A tiny bucket size splits them into several all-reduces.
  group_->all_reduce_sum(tensors, /*bucket_bytes=*/16);
  EXPECT_TRUE(at::equal(tensors[0], at::full({3, 4}, 3.0)));
  EXPECT_TRUE(at::equal(tensors[1], at::arange(5) * 3));
  EXPECT_TRUE(at::allclose(tensors[2], at::full({2}, 0.5, at::kDouble)));

  torch::manual_seed(100 + r);  // different weights on each rank
  torch::nn::Linear model(3, 2);
  group_->broadcast_module(*model);
  auto gathered = group_->all_gather(model->weight.detach().reshape({1, -1}));
  EXPECT_TRUE(at::equal(gathered[0], gathered[1])) << "rank 0's weights on every rank";

  model->weight.mutable_grad() = at::full_like(model->weight, r + 1.0);
  group_->average_gradients(*model);
  EXPECT_TRUE(at::equal(model->weight.grad(), at::full_like(model->weight, 1.5)));
  EXPECT_TRUE(at::equal(model->bias.grad(), at::zeros_like(model->bias)))
      << "a parameter without a gradient contributes zeros";

  group_->check_identical("config", "a: 1\nb: 2\n");
  group_->barrier();
  mark_done();
}

TEST_F(DistributedWorker, OneRankDies) {
  group_->barrier();
  if (group_->rank() == 1) {
    mark_done();
    std::_Exit(0);  // gone without a word
  }
  std::vector<at::Tensor> t = {at::ones({4})};
  try {
    group_->all_reduce_sum(t);
    ADD_FAILURE() << "all-reduce succeeded with a dead rank";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 of 2"), std::string::npos) << e.what();
  }
  mark_done();
}

TEST_F(DistributedWorker, DifferentConfigs) {
  const std::string config = "train:\n  lr: 0.1\n  steps: " + std::to_string(group_->rank()) + "\n";
  try {
    group_->check_identical("config", config);
    ADD_FAILURE() << "different configs accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("at line 3"), std::string::npos) << e.what();
  }
  mark_done();
}

}  // namespace
}  // namespace helix::train
