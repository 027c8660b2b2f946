#include "helix/objectives/contrastive.hpp"

#include <ATen/ATen.h>

#include <limits>

#include "helix/util/error.hpp"

namespace helix::objectives {

ContrastiveForm contrastive_form_from_name(const std::string& name) {
  if (name == "dcl") return ContrastiveForm::kDclSplit;
  if (name == "dcl_pooled") return ContrastiveForm::kDclPooled;
  if (name == "ntxent") return ContrastiveForm::kNtXent;
  throw UsageError("contrastive loss must be one of dcl, dcl_pooled, ntxent; got '" + name + "'");
}

at::Tensor detach_outside_shard(const at::Tensor& z, int64_t begin, int64_t count) {
  const int64_t n = z.size(0);
  if (begin == 0 && count == n) return z;
  return at::cat({z.narrow(0, 0, begin).detach(), z.narrow(0, begin, count),
                  z.narrow(0, begin + count, n - begin - count).detach()});
}

namespace {
// Terms for anchors a[begin..begin+count) of one view against same-view rows `same` and
// other-view rows `other` (both [N, D]).
at::Tensor view_terms(const at::Tensor& same, const at::Tensor& other, int64_t begin, int64_t count,
                      const ContrastiveOptions& o, const at::Tensor& weights) {
  const int64_t n = same.size(0);
  auto anchors = same.narrow(0, begin, count);
  auto s_same = at::matmul(anchors, same.t()) / o.temperature;    // [count, N]
  auto s_other = at::matmul(anchors, other.t()) / o.temperature;  // [count, N]
  auto rows = at::arange(count, same.options().dtype(at::kLong));
  auto self_cols = rows + begin;
  auto positive = s_other.index({rows, self_cols});  // s(z_i, z'_i)
  // The anchor itself is never its own negative; the positive leaves the denominators except in
  // NT-Xent.
  auto diagonal = at::zeros({count, n}, same.options().dtype(at::kBool));
  diagonal.index_put_({rows, self_cols}, true);
  const double minus_inf = -std::numeric_limits<double>::infinity();
  auto same_neg = s_same.masked_fill(diagonal, minus_inf);
  auto other_neg =
      o.form == ContrastiveForm::kNtXent ? s_other : s_other.masked_fill(diagonal, minus_inf);
  auto weighted = weights.defined() ? positive * weights : positive;
  if (o.form == ContrastiveForm::kDclSplit) {
    return -weighted + at::logsumexp(same_neg, 1) + at::logsumexp(other_neg, 1);
  }
  return -weighted + at::logsumexp(at::cat({same_neg, other_neg}, 1), 1);
}
}  // namespace

at::Tensor contrastive_terms(const at::Tensor& z0, const at::Tensor& z1, int64_t begin,
                             int64_t count, const ContrastiveOptions& options,
                             const at::Tensor& positive_weights) {
  TORCH_CHECK(z0.dim() == 2 && z0.sizes() == z1.sizes(), "contrastive: views must be [N, D], got ",
              z0.sizes(), " and ", z1.sizes());
  TORCH_CHECK(begin >= 0 && count >= 1 && begin + count <= z0.size(0),
              "contrastive: shard out of range");
  TORCH_CHECK(z0.size(0) >= 2, "contrastive: a batch needs at least 2 pairs");
  auto w = positive_weights.defined() ? positive_weights.to(z0.options()) : positive_weights;
  const auto a = detach_outside_shard(z0, begin, count);
  const auto b = detach_outside_shard(z1, begin, count);
  return at::stack(
      {view_terms(a, b, begin, count, options, w), view_terms(b, a, begin, count, options, w)});
}

at::Tensor contrastive_loss(const at::Tensor& z0, const at::Tensor& z1, int64_t begin,
                            int64_t count, const ContrastiveOptions& options,
                            const at::Tensor& positive_weights) {
  return contrastive_terms(z0, z1, begin, count, options, positive_weights).mean(1).mean();
}

at::Tensor contrastive_loss(const at::Tensor& z0, const at::Tensor& z1,
                            const ContrastiveOptions& options, const at::Tensor& positive_weights) {
  return contrastive_loss(z0, z1, 0, z0.size(0), options, positive_weights);
}

}  // namespace helix::objectives
