// Private file helpers shared by io/ and data/: read a whole file with errors that name it, and
// write a file atomically (temporary file in the same directory, fsync, rename). Not public API.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eta::io::fileutil {

// The whole file as bytes. `op` prefixes error messages ("read_idx", "load_safetensors").
std::vector<uint8_t> read_file_bytes(const std::string& path, const char* op);

// A file that appears under its final name only once commit() succeeds: writes go to
// "<path>.tmp.<pid>.<n>" in the same directory (so rename is atomic on one file system), commit()
// fsyncs it, renames it over `path` and fsyncs the directory. Destroyed uncommitted, the temporary
// file is removed, so an error or a crash mid-write never leaves a half-written file at `path`.
class AtomicFile {
 public:
  AtomicFile(const std::string& path, const char* op);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void commit();

 private:
  std::string path_, tmp_;
  const char* op_;
  int fd_ = -1;
};

}  // namespace eta::io::fileutil
