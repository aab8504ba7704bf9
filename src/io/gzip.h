// Reading a file's bytes gunzipped when they start with the gzip magic 1f 8b, whatever its name:
// a stream over an in-memory file (for readers that check sizes as they go, as the IDX reader does)
// and the whole content at once (for the CSV reader; pair it with fileutil::read_file_bytes). Decompression only; writers call zlib directly.
// Private to src/ (not public API).
#pragma once
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eta::io {

bool is_gzip(const uint8_t* bytes, size_t size);

// A byte stream over an in-memory file: the bytes themselves, or their gzip decompression
// (concatenated members read as one stream, as gunzip does). Errors are eta::Error
// "<op>: <name>: ..." (truncated stream, corrupt data, garbage after the stream). Keeps pointers
// to `bytes`, which must outlive it.
class GunzipStream {
 public:
  GunzipStream(const uint8_t* bytes, size_t size, std::string name, std::string op);
  ~GunzipStream();
  GunzipStream(const GunzipStream&) = delete;
  GunzipStream& operator=(const GunzipStream&) = delete;

  bool gzip() const { return gzip_; }
  // Reads up to n bytes; fewer only at the end of the data.
  size_t read(uint8_t* dst, size_t n);
  // Bytes the rest of the stream can hold at most: exact for raw files, deflate's bound for gzip.
  uint64_t max_remaining() const;
  // The gzip trailer's ISIZE (uncompressed size mod 2^32 of the last member): a hint for
  // reserving memory, never trusted for correctness; 0 for raw files.
  uint32_t isize_hint() const;

 private:
  size_t copy_some(uint8_t* dst, size_t n);
  size_t inflate_some(uint8_t* dst, size_t n);
  void after_stream_end();

  const uint8_t* bytes_;
  size_t size_;
  size_t pos_ = 0;
  std::string name_, op_;
  bool gzip_;
  bool finished_ = false;
  bool zs_live_ = false;
  z_stream zs_{};
};

// Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes never holds
// more than this times n (plus a little): sizes announced beyond it are corrupt.
inline constexpr uint64_t kMaxDeflateRatio = 1032;

// The whole content of an in-memory file, gunzipped if it is gzip. The buffer grows only with the
// bytes that really arrive (doubling), so memory stays within a small multiple of the output.
std::vector<uint8_t> gunzip_all(const uint8_t* bytes, size_t size, const std::string& name, const std::string& op);

}  // namespace eta::io
