#pragma once
// Shard: everything one worker lcore runs — the transport rx poller feeding the planes in-line,
// housekeeping, and the loop itself (DESIGN.md §1: on a small box one lcore runs transport and
// planes in one loop). Built on the control thread, run on its lcore.

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "dataplane/lcore_loop.hpp"
#include "dataplane/notice.hpp"
#include "dataplane/reassembly.hpp"
#include "planes/shard_handler.hpp"
#include "planes/transport/classifier_slot.hpp"
#include "planes/transport/rx_poller.hpp"

namespace rv::planes {

class Shard {
 public:
  // `reassembler` may be null (fragments are then counted, not inspected).
  Shard(unsigned lcore_id, unsigned shard_index, unsigned shard_count,
        std::vector<transport::RxQueue> queues, const config::Config& cfg,
        transport::ClassifierSlot* classifier,
        std::unique_ptr<dataplane::Reassembler> reassembler);

  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  dataplane::LcoreLoop& loop() noexcept { return loop_; }
  const dataplane::LcoreLoop& loop() const noexcept { return loop_; }
  const transport::TransportCounters& transport_counters() const noexcept { return counters_; }
  ShardHandler& handler() noexcept { return handler_; }
  const ShardHandler& handler() const noexcept { return handler_; }
  const dataplane::Reassembler* reassembler() const noexcept { return reassembler_.get(); }

 private:
  // Drain step: events other shards sent here (steered packets, SDP endpoints).
  class FabricDrain final : public dataplane::Poller {
   public:
    FabricDrain(ShardHandler& h, uint32_t budget) : handler_(h), budget_(budget) {}
    uint32_t poll(uint64_t) noexcept override { return handler_.poll_fabric(budget_); }

   private:
    ShardHandler& handler_;
    uint32_t budget_;
  };

  // Housekeeping step: picks up config snapshots (then reports a quiescent state, so the
  // control plane may reclaim older ones) and runs plane timers.
  class Housekeeping final : public dataplane::Poller {
   public:
    explicit Housekeeping(Shard& s) : shard_(s) {}
    uint32_t poll(uint64_t now_tsc) noexcept override;
    void on_stop() noexcept override;

   private:
    // Sends a dataplane.notice with what was dropped since the last one, at most once a second.
    void report_drops(uint64_t now_tsc) noexcept;

    Shard& shard_;
    uint64_t next_report_tsc_ = 0;
    std::array<uint64_t, dataplane::kNoticeDropCount> reported_{};  // totals at the last notice
  };

  // Finish step (end of run): every call and stream still tracked leaves as its final event.
  class Finisher final : public dataplane::Poller {
   public:
    explicit Finisher(Shard& s) : shard_(s) {}
    uint32_t poll(uint64_t now_tsc) noexcept override;

   private:
    Shard& shard_;
  };

  std::array<uint64_t, dataplane::kNoticeDropCount> drop_totals() const noexcept;

  transport::ClassifierSlot* classifier_;  // shared; this shard reads it as reader shard_index
  transport::TransportCounters counters_;
  std::unique_ptr<dataplane::Reassembler> reassembler_;
  ShardHandler handler_;
  transport::RxPoller<ShardHandler> rx_;
  FabricDrain drain_;
  Housekeeping housekeeping_;
  Finisher finisher_;
  dataplane::LcoreLoop loop_;
};

}  // namespace rv::planes
