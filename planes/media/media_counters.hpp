#pragma once
// Media plane counters and per-stream quality histograms: one writer (the owning lcore), read by
// the control plane at any time (relaxed). The lead exports them as rvoip_rtp_packets_total,
// rvoip_rtp_lost_packets_total, rvoip_rtp_streams_active, rvoip_rtp_streams_total,
// rvoip_rtcp_packets_total{type}, rvoip_rtp_jitter_seconds and rvoip_rtp_mos.

#include <array>
#include <cstdint>

#include "dataplane/counter.hpp"
#include "dataplane/histogram.hpp"
#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"

namespace rv::planes::media {

struct alignas(64) MediaCounters {
  dataplane::Counter rtp_packets;  // dp: wo, cp: ro — RTP packets accounted to a stream
  dataplane::Counter rtp_bytes;    // dp: wo, cp: ro — RTP payload bytes
  dataplane::Counter rtp_lost;     // dp: wo, cp: ro — monotonic sum of per-stream loss growth
  std::array<dataplane::Counter, kRtpParseStatusCount> rtp_invalid;  // dp: wo, cp: ro — by status
  dataplane::Counter rtp_untracked;  // dp: wo, cp: ro — new stream refused (table full, no evict)
  dataplane::Counter rtcp_datagrams;                                   // dp: wo, cp: ro
  std::array<dataplane::Counter, kRtcpTypeCount> rtcp_packets;         // dp: wo, cp: ro — by type
  std::array<dataplane::Counter, kRtcpParseStatusCount> rtcp_invalid;  // dp: wo, cp: ro — by status
  dataplane::Counter rtcp_blocks_unmatched;  // dp: wo, cp: ro — report about no known stream
  dataplane::Counter rtcp_trailing_bytes;    // dp: wo, cp: ro — valid compounds + stray bytes
  dataplane::Counter streams_active;         // dp: wo (set), cp: ro — gauge
  dataplane::Counter streams_total;          // dp: wo, cp: ro — streams created
  dataplane::Counter streams_timed_out;      // dp: wo, cp: ro
  dataplane::Counter streams_evicted;        // dp: wo, cp: ro
  dataplane::Counter streams_bye;            // dp: wo, cp: ro
  dataplane::Counter streams_associated;     // dp: wo, cp: ro — matched an SDP endpoint
  dataplane::Counter endpoints_learned;      // dp: wo, cp: ro
  dataplane::Counter endpoints_rejected;     // dp: wo, cp: ro — endpoint table full
  dataplane::Counter endpoints_expired;      // dp: wo, cp: ro
  dataplane::Counter dtmf_events;  // dp: wo, cp: ro — RFC 4733 events (end packets, once)
  dataplane::Counter rtp_gaps;     // dp: wo, cp: ro — inter-arrival deltas >= gap_ns
  dataplane::Counter rtcp_reported_lost;  // dp: wo, cp: ro — growth of RR cumulative loss
};

// Per-stream values observed when a stream ends (streams with a known clock rate only for
// jitter; every stream for MOS; streams of two packets or more for max delta), per media gap,
// and per RTCP report block (jitter: streams with a known clock rate; RTT: when LSR/DLSR give
// one).
struct alignas(64) MediaHistograms {
  dataplane::Histogram<10> jitter_seconds{
      {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, 1e6};  // µs
  dataplane::Histogram<8> mos{{1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5}, 1e3};
  dataplane::Histogram<10> max_delta_seconds{
      {0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5}, 1e6};
  dataplane::Histogram<8> gap_seconds{{0.3, 0.5, 1, 2, 5, 10, 30, 60}, 1e6};
  dataplane::Histogram<10> rtcp_jitter_seconds{
      {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, 1e6};
  dataplane::Histogram<8> rtcp_fraction_lost{
      {0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, 1e6};
  dataplane::Histogram<10> rtcp_rtt_seconds{
      {0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2}, 1e6};
};

}  // namespace rv::planes::media
