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
  // Runs once on the owning lcore after the loop's last pass (nothing more will arrive): give
  // back what is held and count it. The default does nothing.
  virtual void on_stop() noexcept {}
};

}  // namespace rv::dataplane
