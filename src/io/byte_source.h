// Where a reader's bytes come from — one byte source for every format reader (IDX, CSV, CIFAR-10,
// safetensors): a file or memory with random access (ByteSource), the whole file at once
// (read_file_bytes), and a sequential stream over in-memory bytes that gunzips them when they
// start with the gzip magic 1f 8b, whatever the name (ByteStream, gunzip_all). Errors name the
// operation and the file. Decompression only; writers call zlib directly. Private to src/.
#pragma once
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eta::io {

// Random access to a file's bytes, from memory or through pread on an open file.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at `offset` or throws; callers check offset + n <= size().
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;
};

// Bytes already in memory; keeps a pointer to them, which must outlive it.
class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  uint64_t size() const override { return n_; }
  void read(uint64_t offset, void* dst, size_t n) const override;

 private:
  const uint8_t* p_;
  size_t n_;
};

// An open regular file. `op` prefixes error messages ("read_idx", "load_safetensors"):
// "<op>: cannot open <path>: <why>", "<op>: <path> is a directory, not a regular file".
class FileSource : public ByteSource {
 public:
  FileSource(const std::string& path, const char* op);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override;

 private:
  std::string path_;
  const char* op_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The whole file as bytes (a FileSource read from start to end).
std::vector<uint8_t> read_file_bytes(const std::string& path, const char* op);

bool is_gzip(const uint8_t* bytes, size_t size);

// A byte stream over an in-memory file: the bytes themselves, or their gzip decompression
// (concatenated members read as one stream, as gunzip does). Errors are eta::Error
// "<op>: <name>: ..." (truncated stream, corrupt data, garbage after the stream). Keeps pointers
// to `bytes`, which must outlive it.
class ByteStream {
 public:
  ByteStream(const uint8_t* bytes, size_t size, std::string name, std::string op);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;
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
