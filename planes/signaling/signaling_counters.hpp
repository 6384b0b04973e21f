#pragma once
// Counters of one SignalingPlane instance. One writer (the owning lcore); the control plane
// reads any field at any time with load() (relaxed). Names in comments are the Prometheus series
// the exporter builds from them.

#include <array>
#include <cstddef>

#include "planes/signaling/call_state.hpp"
#include "dataplane/histogram.hpp"
#include "planes/signaling/relaxed_counter.hpp"
#include "planes/signaling/sctp_drop_reason.hpp"
#include "planes/signaling/sip_method.hpp"
#include "planes/signaling/sip_parse_status.hpp"
#include "planes/signaling/websocket_status.hpp"

namespace rv::planes::signaling {

// rvoip_call_setup_seconds: INVITE -> 2xx.
inline constexpr std::array<double, 11> kSetupBucketsSeconds = {0.05, 0.1, 0.25, 0.5, 1,  2,
                                                                3,    5,   10,   20,  30};
// rvoip_call_duration_seconds: 2xx -> BYE.
inline constexpr std::array<double, 11> kDurationBucketsSeconds = {1,   5,    10,   30,   60,  120,
                                                                   300, 600, 1800, 3600, 7200};
using SetupHistogram = dataplane::Histogram<kSetupBucketsSeconds.size()>;
using DurationHistogram = dataplane::Histogram<kDurationBucketsSeconds.size()>;

inline constexpr std::size_t kMinStatusCode = 100;
inline constexpr std::size_t kMaxStatusCode = 699;

struct alignas(64) SignalingCounters {
  // rvoip_sip_requests_total{method}
  std::array<RelaxedCounter, kSipMethodCount> requests;
  // rvoip_sip_responses_total{code}: index = code - 100
  std::array<RelaxedCounter, kMaxStatusCode - kMinStatusCode + 1> responses;
  RelaxedCounter retransmissions;  // rvoip_sip_retransmissions_total
  // rvoip_sip_malformed_total{reason}: index = SipParseStatus (kOk unused)
  std::array<RelaxedCounter, kSipParseStatusCount> malformed;
  RelaxedCounter messages;            // SIP messages parsed successfully
  RelaxedCounter udp_trailing_bytes;  // octets after Content-Length in a datagram (ignored)

  // rvoip_calls_total{result}: counted once when the INVITE's outcome is known (answered at
  // the 2xx, not at the BYE; never in_progress)
  std::array<RelaxedCounter, kCallResultCount> calls;
  // rvoip_call_final_responses_total{code}: final response to the call's INVITE, once per call
  // (index = code - 100); the RFC 6076 ASR/NER numerators and 3xx exclusions (README.md)
  std::array<RelaxedCounter, kMaxStatusCode - kMinStatusCode + 1> call_final_codes;
  RelaxedCounter calls_active;        // gauge: calls in the table not yet Terminated
  RelaxedCounter calls_in_table;      // gauge: table occupancy (incl. lingering terminated)
  RelaxedCounter calls_evicted;       // pushed out of a full table
  RelaxedCounter orphan_messages;     // in-dialog messages of calls not in the table
  RelaxedCounter forked_responses;    // 1xx/2xx with a second To-tag
  RelaxedCounter reinvites;
  RelaxedCounter registrations;       // REGISTER requests and responses (RegistrationEvents)

  RelaxedCounter sdp_bodies;          // SDP bodies parsed
  RelaxedCounter sdp_malformed;
  RelaxedCounter media_endpoints;     // MediaEndpointEvents emitted

  RelaxedCounter tcp_segments;
  RelaxedCounter tcp_retransmitted_segments;  // wholly duplicate data
  RelaxedCounter tcp_out_of_order_segments;   // held until the hole fills
  RelaxedCounter tcp_ooo_dropped;             // a second disjoint hole or no room
  RelaxedCounter tcp_gaps;                    // holes given up (capture loss), stream resynced
  RelaxedCounter tcp_buffer_overflows;        // message larger than tcp_buffer_bytes
  RelaxedCounter tcp_resync_skipped_bytes;    // bytes skipped to find a start line
  RelaxedCounter tcp_streams_active;          // gauge
  RelaxedCounter tcp_streams_evicted;         // pushed out of a full stream table
  RelaxedCounter tcp_streams_expired;         // idle timeout

  RelaxedCounter sctp_data_chunks;            // SCTP DATA chunks read on SIP ports
  RelaxedCounter sctp_reassembled;            // user messages gathered from several fragments
  std::array<RelaxedCounter, kSctpDropReasonCount> sctp_dropped;  // fragments, by SctpDropReason

  RelaxedCounter ws_upgrades;                 // HTTP upgrades to WebSocket (request or 101)
  RelaxedCounter ws_frames;                   // WebSocket frames read (control frames included)
  RelaxedCounter ws_messages;                 // text/binary messages handed to the SIP parser
  std::array<RelaxedCounter, kWsErrorCount> ws_errors;  // by WsError

  SetupHistogram setup{kSetupBucketsSeconds, 1e9};           // rvoip_call_setup_seconds (ns)
  SetupHistogram post_dial_delay{kSetupBucketsSeconds, 1e9};  // rvoip_call_post_dial_delay_seconds
  DurationHistogram duration{kDurationBucketsSeconds, 1e9};   // rvoip_call_duration_seconds

  uint64_t response_count(uint16_t code) const noexcept {
    return (code >= kMinStatusCode && code <= kMaxStatusCode)
               ? responses[code - kMinStatusCode].load()
               : 0;
  }
  uint64_t request_count(SipMethod m) const noexcept {
    return requests[static_cast<std::size_t>(m)].load();
  }
  uint64_t malformed_count(SipParseStatus s) const noexcept {
    return malformed[static_cast<std::size_t>(s)].load();
  }
  uint64_t call_final_count(uint16_t code) const noexcept {
    return (code >= kMinStatusCode && code <= kMaxStatusCode)
               ? call_final_codes[code - kMinStatusCode].load()
               : 0;
  }
  uint64_t call_count(CallResult r) const noexcept {
    return calls[static_cast<std::size_t>(r)].load();
  }
};

}  // namespace rv::planes::signaling
