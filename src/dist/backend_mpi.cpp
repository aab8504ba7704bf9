// The MPI backend (Open MPI or MPICH, MPI-3). Only the main thread calls MPI, outside OpenMP
// regions: MPI_THREAD_FUNNELED is requested and checked.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <unistd.h>

#include "dist/backend.h"
#include "eta/error.h"

namespace eta::dist::backend {

namespace {

bool g_initialised = false;
int g_rank = 0, g_size = 1, g_local_rank = 0, g_local_size = 1, g_provided = 0;

// A launcher sets one of these in every process it starts; a program run by hand is one process
// and needs no MPI at all (and no singleton start-up).
bool launched_by_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v)) return true;
  return false;
}

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(code, text, &len);
  detail::throw_error("dist: ", what, " failed: ", text);
}

MPI_Datatype mpi_type(DType d) {
  switch (d) {
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Int64: return MPI_INT64_T;
  }
  return MPI_BYTE;
}

template <class T>
void combine_in_rank_order(const T* received, int64_t chunk, int world, train::ReduceOp op, T* out) {
  for (int64_t i = 0; i < chunk; ++i) {
    T acc = received[i];
    for (int r = 1; r < world; ++r) {
      const T v = received[r * chunk + i];
      acc = op == train::ReduceOp::Sum ? acc + v : std::max(acc, v);
    }
    out[i] = acc;
  }
}

}  // namespace

void init(int* argc, char*** argv) {
  if (g_initialised || !launched_by_launcher()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &g_provided), "MPI_Init_thread");
  else MPI_Query_thread(&g_provided);
  if (g_provided < MPI_THREAD_FUNNELED)
    std::fprintf(stderr, "warning: eta.dist: the MPI library provides thread level %d, below FUNNELED: OpenMP "
                 "threads beside MPI may misbehave\n", g_provided);
  g_initialised = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm local;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &local),
        "MPI_Comm_split_type");
  MPI_Comm_rank(local, &g_local_rank);
  MPI_Comm_size(local, &g_local_size);
  MPI_Comm_free(&local);
}

void finalize() {
  if (!g_initialised) return;
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
  g_initialised = false;
}

bool initialised() { return g_initialised; }
int rank() { return g_rank; }
int size() { return g_size; }
int local_rank() { return g_local_rank; }
int local_size() { return g_local_size; }

std::string describe() {
  if (!g_initialised) return "MPI not started (one process; launch with mpirun for more)";
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(version, &len);
  std::string v(version, static_cast<size_t>(len));
  v = v.substr(0, v.find_first_of(",\n"));
  const char* level = g_provided >= MPI_THREAD_MULTIPLE     ? "multiple"
                      : g_provided >= MPI_THREAD_SERIALIZED ? "serialized"
                      : g_provided >= MPI_THREAD_FUNNELED   ? "funneled"
                                                            : "single";
  return v + ", thread level " + level;
}

std::string host_name() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  if (g_initialised) MPI_Get_processor_name(name, &len);
  else gethostname(name, sizeof name - 1);
  return name;
}

void reduce_ordered(void* data, int64_t count, DType dtype, train::ReduceOp op) {
  if (!g_initialised || g_size == 1 || count == 0) return;
  ETA_CHECK(count < (int64_t{1} << 31), "dist: a reduction of ", count, " elements is over MPI's int count limit");
  const int W = g_size;
  // Reused across calls (a reduction runs every training step): no allocation once warmed up.
  static std::vector<int> counts, displs, recv_counts, recv_displs;
  static std::vector<char> received;
  counts.resize(static_cast<size_t>(W));
  displs.resize(static_cast<size_t>(W));
  for (int c = 0; c < W; ++c) {
    displs[static_cast<size_t>(c)] = static_cast<int>(count * c / W);
    counts[static_cast<size_t>(c)] = static_cast<int>(count * (c + 1) / W) - displs[static_cast<size_t>(c)];
  }
  const int mine = counts[static_cast<size_t>(g_rank)];
  const size_t elem = dtype_size(dtype);
  received.resize(static_cast<size_t>(mine) * static_cast<size_t>(W) * elem);
  recv_counts.assign(static_cast<size_t>(W), mine);
  recv_displs.resize(static_cast<size_t>(W));
  for (int r = 0; r < W; ++r) recv_displs[static_cast<size_t>(r)] = r * mine;
  const MPI_Datatype type = mpi_type(dtype);
  check(MPI_Alltoallv(data, counts.data(), displs.data(), type, received.data(), recv_counts.data(),
                      recv_displs.data(), type, MPI_COMM_WORLD),
        "MPI_Alltoallv (reduce-scatter)");
  char* own = static_cast<char*>(data) + static_cast<size_t>(displs[static_cast<size_t>(g_rank)]) * elem;
  switch (dtype) {
    case DType::Float32:
      combine_in_rank_order(reinterpret_cast<const float*>(received.data()), mine, W, op, reinterpret_cast<float*>(own));
      break;
    case DType::Float64:
      combine_in_rank_order(reinterpret_cast<const double*>(received.data()), mine, W, op, reinterpret_cast<double*>(own));
      break;
    case DType::Int64:
      combine_in_rank_order(reinterpret_cast<const int64_t*>(received.data()), mine, W, op,
                            reinterpret_cast<int64_t*>(own));
      break;
  }
  check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displs.data(), type, MPI_COMM_WORLD),
        "MPI_Allgatherv");
}

void broadcast(void* data, int64_t bytes, int root) {
  if (!g_initialised || g_size == 1) return;
  auto* p = static_cast<char*>(data);
  for (int64_t done = 0; done < bytes;) {  // MPI counts are int: large buffers go in pieces
    const int piece = static_cast<int>(std::min<int64_t>(bytes - done, int64_t{1} << 30));
    check(MPI_Bcast(p + done, piece, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
    done += piece;
  }
}

void all_gather(const void* in, int64_t bytes, void* out) {
  if (!g_initialised || g_size == 1) {
    std::copy_n(static_cast<const char*>(in), bytes, static_cast<char*>(out));
    return;
  }
  ETA_CHECK(bytes < (int64_t{1} << 31), "dist: an all-gather of ", bytes, " bytes per rank is over MPI's limit");
  check(MPI_Allgather(in, static_cast<int>(bytes), MPI_BYTE, out, static_cast<int>(bytes), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Allgather");
}

void barrier() {
  if (g_initialised && g_size > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void abort(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (g_initialised) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace eta::dist::backend
