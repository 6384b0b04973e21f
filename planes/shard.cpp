#include "planes/shard.hpp"

#include <rte_cycles.h>

#include <algorithm>


namespace rv::planes {

Shard::Shard(unsigned lcore_id, unsigned shard_index, unsigned shard_count,
             std::vector<transport::RxQueue> queues, const config::Config& cfg,
             transport::ClassifierSlot* classifier,
             std::unique_ptr<dataplane::Reassembler> reassembler)
    : classifier_(classifier),
      reassembler_(std::move(reassembler)),
      handler_(shard_index, shard_count, cfg),
      rx_(std::move(queues), static_cast<uint16_t>(cfg.dataplane.burst_size), &classifier->pointer(), handler_,
          counters_, reassembler_.get()),
      drain_(handler_, cfg.events.batch_size),
      housekeeping_(*this),
      finisher_(*this),
      loop_(lcore_id, {&rx_}, {&drain_}, {&housekeeping_}, cfg.dataplane.housekeeping_interval,
            {&finisher_}) {}

std::array<uint64_t, dataplane::kNoticeDropCount> Shard::drop_totals() const noexcept {
  using dataplane::NoticeDrop;
  std::array<uint64_t, dataplane::kNoticeDropCount> t{};
  const auto& ev = handler_.event_counters();
  t[size_t(NoticeDrop::kTxFull)] = counters_.tx_dropped.load();
  t[size_t(NoticeDrop::kSteer)] = ev.steer_dropped.load();
  t[size_t(NoticeDrop::kEvents)] = ev.events_dropped.load();
  t[size_t(NoticeDrop::kReassemblyTableFull)] =
      reassembler_ ? reassembler_->counter(dataplane::ReassemblyCounter::kTableFull) : 0;
  t[size_t(NoticeDrop::kStreamsEvicted)] = handler_.media().counters().streams_evicted.load();
  t[size_t(NoticeDrop::kCallsEvicted)] = handler_.signaling().counters().calls_evicted.load();
  return t;
}

void Shard::Housekeeping::report_drops(uint64_t now_tsc) noexcept {
  if (now_tsc < next_report_tsc_) return;
  next_report_tsc_ = now_tsc + rte_get_tsc_hz();
  const auto now = shard_.drop_totals();
  if (now == reported_) return;
  dataplane::DataplaneNotice n;
  n.tsc = now_tsc;
  n.lcore_id = shard_.loop_.lcore_id();
  n.shard = shard_.handler_.shard_index();
  for (std::size_t i = 0; i < now.size(); ++i) n.drops[i] = now[i] - reported_[i];
  shard_.handler_.notify(n);
  reported_ = now;
}

void Shard::Housekeeping::on_stop() noexcept { shard_.classifier_->offline(shard_.handler_.shard_index()); }

uint32_t Shard::Finisher::poll(uint64_t /*now_tsc*/) noexcept { return shard_.handler_.finish(); }

uint32_t Shard::Housekeeping::poll(uint64_t now_tsc) noexcept {
  shard_.rx_.refresh(now_tsc);
  shard_.classifier_->quiescent(shard_.handler_.shard_index());
  report_drops(now_tsc);
  return shard_.handler_.on_tick();
}

}  // namespace rv::planes
