#include "helix/data/labeled.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;
using Ints = std::vector<int64_t>;

class LabeledTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& contents) {
    return dir_.write(name, contents);
  }
  static LabeledReadOptions options(const std::string& task = "auto") {
    LabeledReadOptions o;
    o.task = task;
    return o;
  }
  // Runs fn, expects an InputError whose message starts with "<file>:<line>: " (just "<file>: "
  // for line 0) and contains `fragment`; returns the message.
  static std::string expect_input_error(const std::function<void()>& fn, const std::string& file,
                                        int64_t line, const std::string& fragment) {
    try {
      fn();
    } catch (const InputError& e) {
      const std::string msg = e.what();
      const std::string prefix = file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
      EXPECT_EQ(msg.rfind(prefix, 0), 0u) << "expected prefix '" << prefix << "' in: " << msg;
      EXPECT_EQ(e.line(), line) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos)
          << "expected '" << fragment << "' in: " << msg;
      return msg;
    }
    ADD_FAILURE() << "no InputError thrown";
    return "";
  }
  test::TempDir dir_{"helix_labeled"};
};

TEST_F(LabeledTest, GueCsvClassification) {
  const auto path = write("train.csv",
                          "sequence,label\n"
                          "ACGTAC,1\n"
                          "GGCCTA,0\n"
                          "ttaann,1\n");
  const LabeledSet set = read_labeled(path, options(), /*require_two_classes=*/true);
  EXPECT_EQ(set.path, path);
  EXPECT_EQ(set.kind, TaskKind::kClassification);
  EXPECT_EQ(set.sequences, (Strings{"ACGTAC", "GGCCTA", "ttaann"}));  // case kept
  EXPECT_EQ(set.names, (Strings{"1", "2", "3"}));
  EXPECT_EQ(set.lines, (Ints{2, 3, 4}));
  EXPECT_EQ(set.target_names, (Strings{"label"}));
  EXPECT_EQ(set.classes, (Strings{"0", "1"}));
  EXPECT_EQ(set.labels, (Ints{1, 0, 1}));
  EXPECT_TRUE(set.targets.empty());
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.num_classes(), 2);
  EXPECT_EQ(set.num_targets(), 1);
}

TEST_F(LabeledTest, TsvWithNameColumnAndWordLabelsSortedLexicographically) {
  const auto path = write("set.tsv",
                          "id\tsequence\tclass\n"
                          "r1\tACGT\tb\n"
                          "\n"  // blank lines are skipped but still counted
                          "r2\tCCGG\ta\n"
                          "r3\tTTAA\tB\n");
  LabeledReadOptions o = options();
  o.label_columns = {"class"};
  o.name_column = "id";
  const LabeledSet set = read_labeled(path, o);
  EXPECT_EQ(set.kind, TaskKind::kClassification);
  EXPECT_EQ(set.names, (Strings{"r1", "r2", "r3"}));
  EXPECT_EQ(set.lines, (Ints{2, 4, 5}));
  EXPECT_EQ(set.classes, (Strings{"B", "a", "b"}));
  EXPECT_EQ(set.labels, (Ints{2, 1, 0}));
}

TEST_F(LabeledTest, IntegerLabelsSortNumerically) {
  const auto path = write("t.csv",
                          "sequence,label\n"
                          "A,10\n"
                          "C,2\n"
                          "G,-3\n"
                          "T,+2\n"
                          "A,2\n"
                          "C,123456789012345678901234567890\n");
  const LabeledSet set = read_labeled(path, options());
  EXPECT_EQ(set.kind, TaskKind::kClassification);
  // "+2" and "2" are different strings of equal value: ordered by text.
  EXPECT_EQ(set.classes, (Strings{"-3", "+2", "2", "10", "123456789012345678901234567890"}));
  EXPECT_EQ(set.labels, (Ints{3, 2, 0, 1, 2, 4}));
}

TEST_F(LabeledTest, FractionalValueMakesAutoRegression) {
  const auto path = write("t.csv",
                          "sequence,label\n"
                          "ACGT,1\n"
                          "ACGT,0.5\n"
                          "ACGT,-2e-1\n");
  const LabeledSet set = read_labeled(path, options(), /*require_two_classes=*/true);
  EXPECT_EQ(set.kind, TaskKind::kRegression);
  EXPECT_EQ(set.targets, (std::vector<double>{1.0, 0.5, -0.2}));
  EXPECT_TRUE(set.classes.empty());
  EXPECT_TRUE(set.labels.empty());
}

TEST_F(LabeledTest, RegressionWithTwoTargetColumns) {
  const auto path = write("t.csv",
                          "y1,sequence,y2\n"
                          "1,ACGT,2\n"
                          "3,CCGG,4.5\n");
  LabeledReadOptions o = options();
  o.label_columns = {"y2", "y1"};
  const LabeledSet set = read_labeled(path, o);
  // Several columns mean regression even when every value is an integer.
  EXPECT_EQ(set.kind, TaskKind::kRegression);
  EXPECT_EQ(set.target_names, (Strings{"y2", "y1"}));
  EXPECT_EQ(set.num_targets(), 2);
  EXPECT_EQ(set.targets, (std::vector<double>{2, 1, 4.5, 3}));
}

TEST_F(LabeledTest, ForcedTasks) {
  const auto ints = write("ints.csv", "sequence,label\nACGT,1\nACGT,0\n");
  const LabeledSet reg = read_labeled(ints, options("regression"));
  EXPECT_EQ(reg.kind, TaskKind::kRegression);
  EXPECT_EQ(reg.targets, (std::vector<double>{1, 0}));
  const LabeledSet cls = read_labeled(ints, options("classification"));
  EXPECT_EQ(cls.kind, TaskKind::kClassification);
  EXPECT_EQ(cls.classes, (Strings{"0", "1"}));

  const auto words = write("words.csv", "sequence,label\nACGT,yes\nACGT,no\n");
  EXPECT_EQ(read_labeled(words, options("classification")).classes, (Strings{"no", "yes"}));
  expect_input_error([&] { read_labeled(words, options("regression")); }, words, 2,
                     "target 'yes' in column 'label' is not a number");

  const auto fractions = write("fractions.csv", "sequence,label\nACGT,1\nACGT,0\nACGT,0.5\n");
  expect_input_error(
      [&] { read_labeled(fractions, options("classification")); }, fractions, 4,
      "label '0.5' in column 'label' is not an integer (expected a class label; use --task "
      "regression for numeric targets)");

  const auto two = write("two.csv", "sequence,a,b\nACGT,1,2\n");
  LabeledReadOptions o = options("classification");
  o.label_columns = {"a", "b"};
  expect_input_error([&] { read_labeled(two, o); }, two, 0,
                     "task classification takes one label column, got 2 (a, b)");

  EXPECT_THROW(read_labeled(ints, options("clustering")), UsageError);
}

TEST_F(LabeledTest, FastaWithSideTable) {
  const auto fasta = write("seqs.fa",
                           ">s2 some description\n"
                           "ACGT\n"
                           "ac\n"
                           "\n"
                           ">s1\n"
                           "GGGG\n"
                           ">s3\n"
                           "TTTT\n");
  // Extra rows (another split's records) are ignored, even with labels of another type.
  const auto labels = write("labels.tsv",
                            "name\tlabel\n"
                            "s1\tneg\n"
                            "other\t0.5\n"
                            "s2\tpos\n"
                            "s3\tneg\n");
  LabeledReadOptions o = options();
  o.labels_path = labels;
  const LabeledSet set = read_labeled(fasta, o, /*require_two_classes=*/true);
  EXPECT_EQ(set.path, fasta);
  EXPECT_EQ(set.kind, TaskKind::kClassification);
  EXPECT_EQ(set.names, (Strings{"s2", "s1", "s3"}));
  EXPECT_EQ(set.sequences, (Strings{"ACGTac", "GGGG", "TTTT"}));
  EXPECT_EQ(set.lines, (Ints{1, 5, 7}));
  EXPECT_EQ(set.classes, (Strings{"neg", "pos"}));
  EXPECT_EQ(set.labels, (Ints{1, 0, 0}));

  // id_column picks a column other than the first; regression targets work the same way.
  const auto csv = write("labels.csv",
                         "score,id,label\n"
                         "0.25,s3,1\n"
                         "1.5,s1,0\n"
                         "-1,s2,1\n");
  o.labels_path = csv;
  o.id_column = "id";
  o.label_columns = {"score"};
  const LabeledSet reg = read_labeled(fasta, o);
  EXPECT_EQ(reg.kind, TaskKind::kRegression);
  EXPECT_EQ(reg.targets, (std::vector<double>{-1, 1.5, 0.25}));
  EXPECT_EQ(reg.names, (Strings{"s2", "s1", "s3"}));
}

TEST_F(LabeledTest, UnknownColumnListsColumns) {
  const auto path = write("t.csv", "seq,label\nACGT,1\n");
  expect_input_error([&] { read_labeled(path, options()); }, path, 1,
                     "no column 'sequence'; columns are: seq, label");
  LabeledReadOptions o = options();
  o.sequence_column = "seq";
  o.label_columns = {"target"};
  expect_input_error([&] { read_labeled(path, o); }, path, 1, "no column 'target'");
  o.label_columns = {"label"};
  o.name_column = "id";
  expect_input_error([&] { read_labeled(path, o); }, path, 1, "no column 'id'");
}

TEST_F(LabeledTest, MixedLabelTypes) {
  const auto path = write("mixed.csv",
                          "sequence,label\n"
                          "ACGT,1\n"
                          "ACGT,0\n"
                          "\n"
                          "ACGT,0.5\n"
                          "ACGT,abc\n");
  expect_input_error([&] { read_labeled(path, options()); }, path, 6,
                     "mixed label types in column 'label': line 2 holds a number ('1'), line 6 a "
                     "word ('abc')");
  // The same when the words come first; forcing classification does not allow mixing either.
  const auto words_first = write("words_first.csv", "sequence,label\nACGT,x\nACGT,y\nACGT,3\n");
  expect_input_error([&] { read_labeled(words_first, options("classification")); }, words_first, 4,
                     "line 4 holds a number ('3'), line 2 a word ('x')");
  // "nan" and "inf" are not numbers.
  const auto nan = write("nan.csv", "sequence,label\nACGT,1.5\nACGT,nan\n");
  expect_input_error([&] { read_labeled(nan, options()); }, nan, 3, "mixed label types");
}

TEST_F(LabeledTest, BadSequences) {
  const auto empty = write("empty_seq.csv", "sequence,label\nACGT,1\n\"\",0\n");
  expect_input_error([&] { read_labeled(empty, options()); }, empty, 3,
                     "empty sequence in column 'sequence'");
  const auto bad = write("bad_char.csv", "sequence,label\nACGT,1\nACGT,0\nACXT,1\n");
  expect_input_error([&] { read_labeled(bad, options()); }, bad, 4,
                     "invalid character 'X' at position 3 in column 'sequence'");
  const auto space = write("space.tsv", "sequence\tlabel\nAC GT\t1\n");
  expect_input_error([&] { read_labeled(space, options()); }, space, 2, "invalid character ' '");
}

TEST_F(LabeledTest, MalformedTables) {
  const auto fields = write("fields.csv", "sequence,label\nACGT,1\nACGT,0,extra\n");
  expect_input_error([&] { read_labeled(fields, options()); }, fields, 3,
                     "expected 2 fields (as in the header), found 3");
  const auto empty_label = write("empty_label.csv", "sequence,label\nACGT,1\nACGT,\nACGT,0\n");
  expect_input_error([&] { read_labeled(empty_label, options()); }, empty_label, 3,
                     "empty label in column 'label'");
  const auto nonnum = write("nonnum.csv", "sequence,y1,y2\nACGT,1,2\nACGT,3,4\nACGT,5,high\n");
  LabeledReadOptions o = options();
  o.label_columns = {"y1", "y2"};
  expect_input_error([&] { read_labeled(nonnum, o); }, nonnum, 4,
                     "target 'high' in column 'y2' is not a number");
  const auto header_only = write("header_only.csv", "sequence,label\n");
  expect_input_error([&] { read_labeled(header_only, options()); }, header_only, 0, "no data rows");
  const auto blank = write("blank.csv", "\n  \n");
  expect_input_error([&] { read_labeled(blank, options()); }, blank, 0, "empty file");
  const auto missing = (dir_ / "missing.csv").string();
  expect_input_error([&] { read_labeled(missing, options()); }, missing, 0, "no such file");
}

TEST_F(LabeledTest, OneClassTrainingSet) {
  const auto path = write("one.csv", "sequence,label\nACGT,1\nCCGG,1\n");
  expect_input_error([&] { read_labeled(path, options(), true); }, path, 0,
                     "only one class ('1') in column 'label'");
  // Fine for an evaluation split.
  EXPECT_EQ(read_labeled(path, options()).num_classes(), 1);
}

TEST_F(LabeledTest, FastaErrors) {
  const auto fasta = write("seqs.fa", ">a\nACGT\n>b\nCCGG\n>c\nTTTT\n");
  expect_input_error([&] { read_labeled(fasta, options()); }, fasta, 0,
                     "FASTA input needs a label table (--labels)");

  LabeledReadOptions o = options();
  o.labels_path = write("partial.tsv", "id\tlabel\na\t0\nc\t1\n");
  expect_input_error([&] { read_labeled(fasta, o); }, fasta, 3,
                     "record 'b' has no row in " + o.labels_path);

  o.labels_path = write("dup.tsv", "id\tlabel\na\t0\nb\t1\nc\t1\na\t1\n");
  expect_input_error([&] { read_labeled(fasta, o); }, o.labels_path, 5,
                     "duplicate id 'a' in column 'id' (first on line 2)");

  // Label problems point at the label table's line.
  o.labels_path = write("mixed.tsv", "id\tlabel\nc\t1\nb\tx\na\t0\n");
  expect_input_error([&] { read_labeled(fasta, o); }, o.labels_path, 3, "mixed label types");
  o.labels_path = write("empty.tsv", "id\tlabel\nc\t1\nb\t\na\t0\n");
  expect_input_error([&] { read_labeled(fasta, o); }, o.labels_path, 3, "empty label");

  o.labels_path = write("ok.tsv", "id\tlabel\na\t0\nb\t1\nc\t1\n");
  o.id_column = "name";
  expect_input_error([&] { read_labeled(fasta, o); }, o.labels_path, 1, "no column 'name'");

  o.id_column = "";
  const auto empty_seq = write("empty_seq.fa", ">a\nACGT\n>b\n>c\nTTTT\n");
  expect_input_error([&] { read_labeled(empty_seq, o); }, empty_seq, 3, "sequence 'b' is empty");
  // FastaReader reports a bad character at its own line, naming the record.
  const auto bad = write("bad.fa", ">a\nACGT\n>b\nCC\nGZ\n>c\nTTTT\n");
  expect_input_error([&] { read_labeled(bad, o); }, bad, 5, "invalid character 'Z' in sequence b");
}

TEST_F(LabeledTest, AlignToTraining) {
  const auto train_path = write("train.csv", "sequence,label\nA,0\nC,1\nG,2\nT,10\n");
  const auto dev_path = write("dev.csv", "sequence,label\nA,10\nC,2\nG,10\n");
  const LabeledSet train = read_labeled(train_path, options(), true);
  LabeledSet dev = read_labeled(dev_path, options(task_kind_name(train.kind)));
  EXPECT_EQ(dev.classes, (Strings{"2", "10"}));
  EXPECT_EQ(dev.labels, (Ints{1, 0, 1}));
  align_to_training(dev, train);
  EXPECT_EQ(dev.classes, train.classes);
  EXPECT_EQ(dev.labels, (Ints{3, 2, 3}));

  // A class present only in the test split.
  const auto test_path = write("test.csv", "sequence,label\nA,0\nC,1\nG,3\nT,1\n");
  LabeledSet test = read_labeled(test_path, options("classification"));
  expect_input_error(
      [&] { align_to_training(test, train); }, test_path, 4,
      "class '3' does not occur in the training set " + train_path + " (classes: 0, 1, 2, 10)");

  // Kinds and target columns must agree.
  LabeledSet reg = read_labeled(dev_path, options("regression"));
  expect_input_error(
      [&] { align_to_training(reg, train); }, dev_path, 0,
      "labels read as regression but the training set " + train_path + " is classification");
  const auto renamed_path = write("renamed.csv", "sequence,y\nA,0\nC,1\n");
  LabeledReadOptions o = options();
  o.label_columns = {"y"};
  LabeledSet renamed = read_labeled(renamed_path, o);
  expect_input_error([&] { align_to_training(renamed, train); }, renamed_path, 0,
                     "label columns (y) differ from those of the training set");

  // Regression sets only need matching columns.
  LabeledSet reg_train = read_labeled(train_path, options("regression"));
  align_to_training(reg, reg_train);
  EXPECT_EQ(reg.targets, (std::vector<double>{10, 2, 10}));
}

TEST_F(LabeledTest, Subset) {
  const auto path = write("t.csv", "sequence,label\nAA,x\nCC,y\nGG,x\n");
  const LabeledSet set = read_labeled(path, options());
  const LabeledSet sub = subset(set, {2, 0, 2});
  EXPECT_EQ(sub.path, path);
  EXPECT_EQ(sub.kind, TaskKind::kClassification);
  EXPECT_EQ(sub.names, (Strings{"3", "1", "3"}));
  EXPECT_EQ(sub.sequences, (Strings{"GG", "AA", "GG"}));
  EXPECT_EQ(sub.lines, (Ints{4, 2, 4}));
  EXPECT_EQ(sub.classes, set.classes);
  EXPECT_EQ(sub.labels, (Ints{0, 0, 0}));
  EXPECT_EQ(sub.target_names, set.target_names);
  EXPECT_EQ(subset(set, {}).size(), 0u);
  EXPECT_THROW(subset(set, {3}), UsageError);
  EXPECT_THROW(subset(set, {-1}), UsageError);

  const auto reg_path = write("r.csv", "sequence,a,b\nAA,1,2\nCC,3,4\n");
  LabeledReadOptions o = options();
  o.label_columns = {"a", "b"};
  const LabeledSet reg = subset(read_labeled(reg_path, o), {1});
  EXPECT_EQ(reg.kind, TaskKind::kRegression);
  EXPECT_EQ(reg.targets, (std::vector<double>{3, 4}));
  EXPECT_TRUE(reg.labels.empty());
}

TEST_F(LabeledTest, TaskKindName) {
  EXPECT_EQ(task_kind_name(TaskKind::kClassification), "classification");
  EXPECT_EQ(task_kind_name(TaskKind::kRegression), "regression");
}

TEST_F(LabeledTest, RealGueFile) {
  const std::string path = HELIX_SOURCE_DIR "/../shared/data/gue/tf_0/dev.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "GUE data not present at " << path;
  const LabeledSet set = read_labeled(path, options(), true);
  EXPECT_EQ(set.size(), 1000u);
  EXPECT_EQ(set.kind, TaskKind::kClassification);
  EXPECT_EQ(set.classes, (Strings{"0", "1"}));
  for (const auto& s : set.sequences) ASSERT_EQ(s.size(), 101u);
  EXPECT_EQ(set.lines.front(), 2);
  EXPECT_EQ(set.names.back(), "1000");
}

}  // namespace
}  // namespace helix::data
