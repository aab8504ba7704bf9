// The watchdog thread behind ETA_DIST_TIMEOUT (see watchdog.h).
#include "dist/watchdog.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "dist/backend.h"
#include "eta/error.h"
#include "eta/util/parse.h"

namespace eta::dist::watch {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<const char*> g_name{nullptr};
std::atomic<int64_t> g_count{0}, g_started_ns{0}, g_step{0};
std::thread g_thread;
std::mutex g_mutex;
std::condition_variable g_wake;
bool g_stopping = false;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

void watch(double timeout) {
  std::unique_lock<std::mutex> lock(g_mutex);
  while (!g_wake.wait_for(lock, std::chrono::milliseconds(100), [] { return g_stopping; })) {
    const int64_t started = g_started_ns.load();
    if (started == 0 || static_cast<double>(now_ns() - started) * 1e-9 < timeout) continue;
    std::fprintf(stderr,
                 "[rank %d/%d] eta.dist: timeout: waited over %g s (ETA_DIST_TIMEOUT) in %s of %ld elements at step "
                 "%ld; another rank is stuck or never called it. Ending the job.\n",
                 backend::rank(), backend::size(), timeout, g_name.load(), static_cast<long>(g_count.load()),
                 static_cast<long>(g_step.load()));
    std::fflush(stderr);
    std::_Exit(124);  // not MPI_Abort: only the main thread may call MPI (FUNNELED); mpirun ends the job
  }
}

}  // namespace

void start_if_asked() {
  const char* text = std::getenv("ETA_DIST_TIMEOUT");
  if (!text || !*text || g_thread.joinable()) return;
  const double timeout = util::parse_double("ETA_DIST_TIMEOUT", text);
  ETA_CHECK(timeout > 0, "ETA_DIST_TIMEOUT must be a positive number of seconds, got ", text);
  g_stopping = false;
  g_thread = std::thread(watch, timeout);
}

void stop() {
  if (!g_thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_stopping = true;
  }
  g_wake.notify_all();
  g_thread.join();
}

void set_step(int64_t step) { g_step = step; }
int64_t step() { return g_step.load(); }

bool debug_calls() {  // read each time (a few ns), so a program or test may switch it
  const char* v = std::getenv("ETA_DIST_DEBUG");
  return v && *v && std::string(v) != "0";
}

Pending::Pending(const char* name, int64_t count) {
  g_name = name;
  g_count = count;
  g_started_ns = now_ns();
}

Pending::~Pending() { g_started_ns = 0; }

}  // namespace eta::dist::watch
