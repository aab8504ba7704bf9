// Prefetcher: a job queue of batch keys, a map of finished (or pending) slots, and worker threads.
#include "prefetcher.h"

#include <algorithm>

namespace eta::data {

Prefetcher::Prefetcher(int64_t workers, int64_t depth, Make make) : make_(std::move(make)), depth_(depth) {
  for (int64_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    queue_.clear();
  }
  work_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void Prefetcher::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Batch batch;
    std::exception_ptr error;
    try {
      batch = make_(*job.order, job.key.epoch, job.key.index);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto it = slots_.find(job.key);
      // A slot dropped meanwhile (the caller jumped elsewhere) or already filled is left alone.
      if (it != slots_.end() && !it->second.done) {
        it->second.done = true;
        it->second.batch = std::move(batch);
        it->second.error = error;
      }
    }
    batch_done_.notify_all();
  }
}

void Prefetcher::drop_outside(Key first, Key last) {
  const auto outside = [&](const Key& k) { return k < first || !(k < last); };
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const Job& j) { return outside(j.key); }), queue_.end());
  for (auto it = slots_.begin(); it != slots_.end();) it = outside(it->first) ? slots_.erase(it) : std::next(it);
}

Batch Prefetcher::take(const Order& order, int64_t epoch, int64_t index, int64_t limit) {
  const Key want{epoch, index};
  const int64_t end = std::min(limit, index + std::max<int64_t>(depth_, 1));
  std::unique_lock<std::mutex> lock(mutex_);
  drop_outside(want, Key{epoch, end});
  bool queued = false;
  for (int64_t i = index; i < end; ++i) {
    const Key k{epoch, i};
    if (slots_.count(k)) continue;
    slots_.emplace(k, Slot{});
    queue_.push_back({k, order});
    queued = true;
  }
  if (queued) work_ready_.notify_all();
  batch_done_.wait(lock, [&] { return slots_.at(want).done; });
  Slot slot = std::move(slots_.at(want));
  slots_.erase(want);
  lock.unlock();
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

}  // namespace eta::data
