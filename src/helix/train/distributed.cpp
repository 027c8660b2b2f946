#include "helix/train/distributed.hpp"

#include <ATen/ATen.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "helix/util/error.hpp"

namespace helix::train {

namespace {

std::optional<std::string> variable(const std::function<const char*(const char*)>& getenv,
                                    const char* name) {
  const char* v = getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

int64_t parse_variable(const char* name, const std::string& text, int64_t lo, int64_t hi) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || v < lo || v > hi) {
    throw UsageError("environment variable " + std::string(name) + "='" + text +
                     "': expected an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  }
  return v;
}

std::string required(const std::function<const char*(const char*)>& getenv, const char* name,
                     const std::string& because) {
  auto v = variable(getenv, name);
  if (!v || v->empty()) {
    throw UsageError("environment variable " + std::string(name) + " is not set; " + because);
  }
  return *v;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

constexpr int kMaxWorld = 1 << 16;

}  // namespace

WorldInfo world_from_environment(const std::function<const char*(const char*)>& getenv) {
  WorldInfo w;
  const auto rank = variable(getenv, "RANK");
  const auto world = variable(getenv, "WORLD_SIZE");
  // srun sets SLURM_STEP_NUM_TASKS for the tasks of its own step; SLURM_NTASKS alone also holds
  // in a batch script that runs helix once, where waiting for other ranks would hang.
  const auto slurm_rank = variable(getenv, "SLURM_PROCID");
  const auto slurm_tasks = variable(getenv, "SLURM_STEP_NUM_TASKS");
  if (rank || world) {
    w.source = "torchrun";
    const std::string why = "RANK and WORLD_SIZE go together (torchrun sets both)";
    w.world_size = static_cast<int>(
        parse_variable("WORLD_SIZE", required(getenv, "WORLD_SIZE", why), 1, kMaxWorld));
    w.rank = static_cast<int>(
        parse_variable("RANK", required(getenv, "RANK", why), 0, w.world_size - 1));
    const auto local = variable(getenv, "LOCAL_RANK");
    w.local_rank =
        local ? static_cast<int>(parse_variable("LOCAL_RANK", *local, 0, kMaxWorld)) : w.rank;
    w.agent_store = variable(getenv, "TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
  } else if (slurm_rank && slurm_tasks) {
    w.source = "slurm";
    w.world_size =
        static_cast<int>(parse_variable("SLURM_STEP_NUM_TASKS", *slurm_tasks, 1, kMaxWorld));
    w.rank = static_cast<int>(parse_variable("SLURM_PROCID", *slurm_rank, 0, w.world_size - 1));
    const auto local = variable(getenv, "SLURM_LOCALID");
    w.local_rank =
        local ? static_cast<int>(parse_variable("SLURM_LOCALID", *local, 0, kMaxWorld)) : 0;
  } else {
    return w;
  }
  if (w.world_size == 1) return w;
  const std::string why = "a run of " + std::to_string(w.world_size) +
                          " processes needs the address and port of rank 0's store";
  w.master_addr = required(getenv, "MASTER_ADDR", why);
  w.master_port = static_cast<int>(
      parse_variable("MASTER_PORT", required(getenv, "MASTER_PORT", why), 1, 65535));
  return w;
}

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw Error("cannot find a free TCP port on 127.0.0.1");
  return ntohs(address.sin_port);
}

struct ProcessGroup::State {
  WorldInfo world;
  std::chrono::milliseconds timeout{0};
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

ProcessGroup::ProcessGroup(std::unique_ptr<State> state) : state_(std::move(state)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const WorldInfo& world,
                                                    std::chrono::milliseconds timeout) {
  auto state = std::make_unique<State>();
  state->world = world;
  state->timeout = timeout;
  const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
  const bool serve = world.rank == 0 && !world.agent_store;
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(world.master_port);
  options.isServer = serve;
  if (serve) options.numWorkers = static_cast<size_t>(world.world_size);
  options.waitWorkers = false;
  options.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> tcp;
  try {
    tcp = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (serve && what.find("in use") != std::string::npos) {
      throw UsageError("MASTER_PORT " + std::to_string(world.master_port) + " on " +
                       world.master_addr + " is already in use; choose another port");
    }
    throw Error("rank " + std::to_string(world.rank) + ": cannot reach the store at " + where +
                " within " + std::to_string(timeout.count() / 1000) +
                " s: " + what.substr(0, what.find('\n')));
  }
  // A prefix keeps helix's keys apart from those of torchrun's agent in a shared store.
  state->store = c10::make_intrusive<c10d::PrefixStore>("helix", tcp);
  auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
  if (is_loopback(world.master_addr)) {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else if (const char* iface = std::getenv("GLOO_SOCKET_IFNAME")) {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
  } else {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  try {
    state->group = c10::make_intrusive<c10d::ProcessGroupGloo>(state->store, world.rank,
                                                               world.world_size, gloo);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw Error("rank " + std::to_string(world.rank) + " of " + std::to_string(world.world_size) +
                ": the process group did not form within " +
                std::to_string(timeout.count() / 1000) +
                " s (is every rank started?): " + what.substr(0, what.find('\n')));
  }
  return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(state)));
}

int ProcessGroup::rank() const { return state_->world.rank; }
int ProcessGroup::size() const { return state_->world.world_size; }

void ProcessGroup::run(const std::string& what, const std::function<void()>& collective) {
  try {
    collective();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const std::string message = e.what();
    throw Error("rank " + std::to_string(rank()) + " of " + std::to_string(size()) + ": " + what +
                " failed (another rank died, stopped answering for " +
                std::to_string(state_->timeout.count() / 1000) +
                " s, or disagreed): " + message.substr(0, message.find('\n')));
  }
}

namespace {

// Tensors grouped by dtype and device, each group cut into buckets of at most `bucket_bytes`.
std::vector<std::vector<at::Tensor*>> buckets_of(std::vector<at::Tensor>& tensors,
                                                 int64_t bucket_bytes) {
  std::map<std::pair<int, std::string>, std::vector<at::Tensor*>> by_kind;
  for (auto& t : tensors) {
    by_kind[{static_cast<int>(t.scalar_type()), t.device().str()}].push_back(&t);
  }
  std::vector<std::vector<at::Tensor*>> out;
  for (auto& [kind, list] : by_kind) {
    int64_t bytes = 0;
    out.emplace_back();
    for (auto* t : list) {
      const int64_t size = static_cast<int64_t>(t->nbytes());
      if (!out.back().empty() && bytes + size > bucket_bytes) {
        out.emplace_back();
        bytes = 0;
      }
      out.back().push_back(t);
      bytes += size;
    }
  }
  return out;
}

at::Tensor pack(const std::vector<at::Tensor*>& bucket) {
  std::vector<at::Tensor> flat;
  flat.reserve(bucket.size());
  for (const auto* t : bucket) flat.push_back(t->reshape({-1}));
  return at::cat(flat);
}

void unpack(const at::Tensor& flat, const std::vector<at::Tensor*>& bucket) {
  int64_t offset = 0;
  for (auto* t : bucket) {
    const int64_t n = t->numel();
    t->copy_(flat.narrow(0, offset, n).view(t->sizes()));
    offset += n;
  }
}

}  // namespace

void ProcessGroup::broadcast(std::vector<at::Tensor>& tensors, int root) {
  torch::NoGradGuard no_grad;
  run("broadcast", [&] {
    for (const auto& bucket : buckets_of(tensors, 25 << 20)) {
      std::vector<at::Tensor> flat = {pack(bucket)};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      options.timeout = state_->timeout;
      state_->group->broadcast(flat, options)->wait(state_->timeout);
      unpack(flat[0], bucket);
    }
  });
}

void ProcessGroup::all_reduce_sum(std::vector<at::Tensor>& tensors, int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  run("all-reduce", [&] {
    for (const auto& bucket : buckets_of(tensors, bucket_bytes)) {
      std::vector<at::Tensor> flat = {pack(bucket)};
      c10d::AllreduceOptions options;
      options.timeout = state_->timeout;
      state_->group->allreduce(flat, options)->wait(state_->timeout);
      unpack(flat[0], bucket);
    }
  });
}

void ProcessGroup::broadcast_module(torch::nn::Module& module) {
  std::vector<at::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p);
  for (const auto& b : module.buffers()) tensors.push_back(b);
  broadcast(tensors, 0);
}

void ProcessGroup::average_gradients(torch::nn::Module& module) {
  std::vector<at::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    // Every rank must send the same tensors: a parameter unused in this rank's slice has no
    // gradient yet, so it contributes zeros.
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  all_reduce_sum(grads);
  const double scale = 1.0 / size();
  for (auto& g : grads) g.mul_(scale);
}

at::Tensor ProcessGroup::all_gather(const at::Tensor& tensor) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<at::Tensor>> out(1);
  const auto input = tensor.detach().contiguous();
  for (int r = 0; r < size(); ++r) out[0].push_back(at::empty_like(input));
  std::vector<at::Tensor> in = {input};
  run("all-gather", [&] { state_->group->allgather(out, in)->wait(state_->timeout); });
  return at::cat(out[0], 0);
}

void ProcessGroup::barrier() {
  run("barrier", [&] {
    c10d::BarrierOptions options;
    options.timeout = state_->timeout;
    state_->group->barrier(options)->wait(state_->timeout);
  });
}

void ProcessGroup::check_identical(const std::string& what, const std::string& text) {
  const std::string key = "identical/" + what + "/";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  run("comparing " + what, [&] {
    state_->store->set(key + std::to_string(rank()), bytes);
    for (int r = 0; r < size(); ++r) {
      if (r == rank()) continue;
      const auto other = state_->store->get(key + std::to_string(r));
      if (other == bytes) continue;
      std::istringstream mine(text), theirs(std::string(other.begin(), other.end()));
      std::string a, b;
      int line = 0;
      while (true) {
        const bool more_a = static_cast<bool>(std::getline(mine, a));
        const bool more_b = static_cast<bool>(std::getline(theirs, b));
        ++line;
        if (!more_a) a = "(end)";
        if (!more_b) b = "(end)";
        if (a != b || (!more_a && !more_b)) break;
      }
      throw UsageError("the " + what + " differs between ranks " + std::to_string(rank()) +
                       " and " + std::to_string(r) + " at line " + std::to_string(line) + ": '" +
                       a + "' against '" + b + "'; every rank must run the same " + what);
    }
  });
}

}  // namespace helix::train
