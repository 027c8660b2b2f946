#include "helix/nn/conv_net.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <set>

#include "helix/util/error.hpp"

namespace helix::nn {
namespace {

const char* const kValidKeys =
    "name, alphabet, in_channels, filters, kernels, pools, padding, batch_norm, dropout, dense, "
    "input_length";

std::string join(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

void require_positive(const std::vector<int64_t>& v, const char* what) {
  for (const auto x : v) {
    if (x <= 0) {
      throw UsageError(std::string("conv_net: ") + what + " must be positive, got " + join(v));
    }
  }
}

}  // namespace

nlohmann::json ConvNetOptions::to_json() const {
  return {{"name", "conv_net"},       {"in_channels", in_channels},
          {"filters", filters},       {"kernels", kernels},
          {"pools", pools},           {"padding", padding},
          {"batch_norm", batch_norm}, {"dropout", dropout},
          {"dense", dense},           {"input_length", input_length}};
}

ConvNetOptions ConvNetOptions::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw UsageError("conv_net: options must be a JSON object");
  static const std::set<std::string> known = {"name",    "alphabet", "in_channels", "filters",
                                              "kernels", "pools",    "padding",     "batch_norm",
                                              "dropout", "dense",    "input_length"};
  for (const auto& item : j.items()) {
    if (known.count(item.key()) == 0) {
      throw UsageError("conv_net: unknown option '" + item.key() +
                       "'; valid options: " + kValidKeys);
    }
  }
  ConvNetOptions o;
  o.in_channels = j.value("in_channels", o.in_channels);
  o.filters = j.value("filters", o.filters);
  o.kernels = j.value("kernels", o.kernels);
  o.pools = j.value("pools", o.pools);
  o.padding = j.value("padding", o.padding);
  o.batch_norm = j.value("batch_norm", o.batch_norm);
  o.dropout = j.value("dropout", o.dropout);
  o.dense = j.value("dense", o.dense);
  o.input_length = j.value("input_length", o.input_length);
  o.validate();
  return o;
}

void ConvNetOptions::validate() const {
  if (in_channels <= 0) {
    throw UsageError("conv_net: in_channels must be positive, got " + std::to_string(in_channels));
  }
  if (filters.empty() || filters.size() != kernels.size() || filters.size() != pools.size()) {
    throw UsageError("conv_net: filters, kernels and pools need the same non-zero length, got " +
                     std::to_string(filters.size()) + ", " + std::to_string(kernels.size()) +
                     " and " + std::to_string(pools.size()));
  }
  require_positive(filters, "filters");
  require_positive(kernels, "kernels");
  require_positive(pools, "pools");
  if (padding != "same" && padding != "valid") {
    throw UsageError("conv_net: padding must be \"same\" or \"valid\", got \"" + padding + "\"");
  }
  if (!(dropout >= 0.0 && dropout < 1.0)) {
    throw UsageError("conv_net: dropout must be in [0, 1), got " + std::to_string(dropout));
  }
  require_positive(dense, "dense");
  if (input_length < 0) {
    throw UsageError("conv_net: input_length must be positive, got " +
                     std::to_string(input_length));
  }
  if (!dense.empty() && input_length == 0) {
    throw UsageError("conv_net: dense layers need input_length (the fixed sequence length)");
  }
}

ConvNetImpl::ConvNetImpl(const ConvNetOptions& options) : options_(options) {
  options_.validate();
  const auto& o = options_;
  convs = register_module("convs", torch::nn::ModuleList());
  norms = register_module("norms", torch::nn::ModuleList());
  int64_t in = o.in_channels;
  for (size_t l = 0; l < o.filters.size(); ++l) {
    auto conv_options =
        torch::nn::Conv1dOptions(in, o.filters[l], o.kernels[l]).bias(!o.batch_norm);
    if (o.padding == "same") {
      conv_options.padding(torch::kSame);
    } else {
      conv_options.padding(torch::kValid);
    }
    convs->push_back(torch::nn::Conv1d(conv_options));
    if (o.batch_norm) norms->push_back(torch::nn::BatchNorm1d(o.filters[l]));
    in = o.filters[l];
  }
  denses = register_module("denses", torch::nn::ModuleList());
  if (!o.dense.empty()) {
    const int64_t trunk_length = trunk_output_length(o.input_length);
    if (trunk_length <= 0) {
      throw UsageError("conv_net: input_length " + std::to_string(o.input_length) +
                       " is too short for the conv layers (no output positions)");
    }
    in *= trunk_length;
    for (const auto width : o.dense) {
      denses->push_back(torch::nn::Linear(in, width));
      in = width;
    }
  }
}

int64_t ConvNetImpl::length_at(int64_t length, int64_t layer, bool pooled) const {
  for (int64_t l = 0; l <= layer && length > 0; ++l) {
    if (options_.padding == "valid") length -= options_.kernels[l] - 1;
    if (l < layer || pooled) length = length > 0 ? length / options_.pools[l] : 0;  // floor mode
  }
  return length > 0 ? length : 0;
}

int64_t ConvNetImpl::trunk_output_length(int64_t length) const {
  return length_at(length, num_layers() - 1, /*pooled=*/true);
}

int64_t ConvNetImpl::output_length(int64_t length) const {
  if (options_.dense.empty()) return trunk_output_length(length);
  return length > 0 && length <= options_.input_length ? 1 : 0;
}

int64_t ConvNetImpl::receptive_field(int64_t layer) const {
  if (layer < 0 || layer >= num_layers()) {
    throw UsageError("conv_net: layer " + std::to_string(layer) + " out of range [0, " +
                     std::to_string(num_layers()) + ")");
  }
  const auto& k = options_.kernels;
  const auto& p = options_.pools;
  int64_t rf = k[layer];
  for (int64_t i = layer - 1; i >= 0; --i) rf = rf * p[i] + k[i] - 1;
  return rf;
}

void ConvNetImpl::check_input(const torch::Tensor& x) const {
  TORCH_CHECK(x.dim() == 3 && x.size(1) == options_.in_channels, "conv_net expects [B, ",
              options_.in_channels, ", L], got ", x.sizes());
}

torch::Tensor ConvNetImpl::conv_bn(const torch::Tensor& x, size_t layer) {
  auto h = convs[layer]->as<torch::nn::Conv1d>()->forward(x);
  if (options_.batch_norm) h = norms[layer]->as<torch::nn::BatchNorm1d>()->forward(h);
  return h;
}

torch::Tensor ConvNetImpl::block(const torch::Tensor& x, size_t layer) {
  auto h = at::relu(conv_bn(x, layer));
  const int64_t pool = options_.pools[layer];
  if (pool > 1) h = at::max_pool1d(h, {pool}, {pool}, {0}, {1}, /*ceil_mode=*/false);
  if (options_.dropout > 0) {
    h = torch::nn::functional::dropout(
        h, torch::nn::functional::DropoutFuncOptions().p(options_.dropout).training(is_training()));
  }
  return h;
}

torch::Tensor ConvNetImpl::forward(const torch::Tensor& x) {
  check_input(x);
  auto h = x;
  if (!options_.dense.empty()) {
    TORCH_CHECK(x.size(2) <= options_.input_length,
                "conv_net: this network takes sequences of at most ", options_.input_length,
                " positions (its input_length), got ", x.size(2));
    if (x.size(2) < options_.input_length) {
      h = at::constant_pad_nd(x, {0, options_.input_length - x.size(2)}, 0.0);
    }
  }
  TORCH_CHECK(trunk_output_length(h.size(2)) > 0, "conv_net: input length ", h.size(2),
              " is too short for this network (no output positions)");
  for (size_t l = 0; l < options_.filters.size(); ++l) h = block(h, l);
  if (options_.dense.empty()) return h.transpose(1, 2);  // [B, L', D], as pooling and heads take
  h = h.flatten(1);
  for (size_t i = 0; i < denses->size(); ++i) {
    h = at::relu(denses[i]->as<torch::nn::Linear>()->forward(h));
    if (options_.dropout > 0) {
      h = torch::nn::functional::dropout(
          h,
          torch::nn::functional::DropoutFuncOptions().p(options_.dropout).training(is_training()));
    }
  }
  return h.unsqueeze(1);  // [B, 1, dense.back()]
}

std::vector<torch::Tensor> ConvNetImpl::preactivations(const torch::Tensor& x, int64_t layer) {
  receptive_field(layer);  // range check
  check_input(x);
  std::vector<torch::Tensor> out;
  auto h = x;
  for (int64_t l = 0; l <= layer; ++l) {
    out.push_back(conv_bn(h, static_cast<size_t>(l)));
    if (l == layer) break;
    h = at::relu(out.back());
    const int64_t pool = options_.pools[l];
    if (pool > 1) h = at::max_pool1d(h, {pool}, {pool}, {0}, {1}, /*ceil_mode=*/false);
    if (options_.dropout > 0 && is_training()) {
      h = torch::nn::functional::dropout(
          h, torch::nn::functional::DropoutFuncOptions().p(options_.dropout).training(true));
    }
  }
  return out;
}

torch::Tensor ConvNetImpl::below(const torch::Tensor& x, int64_t layer) {
  receptive_field(layer);  // range check
  check_input(x);
  auto h = x;
  for (int64_t l = 0; l < layer; ++l) h = block(h, static_cast<size_t>(l));
  return h;
}

std::pair<torch::Tensor, torch::Tensor> ConvNetImpl::folded_conv(int64_t layer) const {
  receptive_field(layer);  // range check
  const auto* conv = convs->ptr(static_cast<size_t>(layer))->as<torch::nn::Conv1d>();
  auto weight = conv->weight.detach();
  auto bias =
      conv->bias.defined() ? conv->bias.detach() : at::zeros({weight.size(0)}, weight.options());
  if (!options_.batch_norm) return {weight, bias};
  const auto* norm = norms->ptr(static_cast<size_t>(layer))->as<torch::nn::BatchNorm1d>();
  auto scale = norm->weight.detach() / at::sqrt(norm->running_var + norm->options.eps());
  return {weight * scale.view({-1, 1, 1}),
          (bias - norm->running_mean) * scale + norm->bias.detach()};
}

torch::Tensor ConvNetImpl::preactivation(const torch::Tensor& x, int64_t layer) {
  receptive_field(layer);  // range check
  check_input(x);
  TORCH_CHECK(length_at(x.size(2), layer, /*pooled=*/false) > 0, "conv_net: input length ",
              x.size(2), " is too short for layer ", layer, " (no positions)");
  auto h = x;
  for (int64_t l = 0; l < layer; ++l) h = block(h, static_cast<size_t>(l));
  return conv_bn(h, static_cast<size_t>(layer));
}

}  // namespace helix::nn
