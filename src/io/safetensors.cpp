// safetensors writing and validated reading. Reading happens in two phases: the header is parsed
// and every entry checked against the file's real size; only then are tensors allocated and their
// bytes read, so a hostile header can never make us allocate more than the file holds.
#include "eta/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "eta/error.h"
#include "eta/io/atomic_file.h"
#include "io/byte_source.h"
#include "io/json.h"

namespace eta::io {

namespace {

// The reference implementation's limit: a larger header is refused before reading it.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

// safetensors' dtype codes: one table for writing and reading.
constexpr std::pair<DType, const char*> kDtypeCodes[] = {
    {DType::Float32, "F32"}, {DType::Float64, "F64"}, {DType::Int64, "I64"}};

const char* dtype_code(DType d) {
  for (const auto& [dtype, code] : kDtypeCodes)
    if (dtype == d) return code;
  return "?";
}

bool parse_dtype_code(const std::string& s, DType& out) {
  for (const auto& [dtype, code] : kDtypeCodes)
    if (s == code) {
      out = dtype;
      return true;
    }
  return false;
}

// Byte order: safetensors data is little-endian. On a big-endian host each element is reversed;
// on the little-endian machines eta runs on today this compiles away.
void to_from_little_endian(void* data, size_t count, size_t elem) {
  if constexpr (std::endian::native == std::endian::big) {
    auto* p = static_cast<uint8_t*>(data);
    for (size_t i = 0; i < count; ++i) std::reverse(p + i * elem, p + (i + 1) * elem);
  } else {
    (void)data, (void)count, (void)elem;
  }
}

struct Entry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

std::string ints_str(const std::vector<int64_t>& v) { return shape_str(v); }

// Phase one: everything about the file that can be known without allocating a tensor.
struct Header {
  std::vector<Entry> entries;  // sorted by data offset
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;
};

Entry parse_entry(const std::string& name, const json::Value& v, const std::string& file) {
  const std::string where = "load_safetensors: " + file + ": tensor \"" + name + "\"";
  ETA_CHECK(v.is_object(), where, ": its entry is ", json::kind_name(v.kind), ", expected an object with dtype, "
            "shape and data_offsets");
  const json::Value *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
  for (const auto& [key, val] : v.members) {
    if (key == "dtype") dtype = &val;
    else if (key == "shape") shape = &val;
    else if (key == "data_offsets") offsets = &val;
    else detail::throw_error(where, ": unknown field \"", key, "\" (expected dtype, shape, data_offsets)");
  }
  ETA_CHECK(dtype && shape && offsets, where, ": missing field \"", !dtype ? "dtype" : !shape ? "shape" : "data_offsets",
            "\"");
  Entry e;
  e.name = name;
  ETA_CHECK(dtype->is_string(), where, ": dtype is ", json::kind_name(dtype->kind), ", expected a string");
  ETA_CHECK(parse_dtype_code(dtype->text, e.dtype), where, ": unknown or unsupported dtype \"", dtype->text,
            "\" (eta reads F32, F64 and I64)");
  ETA_CHECK(shape->is_array(), where, ": shape is ", json::kind_name(shape->kind), ", expected an array");
  // Element count and byte size in unsigned arithmetic with explicit bounds, so no product past
  // 2^63 is ever formed, let alone allocated.
  uint64_t numel = 1;
  for (const auto& d : shape->items) {
    int64_t dim = 0;
    ETA_CHECK(d.as_int64(dim), where, ": shape entry ", d.is_number() ? d.text : json::kind_name(d.kind),
              " is not an integer in int64 range");
    ETA_CHECK(dim >= 0, where, ": negative dimension ", dim, " in its shape");
    e.shape.push_back(dim);
  }
  // The product skips zeros: a shape like [0, 2^32, 2^32] holds no elements, but its strides
  // (products of the later dimensions) would still overflow int64, so it is refused too.
  bool overflow = false, has_zero = false;
  for (int64_t dim : e.shape) {
    const auto u = static_cast<uint64_t>(dim);
    if (u == 0) has_zero = true;
    else if (numel > static_cast<uint64_t>(INT64_MAX) / u) overflow = true;
    else numel *= u;
  }
  ETA_CHECK(!overflow, where, ": shape ", ints_str(e.shape), " has more than 2^63 elements");
  if (has_zero) numel = 0;
  const uint64_t esize = dtype_size(e.dtype);
  ETA_CHECK(numel <= static_cast<uint64_t>(INT64_MAX) / esize, where, ": shape ", ints_str(e.shape),
            " needs more than 2^63 bytes");
  const uint64_t nbytes = numel * esize;

  ETA_CHECK(offsets->is_array() && offsets->items.size() == 2, where,
            ": data_offsets must be an array of two integers [begin, end]");
  int64_t b = 0, en = 0;
  ETA_CHECK(offsets->items[0].as_int64(b) && offsets->items[1].as_int64(en), where,
            ": data_offsets must be integers in int64 range");
  ETA_CHECK(b >= 0 && en >= b, where, ": data_offsets [", b, ", ", en, "] are not an ordered pair of non-negative "
            "offsets");
  e.begin = static_cast<uint64_t>(b);
  e.end = static_cast<uint64_t>(en);
  ETA_CHECK(e.end - e.begin == nbytes, where, ": data_offsets [", b, ", ", en, "] span ", e.end - e.begin,
            " bytes but ", dtype->text, " ", ints_str(e.shape), " needs ", nbytes);
  return e;
}

Header read_header(const ByteSource& src, const std::string& file) {
  const std::string ctx = "load_safetensors: " + file;
  const uint64_t total = src.size();
  ETA_CHECK(total > 0, ctx, ": the file is empty");
  ETA_CHECK(total >= 8, ctx, ": the file is ", total, " bytes, too short for the 8-byte header length");
  uint8_t len_bytes[8];
  src.read(0, len_bytes, 8);
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = n << 8 | len_bytes[k];
  ETA_CHECK(n <= total - 8, ctx, ": header length ", n, " runs past the end of the file (", total,
            " bytes; truncated, or not a safetensors file)");
  ETA_CHECK(n <= kMaxHeaderBytes, ctx, ": header length ", n, " exceeds the 100 MB limit");
  ETA_CHECK(n >= 2, ctx, ": header length ", n, " is too short for a JSON object");
  std::string text(static_cast<size_t>(n), '\0');
  src.read(8, text.data(), text.size());
  ETA_CHECK(text[0] == '{', ctx, ": the header does not start with '{' (not a safetensors file?)");
  const json::Value root = json::parse(text, ctx + ": header");
  ETA_CHECK(root.is_object(), ctx, ": the header is not a JSON object");

  Header h;
  h.data_start = 8 + n;
  const uint64_t data_size = total - h.data_start;
  for (const auto& [key, val] : root.members) {
    if (key == kMetadataKey) {
      if (val.kind == json::Value::Kind::Null) continue;  // the reference writer's "no metadata"
      ETA_CHECK(val.is_object(), ctx, ": __metadata__ is ", json::kind_name(val.kind), ", expected an object");
      for (const auto& [mk, mv] : val.members) {
        ETA_CHECK(mv.is_string(), ctx, ": metadata value for \"", mk, "\" is ", json::kind_name(mv.kind),
                  ", but metadata values must be strings");
        h.metadata[mk] = mv.text;
      }
      continue;
    }
    Entry e = parse_entry(key, val, file);
    ETA_CHECK(e.end <= data_size, ctx, ": tensor \"", key, "\": data_offsets [", e.begin, ", ", e.end,
              "] run past the end of the data section (", data_size, " bytes; truncated file?)");
    h.entries.push_back(std::move(e));
  }
  // Tensors must tile the data section exactly: sorted by offset, each starts where the last ended.
  std::stable_sort(h.entries.begin(), h.entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : h.entries) {
    ETA_CHECK(e.begin <= at, ctx, ": a gap of ", e.begin - at, " bytes before tensor \"", e.name, "\" (data_offsets [",
              e.begin, ", ", e.end, "]; expected it to start at ", at, ")");
    ETA_CHECK(e.begin == at, ctx, ": tensor \"", e.name, "\" (data_offsets [", e.begin, ", ", e.end,
              "]) overlaps tensor \"", prev ? prev->name : "", "\" (which ends at ", at, ")");
    at = e.end;
    if (e.end > e.begin) prev = &e;
  }
  ETA_CHECK(at == data_size, ctx, ": ", data_size - at, " bytes after the last tensor's data (the data section is ",
            data_size, " bytes, the tensors cover ", at, ")");
  return h;
}

SafetensorsFile read_all(const ByteSource& src, const std::string& file) {
  const Header h = read_header(src, file);
  SafetensorsFile out;
  out.metadata = h.metadata;
  out.tensors.reserve(h.entries.size());
  for (const Entry& e : h.entries) {
    Tensor t = empty(e.shape, e.dtype);
    const uint64_t nbytes = e.end - e.begin;
    if (nbytes) {
      src.read(h.data_start + e.begin, t.raw_data(), static_cast<size_t>(nbytes));
      to_from_little_endian(t.raw_data(), static_cast<size_t>(t.numel()), dtype_size(e.dtype));
    }
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

// The header text (padded) and the tensors in data order, contiguous.
struct Plan {
  std::string header;
  std::vector<Tensor> data;
};

Plan make_plan(const std::map<std::string, Tensor>& tensors, const std::map<std::string, std::string>& metadata,
               const char* op) {
  Plan p;
  std::string& h = p.header;
  h += '{';
  bool first = true;
  if (!metadata.empty()) {
    json::append_quoted(h, kMetadataKey);
    h += ":{";
    for (const auto& [k, v] : metadata) {
      if (!first) h += ',';
      first = false;
      json::append_quoted(h, k);
      h += ':';
      json::append_quoted(h, v);
    }
    h += '}';
    first = false;
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    ETA_CHECK(name != kMetadataKey, op, ": \"__metadata__\" is reserved and cannot name a tensor");
    ETA_CHECK(t.defined(), op, ": tensor \"", name, "\" is undefined");
    const Tensor c = t.detach().contiguous();  // detached: writing a file records nothing for autograd
    const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * dtype_size(c.dtype());
    if (!first) h += ',';
    first = false;
    json::append_quoted(h, name);
    h += ":{\"dtype\":\"";
    h += dtype_code(c.dtype());
    h += "\",\"shape\":[";
    for (size_t i = 0; i < c.shape().size(); ++i) {
      if (i) h += ',';
      h += std::to_string(c.shape()[i]);
    }
    h += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + nbytes) + "]}";
    offset += nbytes;
    p.data.push_back(c);
  }
  h += '}';
  // The writer must only produce what the reader accepts; this catches invalid UTF-8 in names.
  try {
    json::parse(h, op);
  } catch (const Error& e) {
    detail::throw_error(op, ": tensor names and metadata must be valid UTF-8 (", e.what(), ")");
  }
  while ((8 + h.size()) % 8 != 0) h += ' ';
  return p;
}

void header_length_bytes(uint8_t out[8], uint64_t n) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<uint8_t>(n >> (8 * k));
}

// A tensor's bytes in little-endian order (a copy only on big-endian hosts).
template <class Sink>
void emit_data(const Tensor& c, Sink&& sink) {
  const size_t nbytes = static_cast<size_t>(c.numel()) * dtype_size(c.dtype());
  if (nbytes == 0) return;
  if constexpr (std::endian::native == std::endian::big) {
    std::vector<uint8_t> tmp(static_cast<const uint8_t*>(c.raw_data()), static_cast<const uint8_t*>(c.raw_data()) + nbytes);
    to_from_little_endian(tmp.data(), static_cast<size_t>(c.numel()), dtype_size(c.dtype()));
    sink(tmp.data(), nbytes);
  } else {
    sink(c.raw_data(), nbytes);
  }
}

// Writes src (contiguous, same dtype and shape) into dst's elements, whatever dst's strides.
void copy_bytes_into(const Tensor& dst, const Tensor& src) {
  const size_t esize = dtype_size(dst.dtype());
  const auto* s = static_cast<const uint8_t*>(src.raw_data());
  auto* d = static_cast<uint8_t*>(dst.raw_data());
  const int64_t n = dst.numel();
  if (n == 0) return;
  if (dst.is_contiguous()) {
    std::memcpy(d, s, static_cast<size_t>(n) * esize);
    return;
  }
  const Shape& shape = dst.shape();
  const Shape& strides = dst.strides();
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t a = 0; a < shape.size(); ++a) off += idx[a] * strides[a];
    std::memcpy(d + off * static_cast<int64_t>(esize), s + k * static_cast<int64_t>(esize), esize);
    for (size_t a = shape.size(); a-- > 0;) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

}  // namespace

bool SafetensorsFile::contains(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return true;
  return false;
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  std::string names;
  for (const auto& [n, t] : tensors) {
    if (!names.empty()) names += ", ";
    names += n;
  }
  detail::throw_error("SafetensorsFile: no tensor \"", name, "\" (the file has: ", names.empty() ? "none" : names, ")");
}

std::map<std::string, Tensor> SafetensorsFile::tensor_map() const {
  return std::map<std::string, Tensor>(tensors.begin(), tensors.end());
}

std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
  const Plan p = make_plan(tensors, metadata, "serialize_safetensors");
  size_t total = 8 + p.header.size();
  for (const Tensor& c : p.data) total += static_cast<size_t>(c.numel()) * dtype_size(c.dtype());
  std::vector<uint8_t> out(total);
  header_length_bytes(out.data(), p.header.size());
  std::memcpy(out.data() + 8, p.header.data(), p.header.size());
  size_t at = 8 + p.header.size();
  for (const Tensor& c : p.data)
    emit_data(c, [&](const void* d, size_t n) {
      std::memcpy(out.data() + at, d, n);
      at += n;
    });
  return out;
}

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const Plan p = make_plan(tensors, metadata, "save_safetensors");
  AtomicFile file(path, "save_safetensors");
  uint8_t len[8];
  header_length_bytes(len, p.header.size());
  file.write(len, 8);
  file.write(p.header.data(), p.header.size());
  for (const Tensor& c : p.data) emit_data(c, [&](const void* d, size_t n) { file.write(d, n); });
  file.commit();
}

SafetensorsFile load_safetensors(const std::string& path) {
  const FileSource src(path, "load_safetensors");
  return read_all(src, path);
}

SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t size, const std::string& name) {
  const MemorySource src(bytes, size);
  return read_all(src, name);
}

void load_into(const std::map<std::string, Tensor>& targets, const SafetensorsFile& file) {
  const std::map<std::string, Tensor> have = file.tensor_map();
  std::vector<std::string> problems, missing, extra;
  for (const auto& [name, t] : targets) {
    ETA_CHECK(t.defined(), "load_into: target \"", name, "\" is an undefined tensor");
    const auto it = have.find(name);
    if (it == have.end()) {
      missing.push_back(name);
      continue;
    }
    const Tensor& f = it->second;
    if (f.dtype() != t.dtype())
      problems.push_back(name + ": file " + dtype_name(f.dtype()) + " " + shape_str(f.shape()) + ", model " +
                         dtype_name(t.dtype()) + " " + shape_str(t.shape()));
    else if (f.shape() != t.shape())
      problems.push_back(name + ": file " + shape_str(f.shape()) + ", model " + shape_str(t.shape()));
  }
  for (const auto& [name, f] : have)
    if (!targets.count(name)) extra.push_back(name);
  if (problems.empty() && missing.empty() && extra.empty()) {
    for (const auto& [name, t] : targets) copy_bytes_into(t, have.at(name));
    return;
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) {
      if (!s.empty()) s += ", ";
      s += x;
    }
    return s;
  };
  // One line, so a command-line program can print it as is.
  std::string msg = "load_into: the file does not match the model, nothing was loaded: " + join(problems);
  if (!missing.empty()) msg += std::string(problems.empty() ? "" : "; ") + "missing from the file: " + join(missing);
  if (!extra.empty())
    msg += std::string(problems.empty() && missing.empty() ? "" : "; ") + "in the file but not the model: " + join(extra);
  throw Error(msg);
}

}  // namespace eta::io
