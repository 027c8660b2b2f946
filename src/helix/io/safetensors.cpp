#include "helix/io/safetensors.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

// Tensor bytes are copied as they lie in memory, and safetensors is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors I/O assumes a little-endian host");

constexpr const char* kMetadataKey = "__metadata__";

struct Dtype {
  const char* name;
  at::ScalarType type;
};
constexpr Dtype kDtypes[] = {{"F32", at::kFloat}, {"F64", at::kDouble}, {"BF16", at::kBFloat16},
                             {"F16", at::kHalf},  {"I64", at::kLong},   {"I32", at::kInt},
                             {"U8", at::kByte},   {"BOOL", at::kBool}};

const char* dtype_name(at::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return d.name;
  return nullptr;
}

// A tensor's entry in the header, validated.
struct Entry {
  std::string name;
  at::ScalarType type;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& j,
                  uint64_t data_len) {
  auto fail = [&](const std::string& what) -> InputError {
    return InputError(path, 0, "tensor '" + name + "': " + what);
  };
  if (!j.is_object()) throw fail("header entry is not an object");
  const auto dtype = j.find("dtype");
  const auto shape = j.find("shape");
  const auto offsets = j.find("data_offsets");
  if (dtype == j.end() || shape == j.end() || offsets == j.end())
    throw fail("header entry needs 'dtype', 'shape' and 'data_offsets'");
  if (!dtype->is_string()) throw fail("'dtype' is not a string");

  Entry e{name, at::kFloat, {}, 0, 0};
  const auto* d = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                               [&](const Dtype& x) { return *dtype == x.name; });
  if (d == std::end(kDtypes))
    throw fail("unsupported dtype '" + dtype->get<std::string>() +
               "' (supported: F32, F64, BF16, F16, I64, I32, U8, BOOL)");
  e.type = d->type;

  if (!shape->is_array()) throw fail("'shape' is not a list");
  uint64_t nbytes = at::elementSize(e.type);
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned() || dim.get<uint64_t>() > uint64_t{INT64_MAX})
      throw fail("'shape' holds something other than a non-negative integer");
    e.shape.push_back(dim.get<int64_t>());
    if (__builtin_mul_overflow(nbytes, dim.get<uint64_t>(), &nbytes)) nbytes = UINT64_MAX;
  }

  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    throw fail("'data_offsets' is not a pair of non-negative integers");
  e.begin = (*offsets)[0].get<uint64_t>();
  e.end = (*offsets)[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_len)
    throw fail("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
               "] lie outside the data section (" + std::to_string(data_len) + " bytes)");
  if (e.end - e.begin != nbytes)
    throw fail("data_offsets span " + std::to_string(e.end - e.begin) +
               " bytes, but dtype and shape need " + std::to_string(nbytes));
  return e;
}

}  // namespace

const at::Tensor& SafetensorsContents::at(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  std::string list;
  for (const auto& entry : tensors) list += (list.empty() ? "" : ", ") + entry.first;
  throw InputError(path, 0, "no tensor '" + name + "'; tensors are: " + list);
}

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps __metadata__ first and the tensors in the caller's order, as the data is.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::vector<at::Tensor> data;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey || !names.insert(name).second)
      throw Error("save_safetensors(" + path + "): tensor name '" + name +
                  "' is reserved or used twice");
    const char* dtype = dtype_name(tensor.scalar_type());
    if (dtype == nullptr)
      throw Error("save_safetensors(" + path + "): tensor '" + name + "' has unsupported dtype " +
                  std::string(c10::toString(tensor.scalar_type())));
    data.push_back(tensor.to(at::kCPU).contiguous());
    const uint64_t nbytes = data.back().nbytes();
    header[name] = {{"dtype", dtype},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception&) {
    throw Error("save_safetensors(" + path + "): names and metadata must be valid UTF-8");
  }
  // The reference writer pads with spaces so the data starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(uint64_t{text.size()} >> (8 * i));

  write_atomic_with(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error("cannot write " + tmp.string());
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : data)
      out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
    out.close();
    if (!out) throw Error("failed writing " + tmp.string());
  });
}

SafetensorsContents load_safetensors(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path, 0, "no such file");
  const auto file_size = static_cast<uint64_t>(std::filesystem::file_size(path, ec));
  std::ifstream in(path, std::ios::binary);
  if (!in || ec) throw InputError(path, 0, "cannot open");

  unsigned char len[8] = {};
  if (file_size < 8 || !in.read(reinterpret_cast<char*>(len), 8))
    throw InputError(path, 0, "too short for a safetensors file (no 8-byte header length)");
  uint64_t header_len = 0;
  for (int i = 0; i < 8; ++i) header_len |= uint64_t{len[i]} << (8 * i);
  if (header_len > file_size - 8)
    throw InputError(path, 0,
                     "header length " + std::to_string(header_len) + " exceeds the file size (" +
                         std::to_string(file_size) + " bytes); not a safetensors file?");
  std::string text(header_len, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_len));

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path, 0, std::string("invalid JSON header: ") + e.what());
  }
  if (!header.is_object()) throw InputError(path, 0, "JSON header is not an object");

  SafetensorsContents out;
  out.path = path;
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_len = file_size - data_start;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      if (!value.is_object()) throw InputError(path, 0, "__metadata__ is not an object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string())
          throw InputError(path, 0, "__metadata__ value for '" + k + "' is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, key, value, data_len));
  }

  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].begin < entries[i - 1].end)
      throw InputError(path, 0,
                       "tensors '" + entries[i - 1].name + "' and '" + entries[i].name +
                           "' overlap in the data section");

  for (const auto& e : entries) {
    // Bools are read as bytes and normalised, since a byte other than 0 or 1 is not a valid bool.
    const auto read_type = e.type == at::kBool ? at::kByte : e.type;
    at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(read_type));
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(e.end - e.begin));
    if (!in) throw InputError(path, 0, "read error in tensor '" + e.name + "'");
    out.tensors.emplace_back(e.name, e.type == at::kBool ? t.ne(0) : t);
  }
  return out;
}

}  // namespace helix::io
