#pragma once
// The descriptor tables of MediaCounters and MediaHistograms (dataplane/counter_desc.hpp):
// every field, once, with the Prometheus family it is exported as. Add a row with every new
// counter.

#include <array>
#include <span>
#include <string>

#include "dataplane/counter_desc.hpp"
#include "planes/media/media_counters.hpp"

namespace rv::planes::media {

namespace desc_detail {
using dataplane::view_of;
}  // namespace desc_detail

using MediaCounterDesc = dataplane::CounterDesc<MediaCounters>;

inline constexpr std::array kMediaCounterDescs = {
    dataplane::counter("rvoip_rtp_packets_total", "RTP packets accounted to a stream",
                       &MediaCounters::rtp_packets),
    dataplane::counter("rvoip_rtp_payload_bytes_total", "RTP payload bytes accounted to a stream",
                       &MediaCounters::rtp_bytes),
    dataplane::counter("rvoip_rtp_lost_packets_total",
                       "RTP packets lost (growth of expected - received)",
                       &MediaCounters::rtp_lost),
    dataplane::counter_array<MediaCounters>(
        "rvoip_rtp_invalid_total", "RTP packets rejected, by reason",
        +[](const MediaCounters& c) { return std::span<const dataplane::Counter>(c.rtp_invalid); },
        "reason",
        +[](std::size_t i) {
          const auto s = static_cast<RtpParseStatus>(i);
          return s == RtpParseStatus::kOk ? std::string() : std::string(to_string(s));
        }),
    dataplane::counter("rvoip_rtp_untracked_total",
                       "RTP packets of new streams refused: stream table full, eviction off",
                       &MediaCounters::rtp_untracked),
    dataplane::counter("rvoip_rtcp_datagrams_total", "Valid RTCP datagrams (compound packets)",
                       &MediaCounters::rtcp_datagrams),
    dataplane::counter_array<MediaCounters>(
        "rvoip_rtcp_packets_total", "RTCP packets, by type",
        +[](const MediaCounters& c) { return std::span<const dataplane::Counter>(c.rtcp_packets); },
        "type", +[](std::size_t i) { return std::string(to_string(static_cast<RtcpType>(i))); }),
    dataplane::counter_array<MediaCounters>(
        "rvoip_rtcp_invalid_total", "RTCP datagrams rejected, by reason",
        +[](const MediaCounters& c) { return std::span<const dataplane::Counter>(c.rtcp_invalid); },
        "reason",
        +[](std::size_t i) {
          const auto s = static_cast<RtcpParseStatus>(i);
          return s == RtcpParseStatus::kOk ? std::string() : std::string(to_string(s));
        }),
    dataplane::counter("rvoip_rtcp_trailing_bytes_datagrams_total",
                       "Valid RTCP compounds followed by stray bytes (accepted, as Wireshark does)",
                       &MediaCounters::rtcp_trailing_bytes),
    dataplane::counter("rvoip_rtcp_report_blocks_unmatched_total",
                       "RTCP report blocks about no known RTP stream",
                       &MediaCounters::rtcp_blocks_unmatched),
    dataplane::gauge("rvoip_rtp_streams_active", "RTP streams being tracked",
                     &MediaCounters::streams_active),
    dataplane::counter("rvoip_rtp_streams_total", "RTP streams created",
                       &MediaCounters::streams_total),
    dataplane::counter("rvoip_rtp_streams_timed_out_total", "RTP streams ended by media timeout",
                       &MediaCounters::streams_timed_out),
    dataplane::counter("rvoip_rtp_streams_evicted_total", "RTP streams pushed out of a full table",
                       &MediaCounters::streams_evicted),
    dataplane::counter("rvoip_rtp_streams_bye_total",
                       "RTP streams ended after an RTCP BYE from their source",
                       &MediaCounters::streams_bye),
    dataplane::counter("rvoip_rtp_streams_associated_total",
                       "RTP streams matched to a call through an SDP endpoint",
                       &MediaCounters::streams_associated),
    dataplane::counter("rvoip_media_endpoints_learned_total",
                       "SDP media endpoints learned by the media plane",
                       &MediaCounters::endpoints_learned),
    dataplane::counter("rvoip_media_endpoints_rejected_total",
                       "SDP media endpoints refused: endpoint table full",
                       &MediaCounters::endpoints_rejected),
    dataplane::counter("rvoip_media_endpoints_expired_total",
                       "SDP media endpoints forgotten after their TTL",
                       &MediaCounters::endpoints_expired),
    dataplane::counter("rvoip_dtmf_events_total", "RFC 4733 telephone events (counted once each)",
                       &MediaCounters::dtmf_events),
    dataplane::counter("rvoip_rtp_gaps_total",
                       "Media gaps: RTP inter-arrival deltas of at least planes.media.gap_ms",
                       &MediaCounters::rtp_gaps),
    dataplane::counter("rvoip_rtcp_reported_lost_packets_total",
                       "RTP packets the receivers' RTCP reports say were lost (growth of the "
                       "cumulative loss)",
                       &MediaCounters::rtcp_reported_lost),
};

inline constexpr std::array kMediaHistogramDescs = {
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtp_jitter_seconds", "Mean interarrival jitter of ended streams",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.jitter_seconds); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtp_mos", "Estimated MOS of ended streams",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.mos); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtp_max_delta_seconds", "Largest RTP inter-arrival delta of ended streams",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.max_delta_seconds); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtp_gap_seconds", "Length of each media gap (inter-arrival delta >= planes.media.gap_ms)",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.gap_seconds); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtcp_reported_jitter_seconds", "Interarrival jitter in RTCP report blocks",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.rtcp_jitter_seconds); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtcp_reported_fraction_lost", "Fraction lost (0..1) in RTCP report blocks",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.rtcp_fraction_lost); }),
    dataplane::histogram<MediaHistograms>(
        "rvoip_rtcp_rtt_seconds",
        "Round trip from the capture point to the receiver and back (RTCP LSR/DLSR)",
        +[](const MediaHistograms& h) { return desc_detail::view_of(h.rtcp_rtt_seconds); }),
};

}  // namespace rv::planes::media
