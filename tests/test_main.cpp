// GoogleTest entry point: single-threaded LibTorch by default so tests stay deterministic and
// do not oversubscribe CI's two cores when ctest runs them in parallel.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "helix/util/cpu.hpp"

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  at::set_num_threads(1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
