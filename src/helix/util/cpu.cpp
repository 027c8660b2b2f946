#include "helix/util/cpu.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "helix/util/config.hpp"

namespace helix {

const char* blas_kernel_name() {
  using CoreName = char* (*)();
  auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return fn ? fn() : "";
}

void reexec_with_native_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // the user's choice, or done once
  const char* core = blas_kernel_name();
  // Generic fallbacks OpenBLAS uses for CPUs it does not know.
  const bool generic = std::strcmp(core, "Prescott") == 0 || std::strcmp(core, "Core2") == 0 ||
                       std::strcmp(core, "Nehalem") == 0 || std::strcmp(core, "Katmai") == 0;
  if (!generic) return;
  __builtin_cpu_init();
  const char* wanted = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    wanted = "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    wanted = "Haswell";
  }
  if (wanted == nullptr) return;
  setenv("OPENBLAS_CORETYPE", wanted, 1);
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the slow kernels rather than fail.
}

int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

void set_compute_threads(int n) { at::set_num_threads(n > 0 ? n : available_cpus()); }

int thread_setting(const Config& config, const std::string& key) {
  const int64_t n = config.get_int(key);
  if (n > available_cpus()) {
    config.fail(key, key + " must be at most " + std::to_string(available_cpus()) +
                         " (the CPUs this process may use; 0: one per core), got " +
                         std::to_string(n));
  }
  return static_cast<int>(n);
}

}  // namespace helix
