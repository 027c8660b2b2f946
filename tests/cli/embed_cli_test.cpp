// End-to-end tests of `helix embed`: embeddings of FASTA and CSV inputs under an encoder from a
// tiny `helix pretrain` run, checked against the library computing each sequence alone.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <memory>

#include "cli_helpers.hpp"
#include "helix/eval/embed.hpp"
#include "helix/io/npy.hpp"
#include "helix/nn/encoder_file.hpp"
#include "helix/seq/alphabet.hpp"

namespace helix::cli_test {
namespace {

class EmbedCliTest : public ::testing::Test {
 protected:
  // One pretraining run shared by the suite.
  static void SetUpTestSuite() {
    setup_ = new TinySetup();
    encoder_path_ = new fs::path(setup_->dir / "run" / "encoder.safetensors");
    const auto r = run_helix({"pretrain", "--config", setup_->config.string(), "--out",
                              (setup_->dir / "run").string(), "train.steps=30"});
    pretrain_output_ = new std::string(r.describe());
    pretrain_ok_ = r.code == 0 && fs::exists(*encoder_path_);
  }
  static void TearDownTestSuite() {
    delete pretrain_output_;
    delete encoder_path_;
    delete setup_;
  }
  void SetUp() override {
    ASSERT_TRUE(pretrain_ok_) << "helix pretrain failed:\n" << *pretrain_output_;
  }

  const fs::path& dir() const { return setup_->dir.path(); }
  std::string encoder() const { return encoder_path_->string(); }

  // The library's embedding of each sequence on its own, stacked: [N, D].
  at::Tensor reference(const std::vector<std::string>& sequences) const {
    auto loaded = nn::load_encoder(encoder());
    const auto alphabet = seq::Alphabet::from_name(loaded.alphabet);
    std::vector<at::Tensor> rows;
    for (const auto& s : sequences) {
      rows.push_back(eval::embed_sequences(*loaded.encoder, alphabet, {s}, {}));
    }
    return at::cat(rows, 0);
  }

  int64_t width() const { return nn::load_encoder(encoder()).encoder->output_dim(); }

  static TinySetup* setup_;
  static fs::path* encoder_path_;
  static std::string* pretrain_output_;
  static bool pretrain_ok_;
};

TinySetup* EmbedCliTest::setup_ = nullptr;
fs::path* EmbedCliTest::encoder_path_ = nullptr;
std::string* EmbedCliTest::pretrain_output_ = nullptr;
bool EmbedCliTest::pretrain_ok_ = false;

// Three sequences of different lengths (one shorter than the training window, one longer, one
// with lower case and N), in an order that is not sorted by length.
std::vector<std::string> test_sequences() {
  std::mt19937_64 rng(99);
  std::string with_n = random_bases(rng, 64);
  for (size_t i = 10; i < 14; ++i) with_n[i] = 'N';
  for (size_t i = 30; i < 40; ++i) with_n[i] = static_cast<char>(with_n[i] - 'A' + 'a');
  return {random_bases(rng, 150), random_bases(rng, 37), with_n};
}

void expect_rows_close(const at::Tensor& actual, const at::Tensor& expected) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double max_diff = (actual - expected).abs().max().item<double>();
  EXPECT_TRUE(at::allclose(actual, expected, 1e-5, 1e-5)) << "max |difference| " << max_diff;
}

TEST_F(EmbedCliTest, FastaRowsMatchTheLibraryInInputOrder) {
  const auto sequences = test_sequences();
  const fs::path input = dir() / "three.fa";
  write_text(input, fasta_record("long", sequences[0]) + fasta_record("short", sequences[1], 10) +
                        fasta_record("mixed", sequences[2]));
  const fs::path out = dir() / "fasta.npy";
  const auto r = run_helix(
      {"embed", "--encoder", encoder(), "--input", input.string(), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.describe();

  const auto embeddings = io::read_npy(out.string());
  EXPECT_EQ(embeddings.scalar_type(), at::kFloat);
  ASSERT_EQ(embeddings.dim(), 2);
  EXPECT_EQ(embeddings.size(0), 3);
  EXPECT_EQ(embeddings.size(1), width());
  EXPECT_EQ(embeddings.size(1), 32);
  EXPECT_TRUE(at::isfinite(embeddings).all().item<bool>());
  const auto expected = reference(sequences);
  expect_rows_close(embeddings, expected);
  // The rows are distinguishable, so the order check above means something.
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = i + 1; j < 3; ++j) {
      EXPECT_FALSE(at::allclose(expected[i], expected[j], 1e-3, 1e-3)) << i << " vs " << j;
    }
  }
}

TEST_F(EmbedCliTest, CsvSequenceColumnRowsMatchTheLibrary) {
  const auto sequences = test_sequences();
  const fs::path input = dir() / "three.csv";
  write_text(input,
             "name,sequence,label\n"
             "first," +
                 sequences[0] +
                 ",1\n"
                 "\"second, quoted\"," +
                 sequences[1] +
                 ",0\n"
                 "third," +
                 sequences[2] + ",1\n");
  const fs::path out = dir() / "csv.npy";
  const auto r = run_helix({"embed", "--encoder", encoder(), "--input", input.string(), "--out",
                            out.string(), "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto embeddings = io::read_npy(out.string());
  ASSERT_EQ(embeddings.dim(), 2);
  EXPECT_EQ(embeddings.size(0), 3);
  EXPECT_EQ(embeddings.size(1), width());
  expect_rows_close(embeddings, reference(sequences));

  // Another column name with --column.
  const fs::path renamed = dir() / "renamed.csv";
  write_text(renamed, "seq\n" + sequences[2] + "\n" + sequences[0] + "\n");
  const fs::path out2 = dir() / "renamed.npy";
  const auto r2 = run_helix({"embed", "--encoder", encoder(), "--input", renamed.string(), "--out",
                             out2.string(), "--column", "seq"});
  ASSERT_EQ(r2.code, 0) << r2.describe();
  expect_rows_close(io::read_npy(out2.string()), reference({sequences[2], sequences[0]}));
}

TEST_F(EmbedCliTest, BatchSizeDoesNotChangeTheRows) {
  // Equal lengths share batches; different lengths never do.
  std::mt19937_64 rng(5);
  std::vector<std::string> sequences;
  for (size_t len : {50, 80, 50, 50, 80, 21}) sequences.push_back(random_bases(rng, len));
  const fs::path input = dir() / "six.fa";
  std::string text;
  for (size_t i = 0; i < sequences.size(); ++i) {
    text += fasta_record("s" + std::to_string(i), sequences[i]);
  }
  write_text(input, text);
  const auto expected = reference(sequences);
  for (const char* batch : {"1", "2", "64"}) {
    const fs::path out = dir() / (std::string("six_") + batch + ".npy");
    const auto r = run_helix({"embed", "--encoder", encoder(), "--input", input.string(), "--out",
                              out.string(), "--batch-size", batch});
    ASSERT_EQ(r.code, 0) << r.describe();
    SCOPED_TRACE(std::string("--batch-size ") + batch);
    expect_rows_close(io::read_npy(out.string()), expected);
  }
}

// Bad input: exit code 2, the message names the problem, no output file.
void expect_embed_fails(const std::vector<std::string>& args, const fs::path& out,
                        const std::vector<std::string>& substrings) {
  const auto r = run_helix(args);
  EXPECT_EQ(r.code, 2) << r.describe();
  for (const auto& s : substrings) {
    EXPECT_NE(r.err.find(s), std::string::npos) << "stderr lacks '" << s << "'\n" << r.describe();
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(EmbedCliTest, MissingEncoderIsExit2) {
  const fs::path input = dir() / "one.fa";
  write_text(input, fasta_record("a", "ACGTACGTAC"));
  const fs::path missing = dir() / "no_encoder.safetensors";
  const fs::path out = dir() / "missing_encoder.npy";
  expect_embed_fails(
      {"embed", "--encoder", missing.string(), "--input", input.string(), "--out", out.string()},
      out, {missing.string(), "no such file"});
}

TEST_F(EmbedCliTest, CheckpointWeightsAreNotAnEncoderFile) {
  const fs::path input = dir() / "one.fa";
  write_text(input, fasta_record("a", "ACGTACGTAC"));
  const fs::path weights = dir() / "run" / "checkpoints" / "step-30" / "weights.safetensors";
  ASSERT_TRUE(fs::exists(weights));
  const fs::path out = dir() / "not_encoder.npy";
  expect_embed_fails(
      {"embed", "--encoder", weights.string(), "--input", input.string(), "--out", out.string()},
      out, {weights.string(), "not a helix encoder file"});
}

TEST_F(EmbedCliTest, CsvWithoutTheColumnIsExit2) {
  const fs::path input = dir() / "no_column.csv";
  write_text(input, "name,dna\nx,ACGTACGT\n");
  const fs::path out = dir() / "no_column.npy";
  expect_embed_fails(
      {"embed", "--encoder", encoder(), "--input", input.string(), "--out", out.string()}, out,
      {input.string(), "no column 'sequence'", "dna"});
}

TEST_F(EmbedCliTest, NonNucleotideCharacterNamesFileAndLine) {
  const fs::path csv = dir() / "bad.csv";
  write_text(csv, "sequence\nACGT\nACGJT\n");
  const fs::path out = dir() / "bad.npy";
  expect_embed_fails(
      {"embed", "--encoder", encoder(), "--input", csv.string(), "--out", out.string()}, out,
      {csv.string() + ":3:", "invalid character 'J'"});

  const fs::path fasta = dir() / "bad.fa";
  write_text(fasta, ">a\nACGT\n>b\nAC-GT\n");
  expect_embed_fails(
      {"embed", "--encoder", encoder(), "--input", fasta.string(), "--out", out.string()}, out,
      {fasta.string() + ":4:", "invalid character '-'"});
}

TEST_F(EmbedCliTest, EmptyInputIsExit2) {
  const fs::path input = dir() / "empty.fa";
  write_text(input, "");
  const fs::path out = dir() / "empty.npy";
  expect_embed_fails(
      {"embed", "--encoder", encoder(), "--input", input.string(), "--out", out.string()}, out,
      {input.string(), "empty"});
}

}  // namespace
}  // namespace helix::cli_test
