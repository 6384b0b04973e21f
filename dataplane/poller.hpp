#pragma once
// Poller: one step of an lcore loop (Seastar pollfn, SPDK poller). poll() does a bounded amount
// of work and returns how much it did, so the loop can account busy and idle cycles.

#include <cstdint>

namespace rv::dataplane {

class Poller {
 public:
  virtual ~Poller() = default;
  // Runs on the owning lcore only. noexcept, allocation-free, lock-free.
  // Returns the number of items handled (packets, events, timers); 0 means idle.
  virtual uint32_t poll(uint64_t now_tsc) noexcept = 0;
};

}  // namespace rv::dataplane
