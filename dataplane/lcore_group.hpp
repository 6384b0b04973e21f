#pragma once
// LcoreGroup: launches one LcoreLoop per worker lcore with rte_eal_remote_launch, stops them
// together (the StopGroup protocol of lcore_loop.hpp) and joins them. Control-plane only: the
// loops themselves never block.

#include <vector>

#include "dataplane/lcore_loop.hpp"
#include "events/error.hpp"

namespace rv::dataplane {

class LcoreGroup {
 public:
  LcoreGroup() = default;
  LcoreGroup(const LcoreGroup&) = delete;
  LcoreGroup& operator=(const LcoreGroup&) = delete;
  ~LcoreGroup() { request_stop(); wait(); }

  // Launches every loop on its own lcore. On failure, the loops already launched are stopped and
  // joined before the error returns. Call once.
  Result<void> launch(const std::vector<LcoreLoop*>& loops);
  // Asks every loop to drain and return (does not wait).
  void request_stop() noexcept { group_.stop.store(true, std::memory_order_release); }
  // Joins the launched loops; idempotent.
  void wait() noexcept;
  bool running() const noexcept { return launched_ != 0 && !joined_; }

 private:
  std::vector<LcoreLoop::LaunchArgs> args_;
  LcoreLoop::StopGroup group_;
  unsigned launched_ = 0;
  bool joined_ = false;
};

}  // namespace rv::dataplane
