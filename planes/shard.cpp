#include "planes/shard.hpp"

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

uint32_t Shard::Housekeeping::poll(uint64_t now_tsc) noexcept {
  shard_.rx_.refresh(now_tsc);
  return shard_.handler_.on_tick();
}

}  // namespace rv::planes
