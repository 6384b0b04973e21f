#pragma once
// FuzzShard: one shard (ShardHandler with small tables) behind an rx lcore's PacketDispatcher
// (HEP, classification, WebSocket connections, SIP-port continuations), handed packets the way
// the rx poller hands them over. One shard, so every packet is handled in-line. Shared by the
// harnesses that feed frames or L4 payloads (packet, hep, websocket, sctp).

#include <cstdint>
#include <span>

#include "config/config.hpp"
#include "dataplane/packet_parser.hpp"
#include "planes/shard_handler.hpp"
#include "planes/transport/classifier.hpp"
#include "planes/transport/packet_dispatcher.hpp"
#include "planes/transport/transport_counters.hpp"

namespace rv::fuzz {

// heplify's default port: UDP datagrams to it are decoded as HEP.
inline constexpr uint16_t kHepPort = 9060;

// The appliance's configuration, but with tables small enough to fill (eviction, table full)
// within one input, and cheap to build for every input: the planes are made afresh each time,
// so that an input's outcome depends on that input alone.
inline config::Config fuzz_config() {
  config::Config cfg;
  cfg.planes.signaling.max_calls = 64;
  cfg.planes.signaling.max_tcp_streams = 8;
  cfg.planes.signaling.tcp_buffer_bytes = 4096;
  cfg.planes.media.max_streams = 64;
  cfg.dataplane.hep_ports = {"9060"};
  return cfg;
}

inline planes::signaling::SignalingPlaneConfig fuzz_signaling_config(const config::Config& cfg) {
  auto s = planes::signaling::SignalingPlaneConfig::from_config(cfg.planes.signaling);
  s.retransmission_slots = 64;  // the default 65536 slots are 1 MiB to zero per input
  s.max_sctp_messages = 8;
  return s;
}

class FuzzShard {
 public:
  FuzzShard()
      : shard_(0, 1, fuzz_signaling_config(config()), planes::media::MediaPlaneConfig::from_config(config().planes.media)),
        dispatcher_(&classifier(), shard_, counters_, 16) {}

  // One frame of link type `link` through the L2-L4 parser and, when it parses, on as a packet.
  void frame(std::span<const uint8_t> bytes, dataplane::LinkType link, uint64_t now_ns) noexcept {
    dataplane::ParsedPacket pkt;
    if (dataplane::parse_frame(bytes, link, pkt, classifier().decap) == dataplane::ParseStatus::kOk) {
      packet(pkt, now_ns, link);
    }
  }

  // A parsed packet through the dispatcher, then the end of its burst and a timer tick.
  void packet(const dataplane::ParsedPacket& pkt, uint64_t now_ns,
              dataplane::LinkType link = dataplane::LinkType::kEthernet) noexcept {
    dispatcher_.dispatch(pkt, now_ns, nullptr, link);
    shard_.on_burst_end();
    (void)shard_.on_tick();
  }

  // End of the run: every call and stream still tracked leaves.
  uint32_t finish() noexcept { return shard_.finish(); }

  planes::ShardHandler& shard() noexcept { return shard_; }

 private:
  static const config::Config& config() {
    static const config::Config cfg = fuzz_config();
    return cfg;
  }
  static const planes::transport::ClassifierConfig& classifier() {
    static const auto c = planes::transport::ClassifierConfig::from(config().dataplane);
    return c;
  }

  planes::transport::TransportCounters counters_;
  planes::ShardHandler shard_;
  planes::transport::PacketDispatcher<planes::ShardHandler> dispatcher_;
};

}  // namespace rv::fuzz
