#include "helix/interpret/filter_motifs.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <array>
#include <functional>

#include "helix/interpret/ppm.hpp"
#include "helix/seq/alphabet.hpp"
#include "helix/util/error.hpp"

namespace helix::interpret {
namespace {

// Bases [start, start + length) of one sequence: its windows are those starting in
// [start, start + length - kernel]. A long sequence is cut into pieces overlapping by kernel - 1
// bases, so every window lies in exactly one piece.
struct Piece {
  size_t sequence = 0;
  int64_t start = 0;
  int64_t length = 0;
};

std::vector<Piece> cut_pieces(const std::vector<std::string>& sequences, int64_t kernel,
                              int64_t max_length) {
  std::vector<Piece> out;
  const int64_t step = max_length - kernel + 1;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const auto length = static_cast<int64_t>(sequences[i].size());
    for (int64_t start = 0; start + kernel <= length; start += step) {
      out.push_back({i, start, std::min(max_length, length - start)});
    }
  }
  return out;
}

// Consecutive pieces whose padded batch [count, max length] stays within `positions`.
std::vector<std::pair<size_t, size_t>> batch_ranges(const std::vector<Piece>& pieces,
                                                    int64_t positions) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t begin = 0;
  int64_t longest = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const int64_t next_longest = std::max(longest, pieces[i].length);
    if (i > begin && int64_t(i - begin + 1) * next_longest > positions) {
      out.emplace_back(begin, i);
      begin = i;
      longest = pieces[i].length;
    } else {
      longest = next_longest;
    }
  }
  if (begin < pieces.size()) out.emplace_back(begin, pieces.size());
  return out;
}

struct Batch {
  at::Tensor x;      // one-hot [B, C, L], zero past each piece's end
  at::Tensor valid;  // bool [B, L - kernel + 1]: the window lies in the piece and is all A/C/G/T
  int64_t windows = 0;
  int64_t skipped = 0;
};

Batch make_batch(const std::vector<std::string>& sequences, const std::vector<Piece>& pieces,
                 size_t begin, size_t end, const seq::Alphabet& alphabet, int64_t kernel,
                 const c10::Device& device) {
  int64_t longest = 0;
  for (size_t i = begin; i < end; ++i) longest = std::max(longest, pieces[i].length);
  const auto count = static_cast<int64_t>(end - begin);
  const int64_t channels = alphabet.channels();
  const int64_t width = longest - kernel + 1;
  auto x = at::zeros({count, channels, longest}, at::kFloat);
  auto valid = at::zeros({count, width}, at::kBool);
  auto* xp = x.data_ptr<float>();
  auto* vp = valid.data_ptr<bool>();
  std::array<bool, 8> is_base{};
  for (const auto b : alphabet.bases()) is_base[static_cast<size_t>(b)] = true;
  Batch batch;
  std::vector<int64_t> bad;  // bad[p]: non-A/C/G/T bases among the first p of the piece
  for (int64_t r = 0; r < count; ++r) {
    const auto& piece = pieces[begin + size_t(r)];
    const auto codes = seq::encode(
        sequences[piece.sequence].substr(size_t(piece.start), size_t(piece.length)), alphabet);
    seq::one_hot_into(codes.data(), piece.length, channels, longest, xp + r * channels * longest);
    bad.assign(size_t(piece.length) + 1, 0);
    for (int64_t p = 0; p < piece.length; ++p) {
      const int8_t c = codes[size_t(p)];
      bad[size_t(p) + 1] = bad[size_t(p)] + (c >= 0 && is_base[size_t(c)] ? 0 : 1);
    }
    for (int64_t w = 0; w + kernel <= piece.length; ++w) {
      const bool ok = bad[size_t(w + kernel)] == bad[size_t(w)];
      vp[r * width + w] = ok;
      ++(ok ? batch.windows : batch.skipped);
    }
  }
  batch.x = x.to(device);
  batch.valid = valid.to(device);
  return batch;
}

}  // namespace

int64_t FilterMotifResult::dead_filters() const {
  return std::count_if(filters.begin(), filters.end(), [](const auto& f) { return f.dead; });
}

FilterMotifResult filter_motifs(const nn::ConvNetImpl& net,
                                const std::vector<std::string>& sequences,
                                const FilterMotifOptions& options) {
  if (!(options.threshold_fraction >= 0 && options.threshold_fraction < 1)) {
    throw UsageError("filter motifs: the threshold fraction must be in [0, 1), got " +
                     std::to_string(options.threshold_fraction));
  }
  if (!(options.pseudocount >= 0)) {
    throw UsageError("filter motifs: the pseudo-count must be >= 0, got " +
                     std::to_string(options.pseudocount));
  }
  const auto alphabet = seq::Alphabet::from_name(options.alphabet);
  if (alphabet.channels() != net.in_channels()) {
    throw UsageError("filter motifs: alphabet " + options.alphabet + " has " +
                     std::to_string(alphabet.channels()) + " channels, the network's input " +
                     std::to_string(net.in_channels()));
  }
  torch::NoGradGuard no_grad;
  const auto folded = net.folded_conv(0);
  const auto weight = folded.first.to(at::kFloat);
  const auto bias = folded.second.to(at::kFloat);
  const auto device = weight.device();
  const int64_t filters = weight.size(0);
  const int64_t kernel = weight.size(2);

  FilterMotifResult result;
  result.kernel = kernel;
  result.sequences = static_cast<int64_t>(sequences.size());
  // Float sums of 0/1 per batch stay exact below 2^24.
  const int64_t requested = options.batch_positions > 0
                                ? options.batch_positions
                                : (int64_t{1} << 24) / (filters + 4 * kernel);
  const int64_t positions = std::min<int64_t>(std::max(requested, 2 * kernel), int64_t{1} << 24);
  const auto pieces = cut_pieces(sequences, kernel, positions);
  const auto batches = batch_ranges(pieces, positions);
  std::vector<int64_t> base_channels;
  for (const auto b : alphabet.bases()) base_channels.push_back(b);
  const auto bases = at::tensor(base_channels, at::kLong).to(device);

  // Activations of every valid window, [B, filters, W]; invalid windows are 0.
  const auto activations = [&](const Batch& batch) {
    auto a = at::relu(at::conv1d(batch.x, weight, bias));
    return a.masked_fill(batch.valid.logical_not().unsqueeze(1), 0.0);
  };
  const auto for_each_batch = [&](const std::function<void(const Batch&)>& fn) {
    for (const auto& [begin, end] : batches) {
      fn(make_batch(sequences, pieces, begin, end, alphabet, kernel, device));
    }
  };

  // Pass 1: each filter's maximum (post-ReLU, so >= 0; 0 for a dead filter).
  auto maximum = at::zeros({filters}, weight.options());
  for_each_batch([&](const Batch& batch) {
    result.windows += batch.windows;
    result.skipped_windows += batch.skipped;
    maximum = at::maximum(maximum, activations(batch).amax({0, 2}));
  });
  const auto threshold = maximum * options.threshold_fraction;

  // Pass 2: base counts of the windows above the threshold, [filters, 4 x kernel] (base-major).
  auto counts = at::zeros({filters, 4 * kernel}, weight.options().dtype(at::kDouble));
  auto sites = at::zeros({filters}, weight.options().dtype(at::kDouble));
  for_each_batch([&](const Batch& batch) {
    const auto above = activations(batch).gt(threshold.view({1, filters, 1})).to(at::kFloat);
    const int64_t n = above.size(0), width = above.size(2);
    sites += above.sum(at::IntArrayRef{0, 2}).to(at::kDouble);
    // Windows as rows of 4 x kernel one-hot values (A, C, G, T).
    const auto windows = batch.x.index_select(1, bases)
                             .unfold(2, kernel, 1)
                             .permute({0, 2, 1, 3})
                             .reshape({n * width, 4 * kernel});
    const auto chosen = above.permute({1, 0, 2}).reshape({filters, n * width});
    counts += chosen.mm(windows).to(at::kDouble);
  });

  const auto counts_cpu = counts.cpu().contiguous();
  const auto sites_cpu = sites.cpu();
  const auto maximum_cpu = maximum.cpu().to(at::kDouble);
  const auto* c = counts_cpu.data_ptr<double>();
  for (int64_t f = 0; f < filters; ++f) {
    FilterMotif out;
    out.filter = f;
    out.max_activation = maximum_cpu[f].item<double>();
    out.dead = !(out.max_activation > 0);
    out.threshold = out.max_activation * options.threshold_fraction;
    out.sites = static_cast<int64_t>(sites_cpu[f].item<double>());
    out.motif.id = "f" + std::to_string(f);
    out.motif.sites = double(out.sites);
    if (!out.dead) {
      std::vector<std::array<double, 4>> rows(static_cast<size_t>(kernel));
      for (int64_t j = 0; j < kernel; ++j) {
        for (int64_t b = 0; b < 4; ++b) {
          rows[size_t(j)][size_t(b)] = c[f * 4 * kernel + b * kernel + j] + options.pseudocount;
        }
      }
      out.motif.probabilities = motif::normalise_rows(rows);
      double ic = 0;
      for (const auto& row : out.motif.probabilities) ic += information_bits(row);
      out.mean_ic = ic / double(kernel);
    }
    result.filters.push_back(std::move(out));
  }
  return result;
}

}  // namespace helix::interpret
