#include "weft/nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "safetensors_json.hpp"
#include "weft/error.hpp"

namespace weft::nn {

static_assert(std::endian::native == std::endian::little, "safetensors stores little-endian data");

using backend::DType;
using backend::Shape;
using backend::Tensor;

namespace {

constexpr std::uint64_t kMaxHeader = 100u << 20;  // the reference implementation's limit

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  Location where;
  where.file = path;
  throw FormatError(why, where);
}

std::string dims_str(const std::vector<std::int64_t>& dims) { return Shape(dims).str(); }

struct Entry {
  std::string name;
  DType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;
};

Entry entry(const std::string& path, const std::string& name, const json::Value& v) {
  const std::string what = "tensor '" + name + "'";
  if (v.kind != json::Value::Kind::Object) bad(path, what + ": header entry is not an object");
  for (const auto& [key, _] : v.members)
    if (key != "dtype" && key != "shape" && key != "data_offsets") bad(path, what + ": unknown header field '" + key + "'");
  const json::Value* dtype = v.find("dtype");
  const json::Value* shape = v.find("shape");
  const json::Value* offsets = v.find("data_offsets");
  if (dtype == nullptr || shape == nullptr || offsets == nullptr) bad(path, what + ": header entry needs dtype, shape and data_offsets");
  Entry e{name, DType::F32, {}, 0, 0};
  if (dtype->kind != json::Value::Kind::String) bad(path, what + ": dtype is not a string");
  if (dtype->string == "F32") e.dtype = DType::F32;
  else if (dtype->string == "F16") e.dtype = DType::F16;
  else bad(path, what + ": unsupported dtype '" + dtype->string + "' (weft reads F32 and F16)");
  if (shape->kind != json::Value::Kind::Array) bad(path, what + ": shape is not an array");
  if (shape->items.size() > 4) bad(path, what + ": " + std::to_string(shape->items.size()) + " dimensions (at most 4)");
  std::uint64_t numel = 1;
  for (const json::Value& d : shape->items) {
    if (d.kind != json::Value::Kind::Integer || d.integer < 0) bad(path, what + ": shape holds something other than a non-negative integer");
    e.shape.push_back(d.integer);
    const auto u = static_cast<std::uint64_t>(d.integer);
    if (u != 0 && numel > (UINT64_MAX / 8) / u) bad(path, what + ": shape " + dims_str(e.shape) + " is too large");
    numel *= u;
  }
  if (offsets->kind != json::Value::Kind::Array || offsets->items.size() != 2 || offsets->items[0].kind != json::Value::Kind::Integer ||
      offsets->items[1].kind != json::Value::Kind::Integer || offsets->items[0].integer < 0 || offsets->items[1].integer < offsets->items[0].integer)
    bad(path, what + ": data_offsets must be [begin, end] with 0 <= begin <= end");
  e.begin = static_cast<std::uint64_t>(offsets->items[0].integer);
  e.end = static_cast<std::uint64_t>(offsets->items[1].integer);
  const std::uint64_t need = numel * backend::dtype_size(e.dtype);
  if (e.end - e.begin != need)
    bad(path, what + ": shape " + dims_str(e.shape) + " " + dtype->string + " needs " + std::to_string(need) + " bytes but data_offsets span " +
                  std::to_string(e.end - e.begin));
  return e;
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors, StorageType storage,
                      const std::map<std::string, std::string>& metadata) {
  const bool half = storage == StorageType::F16;
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      header += (first ? "" : ",") + json::quote(k) + ":" + json::quote(v);
      first = false;
    }
    header += "}";
  }
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || name.empty()) throw ValueError("save_safetensors: invalid tensor name '" + name + "'");
    if (t.dtype() != DType::F32) throw ValueError("save_safetensors: tensor '" + name + "' is " + backend::dtype_name(t.dtype()) + ", expected f32");
    const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * (half ? 2 : 4);
    header += (header.size() > 1 ? "," : "") + json::quote(name) + ":{\"dtype\":\"" + (half ? "F16" : "F32") + "\",\"shape\":[";
    for (int d = 0; d < t.ndim(); ++d) header += (d ? "," : "") + std::to_string(t.dim(d));
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
  while ((header.size() + 8) % 8 != 0) header += ' ';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IOError("cannot open " + path + " for writing");
  unsigned char len[8];
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const auto& [name, t] : tensors) {
    const std::vector<float> values = t.to_vector<float>();
    if (half) {
      std::vector<std::uint16_t> h(values.size());
      std::transform(values.begin(), values.end(), h.begin(), backend::float_to_half);
      out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size() * 2));
    } else {
      out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
    }
  }
  out.flush();
  if (!out) throw IOError("cannot write " + path);
}

SafeTensors load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open " + path);
  return load_safetensors(in, path);
}

SafeTensors load_safetensors(std::istream& in, const std::string& path) {
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (!in || end < 0) throw IOError("cannot seek in " + path + " (safetensors needs a seekable input)");
  const auto file_size = static_cast<std::uint64_t>(end);
  in.seekg(0);
  if (file_size < 8) bad(path, "file of " + std::to_string(file_size) + " bytes is too short for the header length");
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(len[i]) << (8 * i);
  if (n > file_size - 8) bad(path, "header length " + std::to_string(n) + " exceeds the " + std::to_string(file_size - 8) + " bytes after it");
  if (n > kMaxHeader) bad(path, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeader));
  if (n < 2) bad(path, "header of " + std::to_string(n) + " bytes cannot hold a JSON object");
  std::string text(static_cast<std::size_t>(n), '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  if (!in) throw IOError("cannot read the header of " + path);

  json::Value header;
  try {
    header = json::parse(text);
  } catch (const FormatError& e) {
    Location where;
    where.file = path;
    where.offset = 8 + e.where().offset;  // a byte of the file, not of the header
    throw FormatError(e.cause(), where);
  }
  if (header.kind != json::Value::Kind::Object) bad(path, "header is not a JSON object");

  SafeTensors result;
  std::vector<Entry> entries;
  for (const auto& [name, v] : header.members) {
    if (name == "__metadata__") {
      if (v.kind != json::Value::Kind::Object) bad(path, "__metadata__ is not an object");
      for (const auto& [k, s] : v.members) {
        if (s.kind != json::Value::Kind::String) bad(path, "__metadata__ value of '" + k + "' is not a string");
        result.metadata[k] = s.string;
      }
      continue;
    }
    entries.push_back(entry(path, name, v));
  }
  // The data section must be exactly the tensors, packed: sorted by offset, each begins where the last ended.
  const std::uint64_t data_size = file_size - 8 - n;
  std::vector<const Entry*> order;
  for (const Entry& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
  std::uint64_t at = 0;
  for (const Entry* e : order) {
    if (e->end > data_size)
      bad(path, "tensor '" + e->name + "': data_offsets [" + std::to_string(e->begin) + ", " + std::to_string(e->end) + "] run past the " +
                    std::to_string(data_size) + " bytes of data");
    if (e->begin < at) bad(path, "tensor '" + e->name + "': data overlaps the previous tensor's (begins at " + std::to_string(e->begin) + ", before " + std::to_string(at) + ")");
    if (e->begin > at) bad(path, "tensor '" + e->name + "': gap in the data before byte " + std::to_string(e->begin) + " (previous tensor ended at " + std::to_string(at) + ")");
    at = e->end;
  }
  if (at != data_size) bad(path, "the header accounts for " + std::to_string(at) + " bytes of data but the file holds " + std::to_string(data_size));

  const std::uint64_t data_start = 8 + n;
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(Shape(e.shape), DType::F32);
    const std::uint64_t bytes = e.end - e.begin;
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    if (e.dtype == DType::F32) {
      in.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(bytes));
    } else {
      std::vector<std::uint16_t> h(static_cast<std::size_t>(t.numel()));
      in.read(reinterpret_cast<char*>(h.data()), static_cast<std::streamsize>(bytes));
      std::transform(h.begin(), h.end(), t.data<float>(), backend::half_to_float);
    }
    if (!in) throw IOError("cannot read tensor '" + e.name + "' of " + path);
    result.tensors.emplace_back(e.name, std::move(t));
  }
  return result;
}

}  // namespace weft::nn
