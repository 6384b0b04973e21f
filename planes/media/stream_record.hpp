#pragma once
// StreamRecord: everything the media plane keeps about one RTP stream (5-tuple + SSRC).
// Lives in the stream table's preallocated array; only the owning lcore writes it.

#include <array>
#include <cstddef>
#include <cstdint>

#include "dataplane/flow_key.hpp"
#include "planes/media/endpoint_map.hpp"
#include "planes/media/rtp_stats.hpp"

namespace rv::planes::media {

// What RTCP said about a stream (reports from its receiver, SRs from its sender).
struct RtcpState {
  uint64_t last_sr_arrival_ns = 0;  // when the stream's sender's last SR passed us
  uint32_t last_sr_ntp_mid = 0;     // its NTP timestamp, middle 32 bits (what LSR echoes)
  int32_t cumulative_lost = 0;      // receiver's latest report block
  uint32_t jitter_ts = 0;           // receiver-reported jitter, timestamp units
  uint32_t reports = 0;             // report blocks about this stream
  uint32_t sender_reports = 0;
  float rtt_ms = -1;          // capture point <-> receiver round trip (LSR/DLSR); < 0 unknown
  uint8_t fraction_lost = 0;  // /256
};

struct alignas(64) StreamRecord {
  // Hot: what every packet touches, kept in the first three cache lines (see kHotBytes).
  dataplane::FlowKey flow;    // key
  uint8_t payload_type = 0;   // first non-comfort-noise payload type (Wireshark's "regular")
  uint8_t codec = 0;          // media::Codec of payload_type
  uint32_t ssrc = 0;          // key
  uint8_t mapping_count = 0;  // SDP payload map copied at association
  bool used = false;
  bool associated = false;        // got a call from an SDP endpoint
  bool event_seen = false;        // RFC 4733: an end packet was counted (last_event_ts valid)
  uint32_t assoc_generation = 0;  // endpoint-map generation last tried while unassociated
  uint64_t last_ns = 0;
  uint64_t bytes = 0;
  int64_t lost_counted = 0;  // loss already added to the monotonic counter
  uint64_t max_delta_ns = 0;  // largest inter-arrival gap
  RtpStats stats;
  // Cold: association, RTCP, events, timers.
  uint64_t call_hash = 0;  // 0: no SDP association
  std::array<PayloadMapping, kMaxPayloadMappings> mappings{};
  RtcpState rtcp;
  uint32_t last_event_ts = 0;
  uint32_t dtmf_events = 0;
  uint8_t last_event = 0;
  bool bye_seen = false;  // RTCP BYE from this SSRC: reported as the end reason
  uint32_t gaps = 0;      // inter-arrival deltas >= MediaPlaneConfig::gap_ns
  uint64_t gap_ns = 0;    // their time beyond the normal packet spacing
  uint64_t next_interval_ns = 0;  // capture time of the next media.stream_interval
  // Timer wheel links (stream table).
  uint32_t timer_prev = 0;
  uint32_t timer_next = 0;
  uint32_t timer_bucket = 0;
};

// Bytes of a StreamRecord the per-packet path touches; prefetched as a unit.
inline constexpr std::size_t kHotBytes = offsetof(StreamRecord, call_hash);
static_assert(kHotBytes <= 192, "hot stream fields must fit three cache lines");

}  // namespace rv::planes::media
