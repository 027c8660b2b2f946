// Several training processes on torch's own distributed engine (c10d): which process this is
// (from torchrun's or SLURM's environment), and the collectives data-parallel training needs,
// over Gloo (CPU; LibTorch 1.13 and 2.x). There is no DistributedDataParallel in the C++
// frontend, so gradient averaging is here: coalesced into flat buckets, one all-reduce each.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace helix::train {

// Where this process sits in a run of several.
struct WorldInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr;  // the TCPStore host (rank 0's machine)
  int master_port = 0;
  // torchrun's agent already serves the store (TORCHELASTIC_USE_AGENT_STORE=True): every rank,
  // rank 0 included, connects to it as a client.
  bool agent_store = false;
  std::string source = "single";  // "torchrun", "slurm" or "single"
  bool distributed() const { return world_size > 1; }
};

// RANK, WORLD_SIZE, LOCAL_RANK (torchrun), else SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID (srun),
// with MASTER_ADDR and MASTER_PORT; none of them: one process. A variable that is malformed or
// out of range, or missing while others are set, is a UsageError (exit 2) naming it. `getenv`
// is replaceable for tests.
WorldInfo world_from_environment(const std::function<const char*(const char*)>& getenv =
                                     [](const char* name) { return std::getenv(name); });

// A TCP port on 127.0.0.1 that was free a moment ago (for local launches and tests).
int free_local_port();

class ProcessGroup {
 public:
  // Joins the group: rank 0 serves the store at master_addr:master_port (unless the launcher's
  // agent does), every rank connects, and the Gloo group forms over the address this machine
  // reaches the master by. `timeout` bounds every collective: a rank that died or stopped
  // answering makes the others fail with an Error within it. A port in use is a UsageError.
  static std::unique_ptr<ProcessGroup> connect(const WorldInfo& world,
                                               std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;

  // In place, from `root` to every rank.
  void broadcast(std::vector<at::Tensor>& tensors, int root = 0);
  // In place: every rank ends with the element-wise sum. Tensors are packed by dtype into flat
  // buckets of at most `bucket_bytes`, one all-reduce per bucket.
  void all_reduce_sum(std::vector<at::Tensor>& tensors, int64_t bucket_bytes = 25 << 20);
  // Parameters and buffers of rank 0 copied to every rank (at start, so all ranks begin equal).
  void broadcast_module(torch::nn::Module& module);
  // Every defined gradient replaced by its mean over the ranks (before clipping, so every rank
  // clips the same global gradient and steps identically).
  void average_gradients(torch::nn::Module& module);
  // The concatenation along dim 0 of every rank's tensor, in rank order (same shape on every
  // rank). No gradient flows through it.
  at::Tensor all_gather(const at::Tensor& tensor);
  void barrier();
  // Refuses (UsageError) to go on when `text` (e.g. the resolved config) differs between ranks,
  // naming the first differing line and the ranks that hold it.
  void check_identical(const std::string& what, const std::string& text);

 private:
  struct State;
  explicit ProcessGroup(std::unique_ptr<State> state);
  void run(const std::string& what, const std::function<void()>& collective);
  std::unique_ptr<State> state_;
};

}  // namespace helix::train
