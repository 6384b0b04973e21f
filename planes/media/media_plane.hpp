#pragma once
// MediaPlane: the RTP/RTCP stream analyser one lcore runs (DESIGN.md §5). Streams keyed by
// (5-tuple, SSRC); Wireshark-equivalent loss and jitter (rtp_stats.hpp), RFC 3550 sequence
// tracking, RTCP-reported loss/jitter/RTT, RFC 4733 events, media gaps, MOS (gap-aware) in
// interval reports and at stream end, media timeouts,
// SDP association through learned endpoints.
//
// Threading: one MediaPlane per lcore (shard), built on the control thread (allocates all
// memory up front, may throw std::bad_alloc), then used only by that lcore: every method not
// marked otherwise is noexcept, allocation-free, lock-free and never logs.
// counters() and histograms() may be read by any thread at any time (relaxed atomics).
// snapshot() and call_ids() read plain per-stream data (diagnostics and tests): call them on the
// owning lcore or while it is quiescent, never concurrently with packet input. The running
// appliance never calls them: stream results leave as media.* events through the sink.
//
// Lcore loop order: on_rtp()/on_rtcp() per classified packet (or on_rtp_burst()), learn_endpoint()
// for the signaling plane's SDP events, expire(now) at the housekeeping tick,
// end_all() at shutdown / end of replay. Events leave through the MediaEventSink (same thread).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "dataplane/flow_key.hpp"
#include "planes/media/endpoint_map.hpp"
#include "planes/media/media_counters.hpp"
#include "planes/media/media_events.hpp"
#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"
#include "planes/media/stream_report.hpp"
#include "planes/media/stream_table.hpp"

namespace rv::planes::media {

struct MediaPlaneConfig {
  uint32_t max_streams = 262144;                    // planes.media.max_streams
  uint64_t media_timeout_ns = 30'000'000'000ull;    // planes.media.media_timeout_s
  uint32_t max_endpoints = 0;                       // SDP endpoints; 0 = max_streams
  uint64_t endpoint_ttl_ns = 3'600'000'000'000ull;  // unused learned endpoints are dropped after
  uint8_t event_payload_type = 101;  // telephone-event without SDP (Wireshark's default); 0 = none
  bool evict_when_full = true;       // table full: end the stream nearest its timeout (counted)
  uint64_t interval_ns = 10'000'000'000ull;  // planes.media.interval_s; 0: no interval events
  // planes.media.gap_ms: an inter-arrival delta this long is a media gap; its time beyond the
  // normal spacing (kNominalSpacingNs) counts as loss in the MOS. 0: no gap detection.
  uint64_t gap_ns = 300'000'000ull;

  // From the YAML keys planes.media.* (the other fields keep their defaults).
  static MediaPlaneConfig from_config(const config::MediaConfig& c) noexcept {
    MediaPlaneConfig m;
    m.max_streams = c.max_streams;
    m.media_timeout_ns = uint64_t{c.media_timeout_s} * 1'000'000'000ull;
    m.interval_ns = uint64_t{c.interval_s} * 1'000'000'000ull;
    m.gap_ns = uint64_t{c.gap_ms} * 1'000'000ull;
    return m;
  }
};

// The packet spacing a gap's time is counted beyond (20 ms, the common packetization).
inline constexpr uint64_t kNominalSpacingNs = 20'000'000ull;

// One RTP datagram for the burst interface.
struct RtpInput {
  std::span<const uint8_t> payload;  // UDP payload
  const dataplane::FlowKey* flow = nullptr;
  uint64_t arrival_ns = 0;
};

class MediaPlane {
 public:
  explicit MediaPlane(const MediaPlaneConfig& cfg, MediaEventSink* sink = nullptr);

  // Accounts one RTP packet (UDP payload) of `flow` that arrived at `arrival_ns` (capture time in
  // replay). Returns kOk when the header is valid (even if the table was full and the stream
  // untracked: counted in rtp_untracked), else why not (counted in rtp_invalid).
  RtpParseStatus on_rtp(std::span<const uint8_t> payload, const dataplane::FlowKey& flow,
                        uint64_t arrival_ns) noexcept;
  // The same for a burst, prefetching the table ahead; returns how many were valid RTP.
  uint32_t on_rtp_burst(std::span<const RtpInput> burst) noexcept;

  // Accounts one RTCP compound datagram: counts packet types, applies SRs and report blocks to
  // the streams they describe (RTP ports = RTCP ports - 1, or equal with rtcp-mux).
  RtcpParseStatus on_rtcp(std::span<const uint8_t> payload, const dataplane::FlowKey& flow,
                          uint64_t arrival_ns) noexcept;

  // SDP: `ep` receives media of call `call_id` with these payload types. Streams sent to (or,
  // symmetric RTP, from) `ep` get the call and the codecs/clock rates. False: endpoint table full.
  // As above, keyed by the call hash only (signaling's MediaEndpointEvent carries no Call-ID).
  bool learn_endpoint(const dataplane::Endpoint& ep, uint64_t call_hash,
                      std::span<const PayloadMapping> payload_types, uint64_t now_ns) noexcept;
  bool learn_endpoint(const dataplane::Endpoint& ep, std::string_view call_id,
                      std::span<const PayloadMapping> payload_types, uint64_t now_ns) noexcept;
  // True when SDP announced `ep` (owning lcore).
  bool knows_endpoint(const dataplane::Endpoint& ep) const noexcept {
    return endpoints_.size() != 0 && endpoints_.contains(ep);
  }

  // Ends streams idle for media_timeout at `now_ns` (StreamEnded through the sink); sweeps a few
  // stale endpoints. Returns how many streams ended.
  uint32_t expire(uint64_t now_ns) noexcept;
  // Ends every stream (reason kFlushed): shutdown, end of replay. Returns how many.
  uint32_t end_all() noexcept;

  // Control side (see threading above). Appends one report per live stream.
  void snapshot(std::vector<StreamReport>& out) const;
  // Call-ID by call hash for the endpoints still known (to resolve StreamEnded::call_hash).
  std::unordered_map<uint64_t, std::string> call_ids() const;

  const MediaCounters& counters() const noexcept { return counters_; }        // any thread
  const MediaHistograms& histograms() const noexcept { return histograms_; }  // any thread
  uint32_t active_streams() const noexcept { return table_.size(); }
  const StreamTable& table() const noexcept { return table_; }
  std::size_t memory_bytes() const noexcept;
  // Preallocated bytes per stream slot (record + its share of index and wheel), endpoints excluded.
  std::size_t bytes_per_stream() const noexcept {
    return table_.memory_bytes() / table_.capacity();
  }

 private:
  StreamRecord* stream_for(const RtpHeader& h, const dataplane::FlowKey& flow, uint64_t hash,
                           uint64_t arrival_ns) noexcept;
  void account(StreamRecord& r, const RtpHeader& h, std::span<const uint8_t> payload,
               uint64_t arrival_ns) noexcept;
  void try_associate(StreamRecord& r, uint64_t now_ns) noexcept;
  PayloadInfo payload_info(const StreamRecord& r, uint8_t pt) const noexcept;
  void on_telephone_event(StreamRecord& r, const RtpHeader& h,
                          std::span<const uint8_t> payload) noexcept;
  StreamRecord* rtp_stream_of_rtcp(const dataplane::FlowKey& rtcp_flow, bool reverse,
                                   uint32_t ssrc) noexcept;
  void apply_report_block(const RtcpReportBlock& b, const dataplane::FlowKey& flow,
                          uint64_t arrival_ns) noexcept;
  StreamEnded final_numbers(const StreamRecord& r, EndReason why) const noexcept;
  double mos_of(const StreamRecord& r) const noexcept;
  // media.stream_interval for running streams whose interval elapsed (bounded scan per tick).
  uint32_t report_intervals(uint64_t now_ns) noexcept;
  void end_stream(StreamRecord& r, EndReason why) noexcept;  // emits; caller removes
  void note_gap(StreamRecord& r, uint64_t delta_ns) noexcept;
  StreamReport live_report(const StreamRecord& r) const;

  MediaPlaneConfig cfg_;
  MediaEventSink* sink_;
  MediaCounters counters_;
  MediaHistograms histograms_;
  StreamTable table_;
  EndpointMap endpoints_;
  uint32_t interval_cursor_ = 0;
};

}  // namespace rv::planes::media
