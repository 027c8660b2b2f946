// Labelled sequence sets for supervised evaluation: a CSV/TSV table with a sequence column and one
// or more target columns (the GUE layout `sequence,label`), or a FASTA file whose record names are
// looked up in a side table of labels. Every problem is reported as an InputError naming the file
// and the 1-based line, so a user can go straight to the offending row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::data {

enum class TaskKind { kClassification, kRegression };

// "classification" / "regression".
std::string task_kind_name(TaskKind kind);

struct LabeledReadOptions {
  // Column holding the sequence (tables only).
  std::string sequence_column = "sequence";
  // Target columns. Classification takes exactly one; regression one or more (all numeric).
  std::vector<std::string> label_columns = {"label"};
  // For FASTA input: the table holding the labels, and its column matched against record names
  // (the first column of the table when empty). Ignored for table input.
  std::string labels_path;
  std::string id_column;
  // For table input: a column whose values name the rows in predictions (row numbers when
  // empty: "1", "2", ... counting data rows).
  std::string name_column;
  // "auto" (every value an integer, or a non-numeric word -> classification; any numeric value
  // that is not an integer -> regression; several label columns -> regression), "classification"
  // or "regression"; anything else is a UsageError. An integer is a whole cell of the form
  // [+-]digits; a number is a finite value in decimal notation ("0.5", "-2e-1"; not "nan",
  // "inf", hexadecimal or with blanks). Cells that are not numbers are words.
  std::string task = "auto";
};

struct LabeledSet {
  std::string path;                       // the sequence file
  std::vector<std::string> names;         // one per record: FASTA name, name column or row number
  std::vector<std::string> sequences;     // validated: non-empty, nucleotide codes only
  std::vector<int64_t> lines;             // 1-based line of each record (table row / FASTA header)
  std::vector<std::string> target_names;  // the label columns
  TaskKind kind = TaskKind::kClassification;
  // Classification: the distinct label strings in canonical order (numeric order when every
  // label is an integer, else lexicographic), and each record's index into it.
  std::vector<std::string> classes;
  std::vector<int64_t> labels;
  // Regression: row-major [N][num_targets()].
  std::vector<double> targets;

  size_t size() const { return sequences.size(); }
  int num_classes() const { return static_cast<int>(classes.size()); }
  int num_targets() const { return static_cast<int>(target_names.size()); }
};

// Reads a labelled set. FASTA when the first non-blank character is '>' (labels then come from
// options.labels_path, required), else a table. Throws InputError (file, line) for: a missing or
// empty file, an unknown column (listing the columns the file has), a row with the wrong number
// of fields, an empty sequence, a character that is not a nucleotide code (ACGTUN or an IUPAC
// ambiguity letter, either case), an empty label, a label column mixing numbers and words, a
// non-numeric regression target, a non-integer label under task=classification with a numeric
// column, several label columns under classification, a FASTA record without a label row, a
// duplicate id in the label table, and a classification set with fewer than 2 classes when
// `require_two_classes` is set (a training split).
// With FASTA input only the label-table rows of the file's records are read (one table may hold
// several splits): label checks, type detection and the classes cover just those rows, and their
// errors name the label table and its line. A bad character in a FASTA record is reported by
// io::FastaReader at the line where it occurs.
LabeledSet read_labeled(const std::string& path, const LabeledReadOptions& options,
                        bool require_two_classes = false);

// Re-indexes `set` onto the classes of the training set (`train_classes`, canonical order), so
// label k means the same class in every split. Throws InputError naming set's file and the line
// of the first record whose class does not occur in the training set (e.g. a class present only
// in the test split). Also checks that task kinds and target columns agree (InputError at line 0
// otherwise). Read the other splits with options.task = task_kind_name(train.kind), so that
// auto-detection cannot differ between splits (a dev set of whole numbers under a regression
// training set).
void align_to_training(LabeledSet& set, const LabeledSet& train);

// The records of `set` at `indices` (in that order), with every other field copied.
LabeledSet subset(const LabeledSet& set, const std::vector<int64_t>& indices);

}  // namespace helix::data
