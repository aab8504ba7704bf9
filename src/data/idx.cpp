// IDX reading and writing: header validation, gzip through io/byte_source.h's stream (reading) and zlib's
// deflate (writing), and bounded allocation. Nothing here knows about tensors.
#include "eta/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <limits>

#include "eta/error.h"
#include "eta/io/atomic_file.h"
#include "io/byte_source.h"

namespace eta::data {

namespace {

constexpr uint8_t kTypeUint8 = 0x08;
constexpr int64_t kMaxRank = 16;  // MNIST uses 1 and 3; a larger rank byte means a damaged header
std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(dims[i]);
  }
  return s;
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    if (i) s += ' ';
    s += buf;
  }
  return s;
}

const char* idx_type_name(uint8_t t) {
  switch (t) {
    case 0x08: return "uint8";
    case 0x09: return "int8";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "not an IDX type";
  }
}

// Reads exactly n bytes of the header or explains what was there instead.
void read_header_bytes(io::ByteStream& src, uint8_t* dst, size_t n, size_t already, const std::string& name, const char* what) {
  const size_t got = src.read(dst, n);
  ETA_CHECK(got == n, "read_idx: ", name, ": ", already + got == 0 ? "the file is empty" : "the file ends inside its header",
            " (", already + got, " bytes", src.gzip() ? " after decompression" : "", "; needed ", already + n,
            " for ", what, ")");
}

[[noreturn]] void bad_magic(const uint8_t* m, const std::string& name, bool gz) {
  size_t i = 0;
  while (i < 4 && (m[i] == ' ' || m[i] == '\t' || m[i] == '\r' || m[i] == '\n')) ++i;
  if (i < 4 && m[i] == '<')
    detail::throw_error("read_idx: ", name, ": this looks like an HTML page, not IDX data (a failed download? "
                        "fetch the file again)");
  if (gz && io::is_gzip(m, 4))
    detail::throw_error("read_idx: ", name, ": gzip data inside gzip data (compressed twice?)");
  detail::throw_error("read_idx: ", name, ": bad magic number ", hex_bytes(m, 4),
                      " — an IDX file starts with 00 00 <type> <rank>, e.g. 00 00 08 03 for images");
}

}  // namespace

IdxArray parse_idx(const uint8_t* bytes, size_t size, const std::string& name, int64_t expected_rank) {
  io::ByteStream src(bytes, size, name, "read_idx");
  uint8_t magic[4];
  read_header_bytes(src, magic, 4, 0, name, "the 4-byte magic number");
  if (magic[0] != 0 || magic[1] != 0) bad_magic(magic, name, src.gzip());
  ETA_CHECK(magic[2] == kTypeUint8, "read_idx: ", name, ": element type byte 0x", hex_bytes(magic + 2, 1), " (",
            idx_type_name(magic[2]), ") is not supported; MNIST-style files hold uint8 (0x08)");
  const int64_t rank = magic[3];
  ETA_CHECK(rank >= 1 && rank <= kMaxRank, "read_idx: ", name, ": rank ", rank, " in the header is not a plausible ",
            "IDX rank (1 to ", kMaxRank, ")");
  ETA_CHECK(expected_rank <= 0 || rank == expected_rank, "read_idx: ", name, ": rank ", rank, ", expected ",
            expected_rank, expected_rank == 3 ? " (an images file: count x rows x cols)"
                           : expected_rank == 1 ? " (a labels file: count)" : "");

  IdxArray out;
  out.dims.resize(static_cast<size_t>(rank));
  uint8_t dimbytes[4 * kMaxRank];
  read_header_bytes(src, dimbytes, static_cast<size_t>(4 * rank), 4, name, "the dimensions");
  uint64_t payload = 1;
  bool overflow = false;
  for (int64_t d = 0; d < rank; ++d) {
    const uint8_t* b = dimbytes + 4 * d;
    const uint64_t v = static_cast<uint64_t>(b[0]) << 24 | static_cast<uint64_t>(b[1]) << 16 |
                       static_cast<uint64_t>(b[2]) << 8 | b[3];
    out.dims[static_cast<size_t>(d)] = static_cast<int64_t>(v);
    // Each dim < 2^32, so the product can overflow only after several dims; stop multiplying once
    // it passes 2^62 (far beyond any file) to keep the arithmetic exact.
    if (!overflow) {
      if (v != 0 && payload > (uint64_t{1} << 62) / v) overflow = true;
      else payload *= v;
    }
  }
  const uint64_t header_len = 4 + 4 * static_cast<uint64_t>(rank);
  const uint64_t room = src.max_remaining();
  if (overflow || payload > room) {
    if (src.gzip())
      detail::throw_error("read_idx: ", name, ": header announces ", dims_str(out.dims), " = ",
                          overflow ? std::string("more than 2^62") : std::to_string(payload),
                          " bytes, more than a ", size, "-byte gzip file can hold (corrupt header or truncated file)");
    detail::throw_error("read_idx: ", name, ": header announces ", dims_str(out.dims), " = ",
                        overflow ? std::string("more than 2^62") : std::to_string(payload), " bytes of data but the file has only ",
                        room, " after its ", header_len, "-byte header (truncated file or corrupt header)");
  }
  if (!src.gzip()) {
    ETA_CHECK(payload == room, "read_idx: ", name, ": header announces ", dims_str(out.dims), " = ", payload,
              " bytes but ", room - payload, " more bytes follow them (", size, "-byte file; wrong dimensions?)");
    out.data.resize(static_cast<size_t>(payload));
    src.read(out.data.data(), out.data.size());
    return out;
  }

  // gzip: the real size is known only by decompressing, so the buffer grows with the bytes that
  // actually arrive (at most doubling), reserving everything at once only when the trailer's
  // ISIZE agrees with the header.
  const size_t want = static_cast<size_t>(payload);
  size_t cap = std::min<size_t>(want, size_t{1} << 20);
  if (static_cast<uint32_t>(header_len + payload) == src.isize_hint()) cap = want;
  size_t have = 0;
  while (have < want) {
    if (out.data.size() == have) out.data.resize(std::min(want, std::max(cap, have * 2)));
    const size_t got = src.read(out.data.data() + have, out.data.size() - have);
    have += got;
    if (got == 0) break;
  }
  ETA_CHECK(have == want, "read_idx: ", name, ": header announces ", dims_str(out.dims), " = ", want,
            " bytes but the decompressed data holds only ", have, " (truncated file)");
  uint8_t extra[64];
  const size_t more = src.read(extra, sizeof extra);
  ETA_CHECK(more == 0, "read_idx: ", name, ": header announces ", dims_str(out.dims), " = ", want,
            " bytes but more bytes follow them after decompression (wrong dimensions?)");
  return out;
}

IdxArray read_idx(const std::string& path, int64_t expected_rank) {
  const std::vector<uint8_t> bytes = io::read_file_bytes(path, "read_idx");
  return parse_idx(bytes.data(), bytes.size(), path, expected_rank);
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  const int64_t rank = array.rank();
  ETA_CHECK(rank >= 1 && rank <= kMaxRank, "write_idx: ", path, ": rank ", rank, " (must be 1 to ", kMaxRank, ")");
  uint64_t n = 1;
  std::vector<uint8_t> bytes = {0, 0, kTypeUint8, static_cast<uint8_t>(rank)};
  for (int64_t d : array.dims) {
    ETA_CHECK(d >= 0 && d <= int64_t{0xFFFFFFFF}, "write_idx: ", path, ": dimension ", d,
              " does not fit IDX's uint32");
    ETA_CHECK(d == 0 || n <= std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d), "write_idx: ", path,
              ": dimensions ", dims_str(array.dims), " overflow");
    n *= static_cast<uint64_t>(d);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(d) >> shift));
  }
  ETA_CHECK(n == array.data.size(), "write_idx: ", path, ": dimensions ", dims_str(array.dims), " need ", n,
            " bytes but data holds ", array.data.size());
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());

  io::AtomicFile file(path, "write_idx");
  if (!gzip) {
    file.write(bytes.data(), bytes.size());
  } else {
    z_stream zs{};
    ETA_CHECK(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
              "write_idx: ", path, ": zlib could not start");
    std::vector<uint8_t> out(1 << 16);
    size_t pos = 0;
    int r = Z_OK;
    while (r != Z_STREAM_END) {
      const size_t in_now = std::min<size_t>(bytes.size() - pos, UINT_MAX);
      zs.next_in = bytes.data() + pos;
      zs.avail_in = static_cast<uInt>(in_now);
      zs.next_out = out.data();
      zs.avail_out = static_cast<uInt>(out.size());
      r = deflate(&zs, pos + in_now == bytes.size() ? Z_FINISH : Z_NO_FLUSH);
      pos += in_now - zs.avail_in;
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
        deflateEnd(&zs);
        detail::throw_error("write_idx: ", path, ": zlib compression failed (", r, ")");
      }
      try {
        file.write(out.data(), out.size() - zs.avail_out);
      } catch (...) {
        deflateEnd(&zs);
        throw;
      }
    }
    deflateEnd(&zs);
  }
  file.commit();
}

}  // namespace eta::data
