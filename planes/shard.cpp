#include "planes/shard.hpp"

#include <rte_cycles.h>

#include <algorithm>

#include <fmt/format.h>

namespace rv::planes {

Shard::Shard(unsigned lcore_id, unsigned shard_index, unsigned shard_count,
             std::vector<transport::RxQueue> queues, const config::Config& cfg,
             const std::atomic<const transport::ClassifierConfig*>* classifier,
             std::unique_ptr<dataplane::Reassembler> reassembler)
    : reassembler_(std::move(reassembler)),
      handler_(shard_index, shard_count, cfg),
      rx_(std::move(queues), static_cast<uint16_t>(cfg.dataplane.burst_size), classifier, handler_,
          counters_, reassembler_.get()),
      drain_(handler_, cfg.events.batch_size),
      housekeeping_(*this),
      loop_(lcore_id, {&rx_}, {&drain_}, {&housekeeping_}, cfg.dataplane.housekeeping_interval) {}

void Shard::Housekeeping::report_drops(uint64_t now_tsc) noexcept {
  if (shard_.logger_ == nullptr || now_tsc < next_report_tsc_) return;
  next_report_tsc_ = now_tsc + rte_get_tsc_hz();
  const auto& ev = shard_.handler_.event_counters();
  const std::array<uint64_t, 5> now = {
      shard_.counters_.tx_dropped.load(), ev.steer_dropped.load(), ev.streams_ended_dropped.load(),
      shard_.reassembler_ ? shard_.reassembler_->counter(dataplane::ReassemblyCounter::kTableFull) : 0,
      shard_.handler_.media().counters().streams_evicted.load()};
  if (now == reported_) return;
  char line[112];
  const auto r = fmt::format_to_n(
      line, sizeof(line), "drops in the last second: tx_full {} steer {} report_ring {} "
      "reassembly_table_full {} streams_evicted {}", now[0] - reported_[0], now[1] - reported_[1],
      now[2] - reported_[2], now[3] - reported_[3], now[4] - reported_[4]);
  shard_.logger_->log(shard_.loop_.lcore_id(), dataplane::LcoreLogLevel::kWarn, now_tsc,
                      std::string_view(line, std::min(r.size, sizeof(line))));
  reported_ = now;
}

uint32_t Shard::Housekeeping::poll(uint64_t now_tsc) noexcept {
  shard_.rx_.refresh(now_tsc);
  report_drops(now_tsc);
  return shard_.handler_.on_tick();
}

}  // namespace rv::planes
