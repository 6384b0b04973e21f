#pragma once
// ShardHandler: receives every classified packet of one shard from the rx poller and hands it to
// the planes in-line (the producer owns the destination shard). Runs on the shard's lcore.

#include <cstdint>

#include "config/config.hpp"
#include "dataplane/packet.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes {

class ShardHandler {
 public:
  explicit ShardHandler(const config::Config& cfg);

  void on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p,
                 uint64_t rx_ns) noexcept;

  // Timers (call and media timeouts), run at the housekeeping tick.
  uint32_t on_tick(uint64_t now_ns) noexcept;

  uint64_t last_rx_ns() const noexcept { return last_rx_ns_; }

 private:
  uint64_t last_rx_ns_ = 0;  // dp: rw — newest packet time seen (capture time in replay)
};

}  // namespace rv::planes
