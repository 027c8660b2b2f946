#include "helix/nn/dilated_resnet.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>

#include "helix/util/error.hpp"

namespace helix::nn {
namespace {
// A 'same' convolution is an unpadded one applied after padding the input explicitly: total
// dilation * (kernel - 1) zeros, the smaller half on the left (PyTorch's padding='same' split, so
// weights carry over). Explicit padding also avoids LibTorch's warning about the copy it makes
// for even kernels.
torch::nn::Conv1d same_conv(int64_t in, int64_t out, int64_t kernel, int64_t dilation) {
  return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, kernel).dilation(dilation));
}
torch::Tensor conv_same(torch::nn::Conv1d& conv, const torch::Tensor& x) {
  const int64_t total =
      conv->options.dilation()->front() * (conv->options.kernel_size()->front() - 1);
  return conv(at::constant_pad_nd(x, {total / 2, total - total / 2}));
}
// MaxPool(2) that keeps a trailing odd position (ceil mode), so output lengths are ceil(L/2).
torch::Tensor pool2(const torch::Tensor& x) {
  return at::max_pool1d(x, {2}, {2}, {0}, {1}, /*ceil_mode=*/true);
}
}  // namespace

nlohmann::json DilatedResNetOptions::to_json() const {
  return {{"name", "dilated_resnet"}, {"in_channels", in_channels}, {"filters", filters},
          {"blocks", blocks},         {"dilations", dilations},     {"kernel_size", kernel_size},
          {"dropout", dropout}};
}

DilatedResNetOptions DilatedResNetOptions::from_json(const nlohmann::json& j) {
  DilatedResNetOptions o;
  o.in_channels = j.value("in_channels", o.in_channels);
  o.filters = j.value("filters", o.filters);
  o.blocks = j.value("blocks", o.blocks);
  o.dilations = j.value("dilations", o.dilations);
  o.kernel_size = j.value("kernel_size", o.kernel_size);
  o.dropout = j.value("dropout", o.dropout);
  if (o.filters.empty() || o.filters.size() != o.blocks.size() ||
      o.filters.size() != o.dilations.size()) {
    throw UsageError("dilated_resnet: filters, blocks and dilations need the same non-zero length");
  }
  return o;
}

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t kernel, int64_t dilation,
                                     double dropout)
    : dropout_(dropout) {
  conv1 = register_module("conv1", same_conv(in, out, kernel, dilation));
  bn1 = register_module("bn1", torch::nn::BatchNorm1d(out));
  conv2 = register_module("conv2", same_conv(out, out, kernel, dilation));
  bn2 = register_module("bn2", torch::nn::BatchNorm1d(out));
  if (in != out) {
    shortcut = register_module("shortcut", torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 1)));
    shortcut_bn = register_module("shortcut_bn", torch::nn::BatchNorm1d(out));
  }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  auto h = at::relu(bn1(at::relu(conv_same(conv1, x))));
  if (dropout_ > 0) {
    h = torch::nn::functional::dropout(
        h, torch::nn::functional::DropoutFuncOptions().p(dropout_).training(is_training()));
  }
  h = bn2(at::relu(conv_same(conv2, h)));
  auto residual = shortcut ? shortcut_bn(shortcut(x)) : x;
  return at::relu(h + residual);
}

DilatedResNetImpl::DilatedResNetImpl(const DilatedResNetOptions& options) : options_(options) {
  const auto& o = options_;
  stem = register_module("stem", same_conv(o.in_channels, o.filters[0], o.kernel_size, 1));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm1d(o.filters[0]));
  stages = register_module("stages", torch::nn::ModuleList());
  int64_t in = o.filters[0];
  for (size_t s = 0; s < o.filters.size(); ++s) {
    torch::nn::ModuleList stage;
    const bool last = s + 1 == o.filters.size();
    for (int64_t b = 0; b < o.blocks[s]; ++b) {
      stage->push_back(
          ResidualBlock(in, o.filters[s], o.kernel_size, o.dilations[s], last ? 0.0 : o.dropout));
      in = o.filters[s];
    }
    stages->push_back(stage);
  }
}

int64_t DilatedResNetImpl::output_length(int64_t length) const {
  for (size_t s = 0; s <= options_.filters.size(); ++s) length = (length + 1) / 2;
  return length;
}

torch::Tensor DilatedResNetImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 3 && x.size(1) == options_.in_channels, "dilated_resnet expects [B, ",
              options_.in_channels, ", L], got ", x.sizes());
  auto h = pool2(at::relu(stem_bn(conv_same(stem, x))));
  for (const auto& stage : *stages) {
    for (const auto& block : *stage->as<torch::nn::ModuleList>()) {
      h = block->as<ResidualBlock>()->forward(h);
    }
    h = pool2(h);
  }
  return h.transpose(1, 2);  // [B, L', D], the layout pooling and heads take
}

}  // namespace helix::nn
