#include "helix/nn/shift_add.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <vector>

namespace helix::nn {
namespace {

// out[b, t, g] = (x ? x[b, t, g] : 0) + h[b, (t + sign * s_g) mod L, g], contiguous float CPU.
void shift_add_cpu(const float* x, const float* h, float* out, int64_t batch, int64_t length,
                   int64_t width, int64_t group_size, int64_t sign) {
  const int64_t groups = (width + group_size - 1) / group_size;
  std::vector<int64_t> shift(groups);
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t s = g == 0 ? 0 : (int64_t{1} << (g - 1)) % length;
    shift[g] = ((sign * s) % length + length) % length;
  }
  at::parallel_for(0, batch * length, 64, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t b = row / length;
      const int64_t t = row % length;
      float* o = out + row * width;
      const float* xr = x ? x + row * width : nullptr;
      for (int64_t g = 0; g < groups; ++g) {
        int64_t src_t = t + shift[g];
        if (src_t >= length) src_t -= length;
        const int64_t c0 = g * group_size;
        const int64_t c1 = std::min(width, c0 + group_size);
        const float* hr = h + (b * length + src_t) * width;
        if (xr) {
          for (int64_t c = c0; c < c1; ++c) o[c] = xr[c] + hr[c];
        } else {
          for (int64_t c = c0; c < c1; ++c) o[c] = hr[c];
        }
      }
    }
  });
}

// Generic path (other dtypes, CUDA): narrow + roll per group, written into one output.
at::Tensor shift_generic(const at::Tensor& h, int64_t group_size, int64_t sign) {
  const int64_t width = h.size(2);
  const int64_t length = h.size(1);
  auto out = at::empty_like(h);
  for (int64_t g = 0, c0 = 0; c0 < width; ++g, c0 += group_size) {
    const int64_t n = std::min(group_size, width - c0);
    const int64_t s = g == 0 ? 0 : (int64_t{1} << (g - 1)) % length;
    // out[t] = in[(t + s) mod L] is a roll by -s.
    out.narrow(2, c0, n).copy_(at::roll(h.narrow(2, c0, n), {-sign * s}, {1}));
  }
  return out;
}

at::Tensor shift(const at::Tensor& x, const at::Tensor& h, int64_t group_size, int64_t sign) {
  const bool fast = h.device().is_cpu() && h.scalar_type() == at::kFloat &&
                    (!x.defined() || x.scalar_type() == at::kFloat);
  if (!fast) {
    auto shifted = shift_generic(h, group_size, sign);
    return x.defined() ? x + shifted : shifted;
  }
  auto hc = h.contiguous();
  auto xc = x.defined() ? x.contiguous() : x;
  auto out = at::empty(hc.sizes(), hc.options());
  shift_add_cpu(xc.defined() ? xc.data_ptr<float>() : nullptr, hc.data_ptr<float>(),
                out.data_ptr<float>(), hc.size(0), hc.size(1), hc.size(2), group_size, sign);
  return out;
}

struct ShiftAddFunction : public torch::autograd::Function<ShiftAddFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const at::Tensor& h, int64_t group_size) {
    ctx->saved_data["group_size"] = group_size;
    return shift(x, h, group_size, +1);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto group_size = ctx->saved_data["group_size"].toInt();
    const auto& g = grads[0];
    return {g, shift(at::Tensor(), g, group_size, -1), at::Tensor()};
  }
};

}  // namespace

at::Tensor shift_add(const at::Tensor& x, const at::Tensor& h, int64_t group_size) {
  TORCH_CHECK(x.dim() == 3 && h.sizes() == x.sizes(), "shift_add expects equal [B, L, D] tensors");
  TORCH_CHECK(group_size > 0, "group_size must be positive");
  return ShiftAddFunction::apply(x, h, group_size);
}

at::Tensor shift_add_reference(const at::Tensor& x, const at::Tensor& h, int64_t group_size) {
  const int64_t length = h.size(1);
  std::vector<at::Tensor> parts;
  auto groups = h.split(group_size, 2);
  for (size_t g = 0; g < groups.size(); ++g) {
    const int64_t s = g == 0 ? 0 : (int64_t{1} << (g - 1)) % length;
    parts.push_back(at::roll(groups[g], {-s}, {1}));
  }
  return x + at::cat(parts, 2);
}

}  // namespace helix::nn
