#include "helix/data/labeled.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

#include "helix/io/fasta.hpp"
#include "helix/io/table.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

enum class Task { kAuto, kClassification, kRegression };

Task parse_task(const std::string& task) {
  if (task == "auto") return Task::kAuto;
  if (task == "classification") return Task::kClassification;
  if (task == "regression") return Task::kRegression;
  throw UsageError("unknown task '" + task + "' (expected auto, classification or regression)");
}

// A character for a message: 'X', or '\xHH' when it is not printable.
std::string quote_char(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "'\\x%02X'", static_cast<unsigned char>(c));
  return buf;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A whole string of the form [+-]digits: no blanks, no decimal point, no exponent. Checked by
// syntax rather than strtoll so that integers beyond int64 are still integers (class names).
bool is_integer(const std::string& s) {
  const size_t start = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (start == s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(start), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Parses a finite number in decimal notation (as pandas writes floats: "0.5", "-1e-3"), the
// whole string. The character check keeps strtod from accepting what it also knows but a label
// column should not: leading blanks, hexadecimal, "nan", "inf".
bool parse_number(const std::string& s, double& out) {
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out);
}

// Numeric order of integer strings (is_integer holds), exact at any length; equal values written
// differently ("1", "01", "+1") are ordered by their text so the order stays strict.
bool integer_less(const std::string& a, const std::string& b) {
  // Sign and magnitude digits without leading zeros; zero is never negative.
  auto split = [](const std::string& s) {
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    const bool minus = s[0] == '-';
    while (i + 1 < s.size() && s[i] == '0') ++i;
    std::string digits = s.substr(i);
    return std::make_pair(minus && digits != "0", digits);
  };
  const auto [a_neg, a_mag] = split(a);
  const auto [b_neg, b_mag] = split(b);
  if (a_neg != b_neg) return a_neg;
  if (a_mag != b_mag) {
    const bool mag_less =
        a_mag.size() != b_mag.size() ? a_mag.size() < b_mag.size() : a_mag < b_mag;
    return a_neg ? !mag_less : mag_less;
  }
  return a < b;
}

// Distinct class strings in canonical order: numeric when every class is an integer (so "10"
// follows "2"), else lexicographic.
std::vector<std::string> canonical_classes(const std::set<std::string>& distinct) {
  std::vector<std::string> classes(distinct.begin(), distinct.end());  // lexicographic
  if (std::all_of(classes.begin(), classes.end(), is_integer))
    std::sort(classes.begin(), classes.end(), integer_less);
  return classes;
}

void check_sequence(const std::string& sequence, const std::string& path, int64_t line,
                    const std::string& column) {
  if (sequence.empty()) throw InputError(path, line, "empty sequence in column '" + column + "'");
  for (size_t i = 0; i < sequence.size(); ++i) {
    if (!io::is_nucleotide_code(sequence[i])) {
      throw InputError(path, line,
                       "invalid character " + quote_char(sequence[i]) + " at position " +
                           std::to_string(i + 1) + " in column '" + column +
                           "' (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters)");
    }
  }
}

// Fills kind, target_names, classes/labels or targets of `set` from the label columns of
// `table`: record i takes its labels from table row record_rows[i]. Validation and type
// detection scan the distinct rows in file order, so every error names the first bad line of
// `table`, whatever order the records come in.
void fill_labels(LabeledSet& set, const io::Table& table, const std::vector<size_t>& record_rows,
                 const LabeledReadOptions& options) {
  const Task task = parse_task(options.task);
  const auto& names = options.label_columns;
  if (names.empty()) throw UsageError("no label column given");
  std::vector<size_t> columns;
  columns.reserve(names.size());
  for (const auto& name : names) columns.push_back(table.column_index(name));
  if (task == Task::kClassification && names.size() > 1) {
    throw InputError(table.path(), 0,
                     "task classification takes one label column, got " +
                         std::to_string(names.size()) + " (" + join(names) +
                         "); use --task regression for several numeric targets");
  }

  std::vector<size_t> scan(record_rows);
  std::sort(scan.begin(), scan.end());
  scan.erase(std::unique(scan.begin(), scan.end()), scan.end());
  const std::string& path = table.path();
  for (size_t row : scan) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (table.cell(row, columns[c]).empty())
        throw InputError(path, table.line_of(row), "empty label in column '" + names[c] + "'");
    }
  }

  set.target_names = names;
  bool regression = task == Task::kRegression || (task == Task::kAuto && names.size() > 1);
  if (!regression) {
    // One column: every value must be numeric, or every value a word (a class name).
    const size_t col = columns[0];
    double value = 0;
    const size_t first_row = scan.front();
    const std::string& first = table.cell(first_row, col);
    const bool numeric = parse_number(first, value);
    for (size_t row : scan) {
      const std::string& label = table.cell(row, col);
      if (parse_number(label, value) == numeric) continue;
      const std::string& number = numeric ? first : label;
      const std::string& word = numeric ? label : first;
      const int64_t number_line = table.line_of(numeric ? first_row : row);
      const int64_t word_line = table.line_of(numeric ? row : first_row);
      throw InputError(path, table.line_of(row),
                       "mixed label types in column '" + names[0] + "': line " +
                           std::to_string(number_line) + " holds a number ('" + number +
                           "'), line " + std::to_string(word_line) + " a word ('" + word +
                           "') (expected all class names or all numbers)");
    }
    if (numeric) {
      const auto non_integer = std::find_if(
          scan.begin(), scan.end(), [&](size_t row) { return !is_integer(table.cell(row, col)); });
      if (non_integer != scan.end()) {
        if (task == Task::kClassification) {
          throw InputError(path, table.line_of(*non_integer),
                           "label '" + table.cell(*non_integer, col) + "' in column '" + names[0] +
                               "' is not an integer (expected a class label; use --task "
                               "regression for numeric targets)");
        }
        regression = true;  // auto: a fractional value makes the column a numeric target
      }
    }
  }

  if (regression) {
    set.kind = TaskKind::kRegression;
    double value = 0;
    for (size_t row : scan) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const std::string& label = table.cell(row, columns[c]);
        if (!parse_number(label, value)) {
          throw InputError(path, table.line_of(row),
                           "target '" + label + "' in column '" + names[c] +
                               "' is not a number (regression targets must be finite decimal "
                               "numbers)");
        }
      }
    }
    set.targets.reserve(record_rows.size() * columns.size());
    for (size_t row : record_rows) {
      for (size_t col : columns) {
        parse_number(table.cell(row, col), value);
        set.targets.push_back(value);
      }
    }
    return;
  }

  set.kind = TaskKind::kClassification;
  std::set<std::string> distinct;
  for (size_t row : scan) distinct.insert(table.cell(row, columns[0]));
  set.classes = canonical_classes(distinct);
  std::map<std::string, int64_t> index;
  for (size_t k = 0; k < set.classes.size(); ++k) index[set.classes[k]] = static_cast<int64_t>(k);
  set.labels.reserve(record_rows.size());
  for (size_t row : record_rows) set.labels.push_back(index.at(table.cell(row, columns[0])));
}

LabeledSet read_table(const std::string& path, const LabeledReadOptions& options) {
  const auto table = io::Table::read(path);
  const size_t seq_col = table.column_index(options.sequence_column);
  const bool named = !options.name_column.empty();
  const size_t name_col = named ? table.column_index(options.name_column) : 0;
  if (table.num_rows() == 0)
    throw InputError(path, 0, "no data rows (expected a header and one row per sequence)");

  LabeledSet set;
  set.path = path;
  std::vector<size_t> rows(table.num_rows());
  for (size_t r = 0; r < table.num_rows(); ++r) {
    rows[r] = r;
    const int64_t line = table.line_of(r);
    check_sequence(table.cell(r, seq_col), path, line, options.sequence_column);
    if (named && table.cell(r, name_col).empty())
      throw InputError(path, line, "empty name in column '" + options.name_column + "'");
    set.names.push_back(named ? table.cell(r, name_col) : std::to_string(r + 1));
    set.sequences.push_back(table.cell(r, seq_col));
    set.lines.push_back(line);
  }
  fill_labels(set, table, rows, options);
  return set;
}

LabeledSet read_fasta(const std::string& path, const LabeledReadOptions& options) {
  if (options.labels_path.empty())
    throw InputError(path, 0, "FASTA input needs a label table (--labels)");
  LabeledSet set;
  set.path = path;
  {
    // FastaReader itself rejects non-nucleotide characters, at the line where they occur.
    io::FastaReader reader(path);
    io::FastaRecord record;
    while (reader.next(record)) {
      if (record.sequence.empty())
        throw InputError(path, record.header_line, "sequence '" + record.name + "' is empty");
      set.names.push_back(record.name);
      set.sequences.push_back(std::move(record.sequence));
      set.lines.push_back(record.header_line);
    }
  }
  if (set.sequences.empty()) throw InputError(path, 0, "no FASTA records");

  const auto table = io::Table::read(options.labels_path);
  const std::string& id_name =
      options.id_column.empty() ? table.columns().front() : options.id_column;
  const size_t id_col = table.column_index(id_name);
  std::unordered_map<std::string, size_t> row_of_id;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    const auto [it, inserted] = row_of_id.emplace(table.cell(r, id_col), r);
    if (!inserted) {
      throw InputError(options.labels_path, table.line_of(r),
                       "duplicate id '" + it->first + "' in column '" + id_name +
                           "' (first on line " + std::to_string(table.line_of(it->second)) + ")");
    }
  }
  std::vector<size_t> rows;
  rows.reserve(set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    const auto it = row_of_id.find(set.names[i]);
    if (it == row_of_id.end()) {
      throw InputError(path, set.lines[i],
                       "record '" + set.names[i] + "' has no row in " + options.labels_path +
                           " (looked up in column '" + id_name + "')");
    }
    rows.push_back(it->second);
  }
  fill_labels(set, table, rows, options);
  return set;
}

}  // namespace

std::string task_kind_name(TaskKind kind) {
  return kind == TaskKind::kClassification ? "classification" : "regression";
}

LabeledSet read_labeled(const std::string& path, const LabeledReadOptions& options,
                        bool require_two_classes) {
  parse_task(options.task);  // a bad option is reported before any file is read
  io::require_readable_file(path);
  const bool fasta = io::starts_like_fasta(
      path, "FASTA or a table with a '" + options.sequence_column + "' column");
  LabeledSet set = fasta ? read_fasta(path, options) : read_table(path, options);
  if (require_two_classes && set.kind == TaskKind::kClassification && set.num_classes() < 2) {
    throw InputError(path, 0,
                     "only one class ('" + set.classes.front() + "') in column '" +
                         set.target_names.front() +
                         "' (a training set needs at least two classes)");
  }
  return set;
}

void align_to_training(LabeledSet& set, const LabeledSet& train) {
  if (set.kind != train.kind) {
    throw InputError(set.path, 0,
                     "labels read as " + task_kind_name(set.kind) + " but the training set " +
                         train.path + " is " + task_kind_name(train.kind) +
                         " (read every split with the training set's task)");
  }
  if (set.target_names != train.target_names) {
    throw InputError(set.path, 0,
                     "label columns (" + join(set.target_names) +
                         ") differ from those of the training set " + train.path + " (" +
                         join(train.target_names) + ")");
  }
  if (set.kind != TaskKind::kClassification) return;
  std::map<std::string, int64_t> train_index;
  for (size_t k = 0; k < train.classes.size(); ++k)
    train_index[train.classes[k]] = static_cast<int64_t>(k);
  std::vector<int64_t> labels(set.labels.size());
  for (size_t i = 0; i < set.labels.size(); ++i) {
    const std::string& cls = set.classes[static_cast<size_t>(set.labels[i])];
    const auto it = train_index.find(cls);
    if (it == train_index.end()) {
      throw InputError(set.path, set.lines[i],
                       "class '" + cls + "' does not occur in the training set " + train.path +
                           " (classes: " + join(train.classes) + ")");
    }
    labels[i] = it->second;
  }
  set.labels = std::move(labels);
  set.classes = train.classes;
}

LabeledSet subset(const LabeledSet& set, const std::vector<int64_t>& indices) {
  LabeledSet out;
  out.path = set.path;
  out.target_names = set.target_names;
  out.kind = set.kind;
  out.classes = set.classes;
  const size_t n = set.size();
  const size_t width = static_cast<size_t>(set.num_targets());
  const bool has_labels = set.labels.size() == n;
  const bool has_targets = set.targets.size() == n * width && width > 0;
  for (int64_t index : indices) {
    if (index < 0 || static_cast<size_t>(index) >= n) {
      throw UsageError("record index " + std::to_string(index) + " out of range for the " +
                       std::to_string(n) + " records of " + set.path);
    }
    const size_t i = static_cast<size_t>(index);
    out.names.push_back(set.names[i]);
    out.sequences.push_back(set.sequences[i]);
    out.lines.push_back(set.lines[i]);
    if (has_labels) out.labels.push_back(set.labels[i]);
    if (has_targets) {
      const auto begin = set.targets.begin() + static_cast<std::ptrdiff_t>(i * width);
      out.targets.insert(out.targets.end(), begin, begin + static_cast<std::ptrdiff_t>(width));
    }
  }
  return out;
}

}  // namespace helix::data
