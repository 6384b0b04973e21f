#pragma once
// Shard: everything one worker lcore runs — the transport rx poller feeding the planes in-line,
// housekeeping, and the loop itself (DESIGN.md §1: on a small box one lcore runs transport and
// planes in one loop). Built on the control thread, run on its lcore.

#include <atomic>
#include <vector>

#include "config/config.hpp"
#include "dataplane/lcore_loop.hpp"
#include "planes/shard_handler.hpp"
#include "planes/transport/rx_poller.hpp"

namespace rv::planes {

class Shard {
 public:
  Shard(unsigned lcore_id, std::vector<transport::RxQueue> queues, const config::Config& cfg,
        const std::atomic<const transport::ClassifierConfig*>* classifier);

  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  dataplane::LcoreLoop& loop() noexcept { return loop_; }
  const dataplane::LcoreLoop& loop() const noexcept { return loop_; }
  const transport::TransportCounters& transport_counters() const noexcept { return counters_; }
  ShardHandler& handler() noexcept { return handler_; }
  const ShardHandler& handler() const noexcept { return handler_; }

 private:
  // Housekeeping step: picks up config snapshots and runs plane timers.
  class Housekeeping final : public dataplane::Poller {
   public:
    explicit Housekeeping(Shard& s) : shard_(s) {}
    uint32_t poll(uint64_t now_tsc) noexcept override;

   private:
    Shard& shard_;
  };

  transport::TransportCounters counters_;
  ShardHandler handler_;
  transport::RxPoller<ShardHandler> rx_;
  Housekeeping housekeeping_;
  dataplane::LcoreLoop loop_;
};

}  // namespace rv::planes
