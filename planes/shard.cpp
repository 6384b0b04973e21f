#include "planes/shard.hpp"

namespace rv::planes {

ShardHandler::ShardHandler(const config::Config& /*cfg*/) {}

void ShardHandler::on_packet(transport::PacketClass /*c*/, const dataplane::ParsedPacket& /*p*/,
                             uint64_t rx_ns) noexcept {
  if (rx_ns > last_rx_ns_) last_rx_ns_ = rx_ns;
}

uint32_t ShardHandler::on_tick(uint64_t /*now_ns*/) noexcept { return 0; }

Shard::Shard(unsigned lcore_id, std::vector<transport::RxQueue> queues, const config::Config& cfg,
             const std::atomic<const transport::ClassifierConfig*>* classifier)
    : handler_(cfg),
      rx_(std::move(queues), static_cast<uint16_t>(cfg.dataplane.burst_size), classifier, handler_,
          counters_),
      housekeeping_(*this),
      loop_(lcore_id, {&rx_}, {&housekeeping_}, cfg.dataplane.housekeeping_interval) {}

uint32_t Shard::Housekeeping::poll(uint64_t /*now_tsc*/) noexcept {
  shard_.rx_.refresh();
  return shard_.handler_.on_tick(shard_.handler_.last_rx_ns());
}

}  // namespace rv::planes
