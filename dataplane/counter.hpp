#pragma once
// Counter: a single-writer 64-bit counter that another thread may read at any time.
// The writer (one lcore) increments with a relaxed load + store: a plain `add` on x86, no lock
// prefix, no contention. Readers (the control plane, on scrape) load relaxed.

#include <atomic>
#include <cstdint>

namespace rv::dataplane {

class Counter {
 public:
  // Writer side: only the owning thread may call add()/set().
  void add(uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(uint64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  // Reader side: any thread.
  uint64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};  // dp: wo (owner lcore), cp: ro
};

}  // namespace rv::dataplane
