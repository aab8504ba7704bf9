// Context: joins the job, picks this process's threads, reports the layout, and turns an
// exception on any rank into the end of the whole job.
#include "eta/dist/context.h"

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <vector>

#include "dist/backend.h"
#include "dist/watchdog.h"
#include "eta/dist/collectives.h"
#include "eta/threads.h"

namespace eta::dist {

namespace {

int g_contexts = 0;

std::vector<int> bound_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

// "0-3,6": the CPUs a process may run on.
std::string cpu_ranges(const std::vector<int>& cpus) {
  std::ostringstream out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out << (i ? "," : "") << cpus[i];
    if (j > i) out << "-" << cpus[j];
    i = j + 1;
  }
  return out.str();
}

// Several processes on one host share its cores: without OMP_NUM_THREADS each takes its share,
// never more than the CPUs it is bound to.
void default_threads() {
  if (std::getenv("OMP_NUM_THREADS") || backend::local_size() <= 1) return;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const long bound = static_cast<long>(bound_cpus().size());
  long share = std::max<long>(1, cores / backend::local_size());
  if (bound > 0) share = std::min(share, bound);
  set_num_threads(static_cast<int>(share));
}

void terminate_job() {
  std::string what = "terminate called without an active exception";
  if (const auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
      what = "unknown exception";
    }
  }
  abort_job("uncaught exception: " + what);
}

// A program that calls exit() (e.g. after printing --help on every rank) still leaves MPI properly,
// so mpirun does not report the ranks as failed.
void finalize_at_exit() {
  watch::stop();
  backend::finalize();
}

}  // namespace

Context::Context(int* argc, char*** argv) {
  if (g_contexts++ > 0) return;  // a second Context shares the first one's job
  backend::init(argc, argv);
  if (backend::initialised()) std::atexit(finalize_at_exit);
  if (backend::size() > 1) std::set_terminate(terminate_job);
  default_threads();
  watch::start_if_asked();
}

Context::~Context() {
  if (--g_contexts > 0) return;
  watch::stop();
  if (backend::initialised()) {
    try {
      barrier();
    } catch (...) {
    }
    backend::finalize();
  }
}

int64_t Context::rank() const { return backend::rank(); }
int64_t Context::world_size() const { return backend::size(); }
int64_t Context::local_rank() const { return backend::local_rank(); }
int64_t Context::local_size() const { return backend::local_size(); }

std::string Context::report() const { return dist::report(); }

std::string report() {
  const std::vector<int> cpus = bound_cpus();
  const int threads = get_num_threads();
  std::ostringstream mine;
  mine << "host " << backend::host_name() << ", " << threads << (threads == 1 ? " thread" : " threads") << ", CPUs "
       << cpu_ranges(cpus);
  if (threads > static_cast<int>(cpus.size()) && !cpus.empty())
    mine << " (more threads than CPUs: launch with --bind-to none or --map-by slot:PE=" << threads << ")";
  const std::vector<std::string> all = all_gather(mine.str());
  std::ostringstream out;
  out << "eta.dist: " << backend::size() << (backend::size() == 1 ? " process" : " processes") << " (" << backend::describe()
      << ")\n";
  for (size_t r = 0; r < all.size(); ++r) out << "  rank " << r << ": " << all[r] << "\n";
  return out.str();
}

int64_t rank() { return backend::rank(); }
int64_t world_size() { return backend::size(); }
bool is_main() { return backend::rank() == 0; }

bool built_with_mpi() {
#ifdef ETA_WITH_MPI
  return true;
#else
  return false;
#endif
}

void abort_job(const std::string& message, int code) {
  std::fprintf(stderr, "[rank %d/%d] %s\n", backend::rank(), backend::size(), message.c_str());
  backend::abort(code);
}

int run_main(const char* program, int* argc, char*** argv, const std::function<int()>& body) {
  Context context(argc, argv);
  try {
    return body();
  } catch (const std::exception& e) {
    if (backend::size() > 1) abort_job(std::string(program) + ": " + e.what());
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace eta::dist
