#pragma once
// ShardHandler: receives every classified packet of one shard from the rx poller and hands it
// in-line to the shard's planes (the producer owns the destination shard): SIP to the signaling
// plane, RTP/RTCP to the media plane. The signaling plane's SDP endpoints reach the media plane
// of the same shard directly; ended streams go to the control plane through an SPSC ring.
// Everything here runs on the shard's lcore unless said otherwise.

#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "dataplane/counter.hpp"
#include "dataplane/packet.hpp"
#include "planes/media/media_plane.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes {

struct alignas(64) ShardEventCounters {
  dataplane::Counter call_events;             // dp: wo, cp: ro
  dataplane::Counter media_endpoints;         // dp: wo, cp: ro — SDP endpoints handed to media
  dataplane::Counter streams_ended;           // dp: wo, cp: ro
  dataplane::Counter streams_ended_dropped;   // dp: wo, cp: ro — report ring full (counted loss)
};

class ShardHandler final : private signaling::SignalingEventSink, private media::MediaEventSink {
 public:
  // Allocates the planes' tables and the ended-stream ring. Control thread, after EAL init.
  ShardHandler(unsigned shard_id, const config::Config& cfg);
  ~ShardHandler() override;
  ShardHandler(const ShardHandler&) = delete;
  ShardHandler& operator=(const ShardHandler&) = delete;

  void on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p,
                 uint64_t rx_ns) noexcept;

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

 private:
  void on_call_event(const signaling::CallEvent& e) noexcept override;
  void on_media_endpoint(const signaling::MediaEndpointEvent& e) noexcept override;
  void on_stream_started(const media::StreamStarted& e) noexcept override;
  void on_stream_ended(const media::StreamEnded& e) noexcept override;

  std::unique_ptr<signaling::SignalingPlane> signaling_;
  std::unique_ptr<media::MediaPlane> media_;
  rte_ring* ended_ring_ = nullptr;                    // dp: enqueue (SP), cp: dequeue (SC)
  std::vector<media::StreamEnded>* finishing_ = nullptr;  // set by finish() only (lcore stopped)
  ShardEventCounters counters_;
  uint64_t last_rx_ns_ = 0;  // dp: rw — newest packet time (capture time in replay)
};

}  // namespace rv::planes
