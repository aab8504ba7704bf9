// POSIX implementation of the private file helpers: whole-file reads and atomic writes.
#include "io/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "eta/error.h"

namespace eta::io::fileutil {

namespace {

std::string errno_text() { return std::strerror(errno); }

// The directory holding `path`, for the fsync that makes the rename itself durable.
std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, const char* op) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ETA_CHECK(fd >= 0, op, ": cannot open ", path, ": ", errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool is_dir = S_ISDIR(st.st_mode);
    ::close(fd);
    ETA_CHECK(false, op, ": ", path, is_dir ? " is a directory, not a file" : " is not a regular file");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? errno_text() : "the file shrank while it was read";
      ::close(fd);
      ETA_CHECK(false, op, ": cannot read ", path, ": ", why);
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

AtomicFile::AtomicFile(const std::string& path, const char* op) : path_(path), op_(op) {
  // pid + a process-wide counter: concurrent writers (threads or processes) never share a name.
  static std::atomic<uint64_t> counter{0};
  tmp_ = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  ETA_CHECK(fd_ >= 0, op_, ": cannot create ", tmp_, " (to write ", path_, "): ", errno_text());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    ETA_CHECK(n > 0, op_, ": cannot write ", tmp_, ": ", errno_text());
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::commit() {
  ETA_CHECK(::fsync(fd_) == 0, op_, ": cannot flush ", tmp_, " to disk: ", errno_text());
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) {
    const std::string why = errno_text();
    ::unlink(tmp_.c_str());
    ETA_CHECK(false, op_, ": cannot close ", tmp_, ": ", why);
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp_.c_str());
    ETA_CHECK(false, op_, ": cannot rename ", tmp_, " to ", path_, ": ", why);
  }
  // Without this the rename may not survive a power loss; failure here is not worth an error
  // (some file systems refuse fsync on directories), the data itself is already on disk.
  const int dir = ::open(parent_dir(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace eta::io::fileutil
