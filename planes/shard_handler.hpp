#pragma once
// ShardHandler: receives every classified packet of one shard from the rx poller. A packet whose
// session this shard owns goes in-line to the shard's planes (SIP to the signaling plane,
// RTP/RTCP to the media plane); one that another shard owns is steered there over the fabric
// (SteeredPacket, the mbuf travels by reference). SDP endpoints learned by the signaling plane
// reach every shard's media plane (broadcast). Ended streams go to the control plane through an
// SPSC ring. Everything here runs on the shard's lcore unless said otherwise.

#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "dataplane/counter.hpp"
#include "dataplane/packet.hpp"
#include "events/publisher.hpp"
#include "events/subscriber.hpp"
#include "planes/media/media_plane.hpp"
#include "planes/routing/plane_events.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes {

struct alignas(64) ShardEventCounters {
  dataplane::Counter call_events;             // dp: wo, cp: ro
  dataplane::Counter media_endpoints;         // dp: wo, cp: ro — SDP endpoints given to media
  dataplane::Counter streams_ended;           // dp: wo, cp: ro
  dataplane::Counter streams_ended_dropped;   // dp: wo, cp: ro — report ring full (counted loss)
  dataplane::Counter steered_out;             // dp: wo, cp: ro — packets sent to another shard
  dataplane::Counter steered_in;              // dp: wo, cp: ro — packets received from another
  dataplane::Counter steer_dropped;           // dp: wo, cp: ro — fabric refused (ring full)
};

// The fabric handles of one shard (absent when the appliance runs a single shard).
struct ShardFabric {
  events::Publisher<routing::SteeredPacket> packets_out;
  events::Publisher<signaling::MediaEndpointEvent> endpoints_out;
  events::Subscriber<routing::SteeredPacket> packets_in;
  events::Subscriber<signaling::MediaEndpointEvent> endpoints_in;
};

class ShardHandler final : private signaling::SignalingEventSink, private media::MediaEventSink {
 public:
  // Allocates the planes' tables and the ended-stream ring. Control thread, after EAL init.
  ShardHandler(unsigned shard_index, unsigned shard_count, const config::Config& cfg);
  ~ShardHandler() override;
  ShardHandler(const ShardHandler&) = delete;
  ShardHandler& operator=(const ShardHandler&) = delete;

  // Control thread, before launch; required when shard_count > 1.
  void attach_fabric(ShardFabric fabric) { fabric_.emplace(std::move(fabric)); }

  void on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p, uint64_t rx_ns,
                 rte_mbuf* m, dataplane::LinkType link) noexcept;

  // True when either end of `p` (or the RTP port under an RTCP port) is an endpoint some SDP
  // announced: such UDP is checked as RTP/RTCP on any port (DESIGN.md §4 classification).
  bool is_learned_media(const dataplane::ParsedPacket& p) const noexcept;

  // Fabric drain: packets steered here and broadcast SDP endpoints. Returns events handled.
  uint32_t poll_fabric(uint32_t budget) noexcept;

  // Timers (call and media timeouts), run at the housekeeping tick with the newest packet time.
  uint32_t on_tick() noexcept;

  // Control thread, any time: moves ended streams out of the ring. Returns how many.
  std::size_t drain_ended(std::vector<media::StreamEnded>& out);

  // Control thread, lcore stopped: ends every live stream into `out` (end of replay/run).
  void finish(std::vector<media::StreamEnded>& out);

  const signaling::SignalingPlane& signaling() const noexcept { return *signaling_; }
  const media::MediaPlane& media() const noexcept { return *media_; }
  const ShardEventCounters& event_counters() const noexcept { return counters_; }
  uint64_t last_rx_ns() const noexcept { return last_rx_ns_; }
  unsigned shard_index() const noexcept { return index_; }

 private:
  void deliver(transport::PacketClass c, const dataplane::ParsedPacket& p, uint64_t rx_ns) noexcept;
  void on_steered(const routing::SteeredPacket& e) noexcept;
  void learn(const signaling::MediaEndpointEvent& e) noexcept;

  void on_call_event(const signaling::CallEvent& e) noexcept override;
  void on_media_endpoint(const signaling::MediaEndpointEvent& e) noexcept override;
  void on_stream_started(const media::StreamStarted& e) noexcept override;
  void on_stream_ended(const media::StreamEnded& e) noexcept override;

  unsigned index_;
  unsigned shards_;
  std::unique_ptr<signaling::SignalingPlane> signaling_;
  std::unique_ptr<media::MediaPlane> media_;
  std::optional<ShardFabric> fabric_;
  rte_ring* ended_ring_ = nullptr;                        // dp: enqueue (SP), cp: dequeue (SC)
  std::vector<media::StreamEnded>* finishing_ = nullptr;  // set by finish() only (lcore stopped)
  ShardEventCounters counters_;
  uint64_t last_rx_ns_ = 0;  // dp: rw — newest packet time (capture time in replay)
  alignas(64) std::array<uint8_t, 16384> scratch_{};  // steered multi-segment frames
};

}  // namespace rv::planes
