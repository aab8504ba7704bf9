// The one way eta writes a file: atomically (a temporary file in the same directory, fsync,
// rename, fsync of the directory), so a crash or an error never leaves a half-written file.
// safetensors, checkpoints, IDX and CIFAR-10 files, metrics CSV/JSON, SVG plots and the examples'
// CSV files all go through it. (Telemetry, which appends line by line, is the exception.)
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace eta::io {

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

// Writes `bytes` to `path` through an AtomicFile; `op` prefixes error messages.
void write_file_atomically(const std::string& path, std::string_view bytes, const char* op = "write_file_atomically");

}  // namespace eta::io
