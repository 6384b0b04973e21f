#pragma once
// ShardHandler: receives every classified packet of one shard from the rx poller. A packet whose
// session this shard owns goes in-line to the shard's planes (SIP to the signaling plane,
// RTP/RTCP to the media plane); one that another shard owns is steered there over the fabric
// (SteeredPacket, the mbuf travels by reference). The planes' results leave only as events
// (the PlaneRouter decides where each goes): calls, message summaries, registrations, stream
// starts/intervals/ends to the control group; SDP endpoints to every shard's media plane.
// Everything here runs on the shard's lcore unless said otherwise.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "config/config.hpp"
#include "dataplane/counter.hpp"
#include "dataplane/packet.hpp"
#include "planes/media/media_plane.hpp"
#include "planes/routing/shard_fabric.hpp"
#include "planes/signaling/sdp_parser.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes {

inline constexpr unsigned kMaxShards = 64;

struct alignas(64) ShardEventCounters {
  dataplane::Counter call_events;      // dp: wo, cp: ro
  dataplane::Counter media_endpoints;  // dp: wo, cp: ro — SDP endpoints given to media
  dataplane::Counter streams_ended;    // dp: wo, cp: ro
  dataplane::Counter events_dropped;   // dp: wo, cp: ro — plane events the fabric refused
  dataplane::Counter steered_out;      // dp: wo, cp: ro — packets sent to another shard
  dataplane::Counter steered_in;       // dp: wo, cp: ro — packets received from another
  dataplane::Counter steer_dropped;    // dp: wo, cp: ro — fabric refused (ring full)
  dataplane::Counter sync_timeouts;    // dp: wo, cp: ro — replay: a peer never handled a SIP
};

class ShardHandler final : private signaling::SignalingEventSink, private media::MediaEventSink {
 public:
  // Allocates the planes' tables. Control thread, after EAL init.
  ShardHandler(unsigned shard_index, unsigned shard_count, const config::Config& cfg);
  // The same with the planes' own configurations, which size every table (the retransmission
  // cache too, which config::Config leaves at its default): tests and fuzz harnesses.
  ShardHandler(unsigned shard_index, unsigned shard_count,
               const signaling::SignalingPlaneConfig& signaling, const media::MediaPlaneConfig& media);
  ~ShardHandler() override = default;
  ShardHandler(const ShardHandler&) = delete;
  ShardHandler& operator=(const ShardHandler&) = delete;

  // Control thread, before launch. `peers` lists every shard's handler (this one included), in
  // shard order; `replay_sync`: a SIP message with SDP steered to another shard is handled there
  // before this shard goes on (replay only: the learned endpoints are then in place for what follows,
  // whatever the number of shards).
  void attach_fabric(routing::ShardFabric fabric, std::span<ShardHandler* const> peers,
                     bool replay_sync);

  void on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p, uint64_t rx_ns,
                 rte_mbuf* m, dataplane::LinkType link) noexcept;

  // After each rx burst: with several shards, tells the others how far the capture clock went
  // (a tick on the packet rings, in order with the packets), so that every shard times calls
  // and streams out by the same clock.
  void on_burst_end() noexcept;

  // True when either end of `p` (or the RTP port under an RTCP port) is an endpoint some SDP
  // announced: such UDP is checked as RTP/RTCP on any port (DESIGN.md §4 classification).
  bool is_learned_media(const dataplane::ParsedPacket& p) const noexcept;

  // Fabric drain: packets steered here and broadcast SDP endpoints. Returns events handled.
  uint32_t poll_fabric(uint32_t budget) noexcept;

  // Timers (call and media timeouts, stream intervals), at the housekeeping tick.
  uint32_t on_tick() noexcept;

  // End of the run (the lcore, once every shard stopped its sources and drained): timers run to
  // the end of the capture, then every call and stream still tracked leaves as its final event.
  // Returns how many.
  uint32_t finish() noexcept;

  // Gives an SDP-learned endpoint (signaling.media_endpoint) to this shard's media plane.
  void learn_endpoint(const signaling::MediaEndpointEvent& e) noexcept;

  // A SIP message summary from a remote probe (analyzer): tracked by this shard's signaling
  // plane as if parsed here; its time moves the shard's clock.
  void on_remote_message(const signaling::SipMessageEvent& e) noexcept;

  // Housekeeping: publishes a dataplane.notice when `drops` differ from the last one sent.
  void notify(const dataplane::DataplaneNotice& n) noexcept;

  const signaling::SignalingPlane& signaling() const noexcept { return *signaling_; }
  const media::MediaPlane& media() const noexcept { return *media_; }
  const ShardEventCounters& event_counters() const noexcept { return counters_; }
  uint64_t last_rx_ns() const noexcept { return last_rx_ns_; }
  unsigned shard_index() const noexcept { return index_; }

 private:
  void deliver(transport::PacketClass c, const dataplane::ParsedPacket& p, uint64_t rx_ns) noexcept;
  void steer(transport::PacketClass c, uint64_t key, unsigned owner, uint64_t rx_ns, rte_mbuf* m,
             dataplane::LinkType link, const dataplane::ParsedPacket& p, bool sync) noexcept;
  void await_handled(unsigned owner, uint64_t seq) noexcept;
  void on_steered(const routing::SteeredPacket& e) noexcept;
  template <typename E>
  void emit(events::Publisher<E> routing::ShardFabric::*which, const E& e, events::Priority p) noexcept;

  void on_call_event(const signaling::CallEvent& e) noexcept override;
  void on_media_endpoint(const signaling::MediaEndpointEvent& e) noexcept override;
  void on_registration(const signaling::RegistrationEvent& e) noexcept override;
  bool wants_sip_messages() const noexcept override;
  void on_sip_message(const signaling::SipMessage& m, const dataplane::FlowKey& flow,
                      bool retransmission, uint64_t ts) noexcept override;
  void on_stream_started(const media::StreamStarted& e) noexcept override;
  void on_stream_interval(const media::StreamInterval& e) noexcept override;
  void on_stream_ended(const media::StreamEnded& e) noexcept override;

  unsigned index_;
  unsigned shards_;
  std::unique_ptr<signaling::SignalingPlane> signaling_;
  std::unique_ptr<media::MediaPlane> media_;
  std::optional<routing::ShardFabric> fabric_;  // cp: wo before launch, dp: rw
  std::array<ShardHandler*, kMaxShards> peers_{};  // cp: wo before launch, dp: ro
  bool replay_sync_ = false;
  ShardEventCounters counters_;
  uint64_t last_rx_ns_ = 0;  // dp: rw — newest packet time (capture time in replay)
  std::array<uint64_t, kMaxShards> sync_sent_{};  // dp: rw — sync packets sent to each shard
  std::array<uint64_t, kMaxShards> shard_keys_{};  // cp: wo before launch — a key of each shard
  uint64_t newest_rx_ns_ = 0;   // dp: rw — newest capture time this shard's rx saw
  uint64_t clock_sent_ns_ = 0;  // dp: rw — the newest time already sent to the other shards
  // Sync packets from shard i this shard has handled. dp: this lcore wo, shard i's lcore ro.
  std::array<std::atomic<uint64_t>, kMaxShards> sync_handled_{};
  signaling::SdpSession sdp_;  // scratch for message summaries
  signaling::SipMessageEvent message_scratch_;  // dp: rw — the summary being built
  alignas(64) std::array<uint8_t, 16384> scratch_{};  // steered multi-segment frames
};

}  // namespace rv::planes
