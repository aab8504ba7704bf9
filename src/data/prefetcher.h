// Prefetcher: background threads that assemble a DataLoader's next batches while the caller trains
// on the current one. A batch is a pure function of (order, epoch, index), so which thread made it
// and when cannot change a bit of it; the prefetcher only decides when work happens. Private to
// data/.
#pragma once
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "eta/data/data_loader.h"

namespace eta::data {

class Prefetcher {
 public:
  using Order = std::shared_ptr<const std::vector<int64_t>>;
  using Make = std::function<Batch(const std::vector<int64_t>& order, int64_t epoch, int64_t index)>;

  // `workers` threads keep up to `depth` batches in flight.
  Prefetcher(int64_t workers, int64_t depth, Make make);
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // Batch `index` of `epoch` (whose sample order is `order`), after asking for the batches after it
  // up to `index + depth` (below `limit`). Rethrows what assembling it threw. Batches of other
  // epochs or positions still in flight are dropped, so jumping (set_epoch, load_state) is safe.
  Batch take(const Order& order, int64_t epoch, int64_t index, int64_t limit);

 private:
  struct Key {
    int64_t epoch, index;
    auto operator<=>(const Key&) const = default;
  };
  struct Job {
    Key key;
    Order order;
  };
  struct Slot {
    bool done = false;
    Batch batch;
    std::exception_ptr error;
  };

  void work();
  void drop_outside(Key first, Key last);

  Make make_;
  int64_t depth_;
  std::mutex mutex_;
  std::condition_variable work_ready_, batch_done_;
  std::deque<Job> queue_;
  std::map<Key, Slot> slots_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace eta::data
