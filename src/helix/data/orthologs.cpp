#include "helix/data/orthologs.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "helix/io/maf.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

// kUpper[c]: c uppercased, or 0 for the gap '-'.
constexpr std::array<char, 256> make_upper_table() {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  table['-'] = 0;
  return table;
}
constexpr std::array<char, 256> kUpper = make_upper_table();

// kAmbiguous[c]: 1 unless c is A, C, G, T or U (uppercase; U reads as T).
constexpr std::array<uint8_t, 256> make_ambiguous_table() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = 1;
  for (const char* p = "ACGTU"; *p != '\0'; ++p) table[static_cast<unsigned char>(*p)] = 0;
  return table;
}
constexpr std::array<uint8_t, 256> kAmbiguous = make_ambiguous_table();

// Appends the non-gap characters of text[begin, end) to `out`, uppercased.
void append_ungapped_upper(const std::string& text, size_t begin, size_t end, std::string& out) {
  const size_t old_size = out.size();
  out.resize(old_size + (end - begin));
  char* dst = out.data() + old_size;
  for (size_t i = begin; i < end; ++i) {
    const char c = kUpper[static_cast<unsigned char>(text[i])];
    *dst = c;
    dst += c != 0;
  }
  out.resize(static_cast<size_t>(dst - out.data()));
}

// Number of characters of `seq` (uppercase, no gaps) other than A, C, G, T (U counts as T).
int64_t count_ambiguous(const std::string& seq) {
  int64_t n = 0;
  for (char c : seq) n += kAmbiguous[static_cast<unsigned char>(c)];
  return n;
}

bool too_ambiguous(const std::string& seq, double max_n_fraction) {
  return static_cast<double>(count_ambiguous(seq)) >
         max_n_fraction * static_cast<double>(seq.size());
}

void check_options(const OrthologOptions& o) {
  if (o.reference.empty()) throw UsageError("orthologs: the reference species must not be empty");
  if (o.min_length < 1) {
    throw UsageError("orthologs: min_length must be >= 1, got " + std::to_string(o.min_length));
  }
  if (o.max_length <= o.min_length) {
    throw UsageError("orthologs: max_length (" + std::to_string(o.max_length) +
                     ") must be greater than min_length (" + std::to_string(o.min_length) + ")");
  }
  if (o.window < 0) {
    throw UsageError("orthologs: window must be >= 0 (0: whole blocks), got " +
                     std::to_string(o.window));
  }
  if (!(o.max_n_fraction >= 0.0 && o.max_n_fraction <= 1.0)) {
    throw UsageError("orthologs: max_n_fraction must be in [0, 1], got " +
                     std::to_string(o.max_n_fraction));
  }
  if (std::find(o.species.begin(), o.species.end(), o.reference) != o.species.end()) {
    throw UsageError("orthologs: the reference species '" + o.reference +
                     "' is also listed among the partner species");
  }
}

std::string group_id(const io::MafRow& ref, int64_t offset, int64_t length) {
  const int64_t start = ref.start + offset;
  const int64_t end = start + length;
  if (ref.strand == '-') {
    return ref.src + ":" + std::to_string(ref.src_size - end) + "-" +
           std::to_string(ref.src_size - start) + "(-)";
  }
  return ref.src + ":" + std::to_string(start) + "-" + std::to_string(end);
}

}  // namespace

std::string OrthologSet::summary() const {
  int64_t partners = 0;
  for (const auto& g : groups) partners += static_cast<int64_t>(g.partner_sequences.size());
  return std::to_string(blocks) + " alignment blocks -> " + std::to_string(groups.size()) +
         " ortholog groups with " + std::to_string(partners) +
         " partner sequences; skipped: " + std::to_string(skipped_no_reference) +
         " blocks without a reference row, " + std::to_string(skipped_short) +
         " groups below min_length, " + std::to_string(skipped_long) + " at or above max_length, " +
         std::to_string(skipped_reference_n) + " with an N-rich reference, " +
         std::to_string(skipped_no_partner) +
         " without a usable partner; partners left out: " + std::to_string(partners_n) +
         " N-rich, " + std::to_string(partners_empty) + " all gaps";
}

OrthologSet read_ortholog_groups(const std::string& maf_path, const OrthologOptions& options) {
  check_options(options);
  OrthologSet set;
  io::MafReader reader(maf_path);
  io::MafBlock block;
  std::vector<const io::MafRow*> partners;
  while (reader.next(block)) {
    ++set.blocks;
    const io::MafRow* ref = nullptr;
    partners.clear();
    for (const auto& row : block.rows) {
      if (row.species == options.reference) {
        if (ref == nullptr) ref = &row;
      } else if (options.species.empty()) {
        const bool seen = std::any_of(partners.begin(), partners.end(), [&](const io::MafRow* p) {
          return p->species == row.species;
        });
        if (!seen) partners.push_back(&row);
      }
    }
    for (const auto& species : options.species) {
      const auto it = std::find_if(block.rows.begin(), block.rows.end(),
                                   [&](const io::MafRow& row) { return row.species == species; });
      if (it != block.rows.end()) partners.push_back(&*it);
    }
    if (ref == nullptr) {
      ++set.skipped_no_reference;
      continue;
    }

    const size_t columns = ref->text.size();
    const size_t step = options.window > 0 ? static_cast<size_t>(options.window) : columns;
    int64_t ref_offset = 0;  // reference bases before the current piece
    for (size_t begin = 0; begin < columns; begin += step) {
      const size_t end = std::min(columns, begin + step);
      OrthologGroup group;
      append_ungapped_upper(ref->text, begin, end, group.reference_sequence);
      const auto length = static_cast<int64_t>(group.reference_sequence.size());
      const int64_t offset = ref_offset;
      ref_offset += length;
      if (length < options.min_length) {
        ++set.skipped_short;
        continue;
      }
      if (length >= options.max_length) {
        ++set.skipped_long;
        continue;
      }
      if (too_ambiguous(group.reference_sequence, options.max_n_fraction)) {
        ++set.skipped_reference_n;
        continue;
      }
      for (const io::MafRow* p : partners) {
        std::string seq;
        append_ungapped_upper(p->text, begin, end, seq);
        if (seq.empty()) {
          ++set.partners_empty;
          continue;
        }
        if (too_ambiguous(seq, options.max_n_fraction)) {
          ++set.partners_n;
          continue;
        }
        group.partner_species.push_back(p->species);
        group.partner_sequences.push_back(std::move(seq));
      }
      if (group.partner_sequences.empty()) {
        ++set.skipped_no_partner;
        continue;
      }
      group.id = group_id(*ref, offset, length);
      group.line = block.line;
      set.groups.push_back(std::move(group));
    }
  }
  return set;
}

}  // namespace helix::data
