// CPU set-up done once at program start.
#pragma once

#include <string>

namespace helix {

class Config;

// OpenBLAS picks its kernels from CPUID when it is loaded. Under some hypervisors it does not
// recognise the CPU and falls back to generic SSE3 ("Prescott") kernels: fp32 matrix products
// then run ~5x slower (measured on a 2-core AVX-512 Xeon VM: 32 vs 171 GFLOP/s). If that
// happened and the CPU supports AVX-512 (or AVX2), this re-executes the program once with
// OPENBLAS_CORETYPE set to a matching kernel family; it returns normally otherwise. A user's own
// OPENBLAS_CORETYPE is always respected. Call first thing in main().
void reexec_with_native_blas_kernels(char** argv);

// The name of the kernel family OpenBLAS uses ("" when the BLAS is not OpenBLAS).
const char* blas_kernel_name();

// Number of CPUs this process may run on (its affinity mask), at least 1.
int available_cpus();

// Sets LibTorch's intra-op threads: n when n > 0, else available_cpus(). (LibTorch's own
// default can be 1 in VMs where it cannot read the core topology.)
void set_compute_threads(int n);

// A thread-count config key (0: one per core) checked against the CPUs this process may use:
// more threads than cores only contend (measured: --threads 100000 ran at a load of 148).
int thread_setting(const Config& config, const std::string& key);

}  // namespace helix
