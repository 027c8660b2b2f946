#include "helix/io/npy.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "helix/util/error.hpp"

namespace fs = std::filesystem;
using helix::InputError;
using helix::io::read_npy;
using helix::io::write_npy;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "helix_npy_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A hand-made .npy file: `dict` padded like numpy does, under format `major`.0.
  std::string raw(const std::string& name, std::string dict, const std::string& data,
                  int major = 1) {
    const size_t prefix = major == 1 ? 10 : 12;
    dict.append(64 - (prefix + dict.size() + 1) % 64, ' ');
    dict += '\n';
    std::string bytes = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
    for (size_t i = 0; i < prefix - 8; ++i) bytes += static_cast<char>(dict.size() >> (8 * i));
    const auto p = path(name);
    std::ofstream(p, std::ios::binary) << bytes << dict << data;
    return p;
  }
  static std::string error_of(const std::string& p) {
    try {
      read_npy(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(NpyTest, HeaderBytesMatchNumpy) {
  write_npy(path("a.npy"), at::arange(6, at::kFloat).reshape({2, 3}));
  const std::string bytes = slurp(path("a.npy"));
  // np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3)) writes exactly this header.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                               std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  ASSERT_EQ(bytes.size(), 128u + 6 * 4);
  EXPECT_EQ(bytes.substr(0, 128), expected);
  float values[6];
  std::memcpy(values, bytes.data() + 128, sizeof values);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(values[i], static_cast<float>(i));
}

TEST_F(NpyTest, HeaderShapesForOtherRanks) {
  write_npy(path("s.npy"), at::zeros({}, at::kDouble));
  EXPECT_EQ(slurp(path("s.npy")).substr(10, 60),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), }     ");
  write_npy(path("v.npy"), at::zeros({7}, at::kBool));
  EXPECT_EQ(slurp(path("v.npy")).substr(10, 60),
            "{'descr': '|b1', 'fortran_order': False, 'shape': (7,), }   ");
  for (const auto& f : {"s.npy", "v.npy"}) EXPECT_EQ(slurp(path(f))[127], '\n');
}

TEST_F(NpyTest, RoundTripsEveryDtypeAndRank) {
  const std::vector<at::Tensor> tensors = {
      at::randn({2, 3, 4}),
      at::randn({5}, at::kDouble),
      at::full({}, -(int64_t{1} << 40), at::kLong),
      at::arange(-3, 9, at::kInt).reshape({3, 4}),
      at::arange(0, 250, 7, at::kByte),
      at::rand({3, 2}).gt(0.5),
      at::zeros({0, 4}),
      at::arange(12, at::kFloat).reshape({3, 4}).t(),  // not contiguous
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto p = path("t" + std::to_string(i) + ".npy");
    write_npy(p, tensors[i]);
    const at::Tensor back = read_npy(p);
    EXPECT_EQ(back.scalar_type(), tensors[i].scalar_type()) << i;
    EXPECT_EQ(back.sizes(), tensors[i].sizes()) << i;
    EXPECT_TRUE(at::equal(back, tensors[i])) << i;
    EXPECT_EQ(fs::file_size(p) % 64, static_cast<uintmax_t>(tensors[i].nbytes()) % 64) << i;
  }
  // Only the result is in the directory: the temporary was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()),
            static_cast<long>(tensors.size()));
}

TEST_F(NpyTest, WriterRejectsOtherDtypesAndLeavesNothing) {
  EXPECT_THROW(write_npy(path("h.npy"), at::zeros({2}, at::kHalf)), helix::Error);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(NpyTest, ReadsVersion2AndByteTypesWithAnyOrderMark) {
  const std::string data("\x01\x00\x02", 3);
  auto t =
      read_npy(raw("v2.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", data, 2));
  EXPECT_TRUE(at::equal(t, at::tensor({1, 0, 2}, at::kByte)));
  t = read_npy(
      raw("b.npy", "{\"shape\": (3L,), \"fortran_order\": False, \"descr\": \"<b1\"}", data));
  EXPECT_TRUE(at::equal(t, at::tensor({1, 0, 1}).gt(0)));
  // Fortran order means nothing for one dimension.
  t = read_npy(raw("f1.npy", "{'descr': '<u1', 'fortran_order': True, 'shape': (3,), }", data));
  EXPECT_EQ(t.numel(), 3);
}

TEST_F(NpyTest, ReaderErrorsNameTheFile) {
  const std::string f4(24, '\0');
  const auto big =
      raw("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", f4);
  EXPECT_NE(error_of(big).find(big + ": big-endian data ('>f4') is not supported"),
            std::string::npos);
  const auto fortran =
      raw("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4);
  EXPECT_NE(error_of(fortran).find(fortran + ": Fortran-order arrays are not supported"),
            std::string::npos);
  const auto f2 = raw("f2.npy", "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", f4);
  EXPECT_NE(error_of(f2).find(f2 + ": unsupported dtype '<f2'"), std::string::npos);
  const auto rec =
      raw("rec.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 3), }", f4);
  EXPECT_NE(error_of(rec).find(rec + ": bad .npy header: unsupported dtype"), std::string::npos);
  const auto cut =
      raw("cut.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4.substr(4));
  EXPECT_EQ(error_of(cut), cut + ": truncated data: shape needs 24 bytes, file has 20");
  const auto huge =
      raw("huge.npy",
          "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f4);
  EXPECT_NE(error_of(huge).find(huge + ": truncated data"), std::string::npos);
  const auto missing = path("missing.npy");
  EXPECT_EQ(error_of(missing), missing + ": no such file");
  std::ofstream(path("text.npy")) << "hello, world";
  EXPECT_NE(error_of(path("text.npy")).find("not a .npy file"), std::string::npos);
  const auto head = raw("head.npy", "{'descr': '<f4', 'shape': (2, 3), }", f4);
  EXPECT_NE(error_of(head).find("header lacks one of"), std::string::npos);
  std::ofstream(path("short.npy"), std::ios::binary)
      << std::string("\x93NUMPY\x01\x00\xff\x00{", 11);
  EXPECT_NE(error_of(path("short.npy")).find("truncated .npy header"), std::string::npos);
}

// Interoperability with NumPy itself; skipped where python3 or numpy is absent.
TEST_F(NpyTest, InteroperatesWithNumpy) {
  if (std::system("python3 -c 'import numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 with numpy not available";
  const at::Tensor x = at::arange(24, at::kFloat).reshape({2, 3, 4}) * 0.5;
  write_npy(path("helix.npy"), x);
  std::ofstream(path("check.py")) << R"(import sys, numpy as np
d = sys.argv[1]
a = np.load(d + '/helix.npy')
assert a.dtype == np.float32 and a.shape == (2, 3, 4), (a.dtype, a.shape)
assert (a.ravel() == np.arange(24, dtype=np.float32) * 0.5).all()
np.save(d + '/np_f4.npy', np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5)
np.save(d + '/np_f8.npy', np.array(3.5))
np.save(d + '/np_i8.npy', np.arange(-2, 3, dtype=np.int64))
np.save(d + '/np_b1.npy', np.array([[True, False]]))
np.save(d + '/np_fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
np.save(d + '/np_big.npy', np.ones(3, dtype='>i4'))
)";
  ASSERT_EQ(std::system(("python3 '" + path("check.py") + "' '" + dir_.string() + "'").c_str()), 0);
  // Byte for byte what NumPy writes.
  EXPECT_EQ(slurp(path("np_f4.npy")), slurp(path("helix.npy")));
  EXPECT_TRUE(at::equal(read_npy(path("np_f4.npy")), x));
  EXPECT_EQ(read_npy(path("np_f8.npy")).item<double>(), 3.5);
  EXPECT_TRUE(at::equal(read_npy(path("np_i8.npy")), at::arange(-2, 3, at::kLong)));
  EXPECT_TRUE(at::equal(read_npy(path("np_b1.npy")), at::tensor({1, 0}).gt(0).reshape({1, 2})));
  EXPECT_THROW(read_npy(path("np_fortran.npy")), InputError);
  EXPECT_THROW(read_npy(path("np_big.npy")), InputError);
}

}  // namespace
