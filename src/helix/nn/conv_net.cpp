#include "helix/nn/conv_net.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <set>

#include "helix/util/error.hpp"

namespace helix::nn {
namespace {

const char* const kValidKeys =
    "name, alphabet, in_channels, filters, kernels, pools, padding, batch_norm, dropout";

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
          {"batch_norm", batch_norm}, {"dropout", dropout}};
}

ConvNetOptions ConvNetOptions::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw UsageError("conv_net: options must be a JSON object");
  static const std::set<std::string> known = {"name",    "alphabet",   "in_channels",
                                              "filters", "kernels",    "pools",
                                              "padding", "batch_norm", "dropout"};
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
}

int64_t ConvNetImpl::length_at(int64_t length, int64_t layer, bool pooled) const {
  for (int64_t l = 0; l <= layer && length > 0; ++l) {
    if (options_.padding == "valid") length -= options_.kernels[l] - 1;
    if (l < layer || pooled) length = length > 0 ? length / options_.pools[l] : 0;  // floor mode
  }
  return length > 0 ? length : 0;
}

int64_t ConvNetImpl::output_length(int64_t length) const {
  return length_at(length, num_layers() - 1, /*pooled=*/true);
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
  TORCH_CHECK(output_length(x.size(2)) > 0, "conv_net: input length ", x.size(2),
              " is too short for this network (no output positions)");
  auto h = x;
  for (size_t l = 0; l < options_.filters.size(); ++l) h = block(h, l);
  return h.transpose(1, 2);  // [B, L', D], the layout pooling and heads take
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
