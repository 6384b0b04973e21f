#pragma once
// RelaxedCounter: a single-writer 64-bit counter that another thread may read at any time.
// The owner (one lcore) increments with a relaxed load + store: a plain add on x86, no lock
// prefix. Readers (the control plane, on scrape) load relaxed and may see a slightly old value.

#include <atomic>
#include <cstdint>

namespace rv::planes::signaling {

class RelaxedCounter {
 public:
  // Writer side: only the owning thread calls add()/set().
  void add(uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(uint64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  // Reader side: any thread.
  uint64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};  // dp: wo (owner lcore), cp: ro
};

static_assert(std::atomic<uint64_t>::is_always_lock_free);

}  // namespace rv::planes::signaling
