// Probe fitting time: ridge regression over its whole regularisation grid (exact leave-one-out
// selection) and L2 logistic regression, on 30,000 x 512 float features, the size of a GUE
// training split embedded by a 512-d encoder. Best of 3 runs. Prints one JSON object per line.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "helix/eval/probe.hpp"
#include "helix/util/cpu.hpp"
#include "helix/util/cpu_allocator.hpp"

namespace {
template <typename F>
double best_of_3(F fit) {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto t = std::chrono::steady_clock::now();
    fit();
    best =
        std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
  }
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  helix::reexec_with_native_blas_kernels(argv);
  helix::install_caching_cpu_allocator();
  helix::set_compute_threads(0);
  const int64_t n = 30000, d = 512;
  at::manual_seed(0);
  auto X = at::randn({n, d});
  auto w = at::randn({d, 1});
  auto y = at::mm(X, w).squeeze(1) + at::randn({n});
  const double ridge_s = best_of_3([&] { helix::eval::fit_ridge(X, y); });
  std::cout << nlohmann::json{{"bench", "probe_fit"},
                              {"model", "ridge, 25 alphas, exact LOO"},
                              {"n", n},
                              {"d", d},
                              {"seconds", ridge_s},
                              {"threads", at::get_num_threads()}}
                   .dump()
            << std::endl;
  auto labels = (at::mm(X, w).squeeze(1) > 0).to(at::kLong);
  const double logistic_s = best_of_3([&] { helix::eval::fit_logistic(X, labels, 2, 1e-3); });
  std::cout << nlohmann::json{{"bench", "probe_fit"},
                              {"model", "logistic, one l2"},
                              {"n", n},
                              {"d", d},
                              {"seconds", logistic_s},
                              {"threads", at::get_num_threads()}}
                   .dump()
            << std::endl;
  return 0;
}
