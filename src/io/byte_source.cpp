// The byte source: files read with pread, memory, and ByteStream / gunzip_all (zlib's inflate on
// in-memory buffers, with bounded allocation). Errors name the operation and the file.
#include "io/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "eta/error.h"

namespace eta::io {

void MemorySource::read(uint64_t offset, void* dst, size_t n) const {
  if (n) std::memcpy(dst, p_ + offset, n);
}

FileSource::FileSource(const std::string& path, const char* op) : path_(path), op_(op) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ETA_CHECK(fd_ >= 0, op, ": cannot open ", path, ": ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool is_dir = S_ISDIR(st.st_mode);
    ::close(fd_);
    detail::throw_error(op, ": ", path, is_dir ? " is a directory, not a regular file" : " is not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() { ::close(fd_); }

void FileSource::read(uint64_t offset, void* dst, size_t n) const {
  auto* p = static_cast<uint8_t*>(dst);
  while (n > 0) {
    const ssize_t got = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    ETA_CHECK(got > 0, op_, ": cannot read ", path_, ": ", got < 0 ? std::strerror(errno) : "the file shrank while it was read");
    p += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const char* op) {
  const FileSource file(path, op);
  std::vector<uint8_t> bytes(static_cast<size_t>(file.size()));
  file.read(0, bytes.data(), bytes.size());
  return bytes;
}

bool is_gzip(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

ByteStream::ByteStream(const uint8_t* bytes, size_t size, std::string name, std::string op)
    : bytes_(bytes), size_(size), name_(std::move(name)), op_(std::move(op)), gzip_(is_gzip(bytes, size)) {
  if (gzip_) {
    // 15 + 16: the largest window, gzip wrapper (not zlib's).
    ETA_CHECK(inflateInit2(&zs_, 15 + 16) == Z_OK, op_, ": ", name_, ": zlib could not start");
    zs_live_ = true;
  }
}

ByteStream::~ByteStream() {
  if (zs_live_) inflateEnd(&zs_);
}

size_t ByteStream::read(uint8_t* dst, size_t n) { return gzip_ ? inflate_some(dst, n) : copy_some(dst, n); }

uint64_t ByteStream::max_remaining() const {
  if (!gzip_) return size_ - pos_;
  return static_cast<uint64_t>(size_) * kMaxDeflateRatio + 65536;
}

uint32_t ByteStream::isize_hint() const {
  if (!gzip_ || size_ < 18) return 0;
  const uint8_t* t = bytes_ + size_ - 4;
  return static_cast<uint32_t>(t[0]) | static_cast<uint32_t>(t[1]) << 8 | static_cast<uint32_t>(t[2]) << 16 |
         static_cast<uint32_t>(t[3]) << 24;
}

size_t ByteStream::copy_some(uint8_t* dst, size_t n) {
  const size_t k = std::min(n, size_ - pos_);
  if (k) std::memcpy(dst, bytes_ + pos_, k);
  pos_ += k;
  return k;
}

void ByteStream::after_stream_end() {
  if (pos_ == size_) {
    finished_ = true;
  } else if (is_gzip(bytes_ + pos_, size_ - pos_)) {
    inflateReset(&zs_);  // concatenated gzip members form one stream, as gunzip reads them
  } else {
    detail::throw_error(op_, ": ", name_, ": ", size_ - pos_, " bytes of garbage after the end of the gzip stream");
  }
}

size_t ByteStream::inflate_some(uint8_t* dst, size_t n) {
  size_t got = 0;
  while (got < n && !finished_) {
    const size_t in_now = std::min<size_t>(size_ - pos_, UINT_MAX);
    const size_t out_now = std::min<size_t>(n - got, UINT_MAX);
    // zlib's API takes a non-const input pointer but never writes through it.
    zs_.next_in = const_cast<Bytef*>(bytes_ + pos_);
    zs_.avail_in = static_cast<uInt>(in_now);
    zs_.next_out = dst + got;
    zs_.avail_out = static_cast<uInt>(out_now);
    const int r = inflate(&zs_, Z_NO_FLUSH);
    pos_ += in_now - zs_.avail_in;
    got += out_now - zs_.avail_out;
    if (r == Z_STREAM_END) {
      after_stream_end();
    } else if (r == Z_BUF_ERROR || (r == Z_OK && pos_ == size_ && zs_.avail_out > 0)) {
      // No progress possible: all input was consumed before the stream's end.
      ETA_CHECK(pos_ < size_, op_, ": ", name_, ": the gzip stream is truncated (", size_,
                " compressed bytes end mid-stream)");
      detail::throw_error(op_, ": ", name_, ": corrupt gzip data (zlib made no progress)");
    } else if (r != Z_OK) {
      detail::throw_error(op_, ": ", name_, ": corrupt gzip data (zlib: ", zs_.msg ? zs_.msg : "error ",
                          zs_.msg ? "" : std::to_string(r), ")");
    }
  }
  return got;
}

std::vector<uint8_t> gunzip_all(const uint8_t* bytes, size_t size, const std::string& name, const std::string& op) {
  if (!is_gzip(bytes, size)) return std::vector<uint8_t>(bytes, bytes + size);
  ByteStream src(bytes, size, name, op);
  // Start from the trailer's size hint, capped by what the file can hold at all (a corrupt hint
  // must not allocate gigabytes); grow by doubling as bytes really arrive.
  const uint64_t bound = src.max_remaining();
  uint64_t first = src.isize_hint() ? src.isize_hint() : uint64_t{1} << 16;
  first = std::min<uint64_t>(std::min<uint64_t>(first, bound), uint64_t{1} << 30);
  std::vector<uint8_t> out(static_cast<size_t>(std::max<uint64_t>(first, 1024)));
  size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(out.size() * 2);
    const size_t got = src.read(out.data() + have, out.size() - have);
    have += got;
    if (got == 0) break;
  }
  out.resize(have);
  return out;
}

}  // namespace eta::io
