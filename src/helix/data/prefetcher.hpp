// Produces items 0, 1, 2, ... on worker threads and hands them out in order. Item k is made by
// make(k, worker) and must depend only on k (each batch seeds its own RNG from k), so the
// sequence is identical for any number of workers and a run can resume at any index.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace helix::data {

template <typename T>
class OrderedPrefetcher {
 public:
  using Maker = std::function<T(int64_t index, int worker)>;

  OrderedPrefetcher(Maker make, int workers, int64_t depth, int64_t first_index = 0)
      : make_(std::move(make)),
        depth_(std::max<int64_t>(depth, 1)),
        next_to_make_(first_index),
        next_to_take_(first_index) {
    for (int w = 0; w < std::max(workers, 1); ++w) threads_.emplace_back([this, w] { work(w); });
  }
  ~OrderedPrefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  OrderedPrefetcher(const OrderedPrefetcher&) = delete;
  OrderedPrefetcher& operator=(const OrderedPrefetcher&) = delete;

  // The next item in order; rethrows an exception raised while making it.
  T next() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return ready_.count(next_to_take_) || errors_.count(next_to_take_); });
    if (errors_.count(next_to_take_)) std::rethrow_exception(errors_[next_to_take_]);
    T item = std::move(ready_[next_to_take_]);
    ready_.erase(next_to_take_++);
    cv_.notify_all();
    return item;
  }

 private:
  void work(int worker) {
    for (;;) {
      int64_t index;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return stop_ || next_to_make_ < next_to_take_ + depth_; });
        if (stop_) return;
        index = next_to_make_++;
      }
      try {
        T item = make_(index, worker);
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.emplace(index, std::move(item));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        errors_.emplace(index, std::current_exception());
      }
      cv_.notify_all();
    }
  }

  Maker make_;
  int64_t depth_;
  int64_t next_to_make_;
  int64_t next_to_take_;
  bool stop_ = false;
  std::map<int64_t, T> ready_;
  std::map<int64_t, std::exception_ptr> errors_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

// A 64-bit seed for item `index` of stream `stream` under a run seed (splitmix64 mixing), so
// every batch draws from its own independent, reproducible generator.
uint64_t item_seed(uint64_t run_seed, uint64_t stream, uint64_t index);

}  // namespace helix::data
