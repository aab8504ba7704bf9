// POSIX implementation of the atomic writer.
#include "eta/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "eta/error.h"

namespace eta::io {

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

void write_file_atomically(const std::string& path, std::string_view bytes, const char* op) {
  AtomicFile file(path, op);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace eta::io
