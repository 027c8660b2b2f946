#include "helix/io/npy.hpp"

#include <ATen/ATen.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

// Tensor bytes are copied as they lie in memory, and .npy files here are little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy I/O assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct Dtype {
  const char* descr;  // as numpy writes it
  at::ScalarType type;
};
constexpr Dtype kDtypes[] = {{"<f4", at::kFloat}, {"<f8", at::kDouble}, {"<i8", at::kLong},
                             {"<i4", at::kInt},   {"|u1", at::kByte},   {"|b1", at::kBool}};

// numpy's header: the dict, then spaces so that the whole header (magic to '\n') is a multiple
// of 64 bytes. Like numpy >= 1.23 it first adds room for the first axis to grow to 21 digits,
// which makes the bytes identical to what numpy writes for the same array.
std::string npy_header(const char* descr, at::IntArrayRef shape) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string dict =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  if (!shape.empty()) dict.append(21 - std::to_string(shape[0]).size(), ' ');
  const size_t prefix = kMagicLen + 2 + 2;
  const size_t pad = 64 - (prefix + dict.size() + 1) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

// Just enough of a Python-literal parser for the header dict numpy writes.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool has_descr = false, has_fortran = false, has_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '[')
          fail("unsupported dtype (structured arrays are not supported)");
        descr = string_literal();
        has_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        has_fortran = true;
      } else if (key == "shape") {
        shape = int_tuple();
        has_shape = true;
      } else {
        fail("unexpected key '" + key + "' in the header");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    if (!has_descr || !has_fortran || !has_shape)
      fail("header lacks one of 'descr', 'fortran_order', 'shape'");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path_, 0, "bad .npy header: " + what);
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) fail("expected a string");
    const char q = s_[pos_++];
    const size_t end = s_.find(q, pos_);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair<const char*, bool>{"True", true}, {"False", false}})
      if (s_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return value;
      }
    fail("expected True or False");
  }
  std::vector<int64_t> int_tuple() {
    expect('(');
    std::vector<int64_t> out;
    while (!consume(')')) {
      skip_space();
      size_t n = 0;
      int64_t v = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (v > (INT64_MAX - 9) / 10) fail("dimension too large");
        v = v * 10 + (s_[pos_++] - '0');
        ++n;
      }
      if (n == 0) fail("expected a non-negative integer in the shape");
      consume('L');  // Python 2 long suffix, still found in old files
      out.push_back(v);
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return out;
  }

  const std::string& s_;
  const std::string& path_;
  size_t pos_ = 0;
};

at::ScalarType dtype_from_descr(const std::string& descr, const std::string& path) {
  if (descr.size() >= 2 && descr[0] == '>' && descr.substr(1) != "u1" && descr.substr(1) != "b1")
    throw InputError(path, 0,
                     "big-endian data ('" + descr + "') is not supported; save it little-endian " +
                         "(e.g. numpy: a.astype(a.dtype.newbyteorder('<')))");
  for (const auto& d : kDtypes) {
    // One-byte types carry no byte order; accept any of the markers for them.
    if (descr == d.descr || (d.descr[0] == '|' && descr.size() == 3 &&
                             std::string("<>=|").find(descr[0]) != std::string::npos &&
                             descr.compare(1, 2, d.descr + 1) == 0))
      return d.type;
  }
  throw InputError(path, 0,
                   "unsupported dtype '" + descr + "' (supported: <f4, <f8, <i8, <i4, |u1, |b1)");
}

}  // namespace

void write_npy(const std::string& path, const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kCPU).contiguous();
  const Dtype* dtype = nullptr;
  for (const auto& d : kDtypes)
    if (d.type == t.scalar_type()) dtype = &d;
  if (dtype == nullptr)
    throw Error("write_npy(" + path + "): unsupported dtype " +
                std::string(c10::toString(t.scalar_type())));
  const std::string header = npy_header(dtype->descr, t.sizes());
  write_atomic_with(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error("cannot write " + tmp.string());
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
    out.close();
    if (!out) throw Error("failed writing " + tmp.string());
  });
}

at::Tensor read_npy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path, 0, "no such file");
  const auto file_size = static_cast<uint64_t>(std::filesystem::file_size(path, ec));
  std::ifstream in(path, std::ios::binary);
  if (!in || ec) throw InputError(path, 0, "cannot open");

  unsigned char pre[12] = {};
  in.read(reinterpret_cast<char*>(pre), 10);
  if (!in || std::memcmp(pre, kMagic, kMagicLen) != 0)
    throw InputError(path, 0, "not a .npy file (missing the \\x93NUMPY magic)");
  const int major = pre[6];
  uint64_t header_len = 0, prefix = 10;
  if (major == 1) {
    header_len = pre[8] | (pre[9] << 8);
  } else if (major == 2 || major == 3) {  // 3.0 differs from 2.0 only in allowing UTF-8 text
    in.read(reinterpret_cast<char*>(pre) + 10, 2);
    header_len = pre[8] | (pre[9] << 8) | (pre[10] << 16) | (uint64_t{pre[11]} << 24);
    prefix = 12;
  } else {
    throw InputError(path, 0, "unsupported .npy format version " + std::to_string(major));
  }
  if (!in || prefix + header_len > file_size) throw InputError(path, 0, "truncated .npy header");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));

  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  HeaderParser(header, path).parse(descr, fortran, shape);
  const at::ScalarType type = dtype_from_descr(descr, path);
  if (fortran && shape.size() > 1)
    throw InputError(path, 0,
                     "Fortran-order arrays are not supported; save it in C order "
                     "(e.g. numpy: np.ascontiguousarray(a))");

  // Compare against what the file holds before allocating, so a corrupt shape cannot ask for
  // an absurd amount of memory.
  const uint64_t available = file_size - prefix - header_len;
  const uint64_t itemsize = at::elementSize(type);
  uint64_t nbytes = itemsize;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(nbytes, static_cast<uint64_t>(d), &nbytes)) nbytes = UINT64_MAX;
  if (nbytes > available)
    throw InputError(path, 0,
                     "truncated data: shape needs " + std::to_string(nbytes) + " bytes, file has " +
                         std::to_string(available));

  // Bools are read as bytes and normalised, since a byte other than 0 or 1 is not a valid bool.
  const auto read_type = type == at::kBool ? at::kByte : type;
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(read_type));
  in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(nbytes));
  if (!in) throw InputError(path, 0, "read error");
  return type == at::kBool ? t.ne(0) : t;
}

}  // namespace helix::io
