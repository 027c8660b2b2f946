#include "helix/io/safetensors.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "helix/util/error.hpp"

namespace fs = std::filesystem;
using helix::InputError;
using helix::io::load_safetensors;
using helix::io::save_safetensors;
using Named = std::vector<std::pair<std::string, at::Tensor>>;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string le64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * i));
  return out;
}

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "helix_st_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // A hand-made file: length prefix, the header text as given, then `data`.
  std::string raw(const std::string& name, const std::string& header, const std::string& data) {
    const auto p = path(name);
    std::ofstream(p, std::ios::binary) << le64(header.size()) << header << data;
    return p;
  }
  static std::string error_of(const std::string& p) {
    try {
      load_safetensors(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(SafetensorsTest, RoundTripsDtypesShapesAndMetadata) {
  const Named tensors = {
      {"enc.w", at::randn({2, 3, 4})},
      {"flag", at::tensor({1, 0, 1}).gt(0)},
      {"bf", at::randn({5}).to(at::kBFloat16)},
      {"half", at::randn({2, 2}).to(at::kHalf)},
      {"step", at::full({}, int64_t{1} << 40, at::kLong)},
      {"i32", at::arange(-4, 4, at::kInt)},
      {"bytes", at::arange(0, 7, at::kByte)},
      {"f64", at::randn({1, 1, 1, 2}, at::kDouble)},
      {"empty", at::zeros({0, 3})},
      {"tr", at::arange(6, at::kFloat).reshape({2, 3}).t()},  // not contiguous
  };
  const std::map<std::string, std::string> metadata = {{"config", "{\"d\": 8}"}, {"format", "pt"}};
  save_safetensors(path("m.safetensors"), tensors, metadata);
  const auto back = load_safetensors(path("m.safetensors"));
  EXPECT_EQ(back.path, path("m.safetensors"));
  EXPECT_EQ(back.metadata, metadata);
  ASSERT_EQ(back.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    // Data is laid out in the given order, and read back in offset order.
    EXPECT_EQ(back.tensors[i].first, tensors[i].first);
    const at::Tensor& t = back.tensors[i].second;
    EXPECT_EQ(t.scalar_type(), tensors[i].second.scalar_type()) << tensors[i].first;
    EXPECT_EQ(t.sizes(), tensors[i].second.sizes()) << tensors[i].first;
    EXPECT_TRUE(at::equal(t, tensors[i].second)) << tensors[i].first;
    EXPECT_TRUE(at::equal(back.at(tensors[i].first), tensors[i].second));
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SafetensorsTest, HeaderLayout) {
  save_safetensors(path("h.safetensors"),
                   {{"b", at::zeros({2, 3}, at::kByte)}, {"a", at::ones({2}, at::kDouble)}},
                   {{"k", "v"}});
  const std::string bytes = slurp(path("h.safetensors"));
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + n + 6 + 16);
  const std::string text = bytes.substr(8, n);
  EXPECT_EQ(text.front(), '{');
  EXPECT_EQ(text.find("{\"__metadata__\":{\"k\":\"v\"},\"b\":{\"dtype\":\"U8\""), 0u) << text;
  const auto header = nlohmann::json::parse(text);
  EXPECT_EQ(header.size(), 3u);
  EXPECT_EQ(header["__metadata__"], (nlohmann::json{{"k", "v"}}));
  EXPECT_EQ(header["b"]["dtype"], "U8");
  EXPECT_EQ(header["b"]["shape"], (nlohmann::json{2, 3}));
  EXPECT_EQ(header["b"]["data_offsets"], (nlohmann::json{0, 6}));
  EXPECT_EQ(header["a"]["dtype"], "F64");
  EXPECT_EQ(header["a"]["shape"], (nlohmann::json{2}));
  EXPECT_EQ(header["a"]["data_offsets"], (nlohmann::json{6, 22}));
  double a[2];
  std::memcpy(a, bytes.data() + 8 + n + 6, sizeof a);
  EXPECT_EQ(a[0], 1.0);
  EXPECT_EQ(a[1], 1.0);
}

TEST_F(SafetensorsTest, EmptyMetadataAndNoTensors) {
  save_safetensors(path("e.safetensors"), {{"x", at::ones({1})}}, {});
  const std::string bytes = slurp(path("e.safetensors"));
  EXPECT_EQ(bytes.find("__metadata__"), std::string::npos);
  const auto back = load_safetensors(path("e.safetensors"));
  EXPECT_TRUE(back.metadata.empty());
  EXPECT_EQ(back.tensors.size(), 1u);

  save_safetensors(path("none.safetensors"), {}, {{"only", "metadata"}});
  const auto none = load_safetensors(path("none.safetensors"));
  EXPECT_TRUE(none.tensors.empty());
  EXPECT_EQ(none.metadata.at("only"), "metadata");
}

TEST_F(SafetensorsTest, ReadsInOffsetOrderWithPaddedHeader) {
  // Written by another tool: keys not in data order, header padded with spaces.
  const std::string header =
      "{\"z\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},"
      "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}   ";
  const auto p = raw("o.safetensors", header, std::string("\x07\0\0\0\x01\x02", 6));
  const auto c = load_safetensors(p);
  ASSERT_EQ(c.tensors.size(), 2u);
  EXPECT_EQ(c.tensors[0].first, "z");
  EXPECT_EQ(c.tensors[0].second.item<int>(), 7);
  EXPECT_EQ(c.tensors[1].first, "a");
  EXPECT_TRUE(at::equal(c.tensors[1].second, at::tensor({1, 2}, at::kByte)));
}

TEST_F(SafetensorsTest, ReaderErrorsNameTheFile) {
  const std::string data(8, '\0');
  auto entry = [](const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
  };
  const auto missing = path("missing.safetensors");
  EXPECT_EQ(error_of(missing), missing + ": no such file");

  std::ofstream(path("short.safetensors"), std::ios::binary) << "abc";
  EXPECT_NE(error_of(path("short.safetensors")).find(path("short.safetensors") + ": too short"),
            std::string::npos);

  const auto big = path("big.safetensors");
  std::ofstream(big, std::ios::binary) << le64(1000) << "{}";
  EXPECT_EQ(error_of(big), big +
                               ": header length 1000 exceeds the file size (10 bytes); not a "
                               "safetensors file?");

  const auto json = raw("json.safetensors", "{\"a\": [", data);
  EXPECT_NE(error_of(json).find(json + ": invalid JSON header"), std::string::npos);

  const auto dtype = raw("dtype.safetensors", "{" + entry("x", "I8", "[8]", "[0,8]") + "}", data);
  EXPECT_EQ(error_of(dtype),
            dtype +
                ": tensor 'x': unsupported dtype 'I8' (supported: F32, F64, BF16, F16, I64, "
                "I32, U8, BOOL)");

  const auto size = raw("size.safetensors", "{" + entry("x", "F32", "[3]", "[0,8]") + "}", data);
  EXPECT_EQ(error_of(size),
            size + ": tensor 'x': data_offsets span 8 bytes, but dtype and shape need 12");

  const auto outside =
      raw("outside.safetensors", "{" + entry("x", "F32", "[3]", "[4,16]") + "}", data);
  EXPECT_EQ(error_of(outside), outside +
                                   ": tensor 'x': data_offsets [4, 16] lie outside the data "
                                   "section (8 bytes)");

  const auto overlap =
      raw("overlap.safetensors",
          "{" + entry("x", "F32", "[2]", "[0,8]") + "," + entry("y", "I32", "[1]", "[4,8]") + "}",
          data);
  EXPECT_EQ(error_of(overlap), overlap + ": tensors 'x' and 'y' overlap in the data section");

  const auto meta = raw("meta.safetensors", "{\"__metadata__\":{\"epoch\":3}}", "");
  EXPECT_EQ(error_of(meta), meta + ": __metadata__ value for 'epoch' is not a string");

  const auto shape = raw("shape.safetensors", "{" + entry("x", "F32", "[-2]", "[0,8]") + "}", data);
  EXPECT_NE(error_of(shape).find("non-negative integer"), std::string::npos);

  const auto list = raw("list.safetensors", "[1, 2]", data);
  EXPECT_EQ(error_of(list), list + ": JSON header is not an object");
}

TEST_F(SafetensorsTest, UnknownTensorListsNames) {
  save_safetensors(path("n.safetensors"), {{"a", at::ones({1})}, {"b", at::ones({1})}}, {});
  const auto c = load_safetensors(path("n.safetensors"));
  try {
    c.at("c");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path("n.safetensors") + ": no tensor 'c'; tensors are: a, b");
  }
}

TEST_F(SafetensorsTest, WriterRejectsBadInputAndLeavesNothing) {
  EXPECT_THROW(
      save_safetensors(path("d.safetensors"), {{"a", at::ones({1})}, {"a", at::ones({1})}}, {}),
      helix::Error);
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"__metadata__", at::ones({1})}}, {}),
               helix::Error);
  EXPECT_THROW(save_safetensors(path("s.safetensors"), {{"s", at::ones({1}, at::kShort)}}, {}),
               helix::Error);
  EXPECT_THROW(save_safetensors(path("u.safetensors"), {}, {{"k", "\xff"}}), helix::Error);
  EXPECT_TRUE(fs::is_empty(dir_));
}

// Interoperability with Python's safetensors package; skipped where it is absent.
TEST_F(SafetensorsTest, InteroperatesWithPythonSafetensors) {
  if (std::system("python3 -c 'import safetensors, numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 with safetensors and numpy not available";
  save_safetensors(path("h.safetensors"),
                   {{"w", at::arange(6, at::kFloat).reshape({2, 3})},
                    {"n", at::tensor({int64_t{5}})},
                    {"m", at::tensor({1, 0}).gt(0)}},
                   {{"config", "{}"}});
  std::ofstream(path("check.py")) << R"(import sys, numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
d = sys.argv[1]
t = load_file(d + '/h.safetensors')
assert t['w'].dtype == np.float32 and t['w'].tolist() == [[0, 1, 2], [3, 4, 5]], t['w']
assert t['n'].dtype == np.int64 and t['n'].tolist() == [5]
assert t['m'].dtype == np.bool_ and t['m'].tolist() == [True, False]
with safe_open(d + '/h.safetensors', 'np') as f:
    assert f.metadata() == {'config': '{}'}, f.metadata()
save_file({'x': np.arange(4, dtype=np.int32).reshape(2, 2), 'y': np.ones(3)},
          d + '/py.safetensors', metadata={'from': 'python'})
)";
  ASSERT_EQ(std::system(("python3 '" + path("check.py") + "' '" + dir_.string() + "'").c_str()), 0);
  const auto c = load_safetensors(path("py.safetensors"));
  EXPECT_EQ(c.metadata.at("from"), "python");
  EXPECT_TRUE(at::equal(c.at("x"), at::arange(4, at::kInt).reshape({2, 2})));
  EXPECT_TRUE(at::equal(c.at("y"), at::ones({3}, at::kDouble)));
}

}  // namespace
