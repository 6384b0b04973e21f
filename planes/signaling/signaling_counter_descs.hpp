#pragma once
// The descriptor table of SignalingCounters (dataplane/counter_desc.hpp): every field, once,
// with the Prometheus family it is exported as. Add a row with every new counter.

#include <array>
#include <span>
#include <string>

#include "dataplane/counter_desc.hpp"
#include "planes/signaling/signaling_counters.hpp"

namespace rv::planes::signaling {

namespace desc_detail {
using dataplane::view_of;
inline std::string status_code_label(std::size_t i) {
  return std::to_string(kMinStatusCode + i);
}
}  // namespace desc_detail

using SignalingCounterDesc = dataplane::CounterDesc<SignalingCounters>;

inline constexpr std::array kSignalingCounterDescs = {
    dataplane::counter_array<SignalingCounters>(
        "rvoip_sip_requests_total", "SIP requests seen, by method",
        +[](const SignalingCounters& c) { return std::span<const dataplane::Counter>(c.requests); },
        "method", +[](std::size_t i) { return std::string(to_string(static_cast<SipMethod>(i))); }),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_sip_responses_total", "SIP responses seen, by status code",
        +[](const SignalingCounters& c) {
          return std::span<const dataplane::Counter>(c.responses);
        },
        "code", &desc_detail::status_code_label, true),
    dataplane::counter("rvoip_sip_retransmissions_total", "SIP retransmissions detected",
                       &SignalingCounters::retransmissions),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_sip_malformed_total",
        "SIP messages rejected, by reason: malformed, or lost whole by SIP/TCP reassembly "
        "(too_large, incomplete)",
        +[](const SignalingCounters& c) {
          return std::span<const dataplane::Counter>(c.malformed);
        },
        "reason",
        +[](std::size_t i) {
          const auto s = static_cast<SipParseStatus>(i);
          return s == SipParseStatus::kOk ? std::string() : std::string(to_string(s));
        }),
    dataplane::counter("rvoip_sip_messages_total", "SIP messages parsed successfully",
                       &SignalingCounters::messages),
    dataplane::counter("rvoip_sip_udp_trailing_bytes_total",
                       "Bytes after Content-Length in a SIP/UDP datagram (ignored)",
                       &SignalingCounters::udp_trailing_bytes),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_calls_total",
        "Calls by the outcome of their INVITE, counted once when it is known: answered at the "
        "2xx, failed at the final error response, cancelled, or timed out (not at the call's end)",
        +[](const SignalingCounters& c) { return std::span<const dataplane::Counter>(c.calls); },
        "result",
        +[](std::size_t i) {
          const auto r = static_cast<CallResult>(i);
          return r == CallResult::kInProgress ? std::string() : std::string(to_string(r));
        }),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_call_final_responses_total",
        "Final responses to initial INVITEs, once per call (RFC 6076 ASR/NER)",
        +[](const SignalingCounters& c) {
          return std::span<const dataplane::Counter>(c.call_final_codes);
        },
        "code", &desc_detail::status_code_label, true),
    dataplane::gauge("rvoip_calls_active", "Calls in progress", &SignalingCounters::calls_active),
    dataplane::gauge("rvoip_calls_in_table",
                     "Call table occupancy, lingering terminated calls included",
                     &SignalingCounters::calls_in_table),
    dataplane::counter("rvoip_calls_evicted_total", "Calls pushed out of a full call table",
                       &SignalingCounters::calls_evicted),
    dataplane::counter("rvoip_sip_orphan_messages_total",
                       "In-dialog SIP messages of calls not in the table",
                       &SignalingCounters::orphan_messages),
    dataplane::counter("rvoip_sip_forked_responses_total",
                       "1xx/2xx responses with a second To-tag (forking)",
                       &SignalingCounters::forked_responses),
    dataplane::counter("rvoip_sip_reinvites_total", "re-INVITEs within established calls",
                       &SignalingCounters::reinvites),
    dataplane::counter("rvoip_sip_registrations_total",
                       "REGISTER requests and responses (signaling.registration events)",
                       &SignalingCounters::registrations),
    dataplane::counter("rvoip_sdp_bodies_total", "SDP bodies parsed",
                       &SignalingCounters::sdp_bodies),
    dataplane::counter("rvoip_sdp_malformed_total", "SDP bodies rejected as malformed",
                       &SignalingCounters::sdp_malformed),
    dataplane::counter("rvoip_sdp_media_endpoints_total",
                       "Media endpoints learned from SDP and announced",
                       &SignalingCounters::media_endpoints),
    dataplane::counter("rvoip_sip_tcp_segments_total", "TCP segments given to SIP reassembly",
                       &SignalingCounters::tcp_segments),
    dataplane::counter("rvoip_sip_tcp_retransmitted_segments_total",
                       "SIP/TCP segments whose data was already received",
                       &SignalingCounters::tcp_retransmitted_segments),
    dataplane::counter("rvoip_sip_tcp_out_of_order_segments_total",
                       "SIP/TCP segments held until the hole before them filled",
                       &SignalingCounters::tcp_out_of_order_segments),
    dataplane::counter("rvoip_sip_tcp_out_of_order_dropped_total",
                       "SIP/TCP out-of-order segments dropped (a second hole, or no room)",
                       &SignalingCounters::tcp_ooo_dropped),
    dataplane::counter("rvoip_sip_tcp_gaps_total", "SIP-over-TCP holes given up (capture loss)",
                       &SignalingCounters::tcp_gaps),
    dataplane::counter(
        "rvoip_sip_tcp_buffer_overflows_total",
        "SIP/TCP reassembly buffers that filled up (a message or a line over tcp_buffer_bytes)",
        &SignalingCounters::tcp_buffer_overflows),
    dataplane::counter("rvoip_sip_tcp_resync_skipped_bytes_total",
                       "SIP/TCP bytes skipped to find the next start line",
                       &SignalingCounters::tcp_resync_skipped_bytes),
    dataplane::gauge("rvoip_sip_tcp_streams_active", "SIP/TCP streams being reassembled",
                     &SignalingCounters::tcp_streams_active),
    dataplane::counter("rvoip_sip_tcp_streams_evicted_total",
                       "SIP/TCP streams pushed out of a full table",
                       &SignalingCounters::tcp_streams_evicted),
    dataplane::counter("rvoip_sip_tcp_streams_expired_total",
                       "SIP/TCP streams released after idling",
                       &SignalingCounters::tcp_streams_expired),
    dataplane::counter("rvoip_sip_sctp_data_chunks_total",
                       "SCTP DATA chunks read on SIP ports (RFC 4168)",
                       &SignalingCounters::sctp_data_chunks),
    dataplane::counter("rvoip_sip_sctp_reassembled_total",
                       "SIP-over-SCTP user messages gathered from several fragments",
                       &SignalingCounters::sctp_reassembled),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_sip_sctp_fragments_dropped_total",
        "SIP-over-SCTP fragments that completed no message, by reason",
        +[](const SignalingCounters& c) {
          return std::span<const dataplane::Counter>(c.sctp_dropped);
        },
        "reason", +[](std::size_t i) { return std::string(to_string(static_cast<SctpDropReason>(i))); }),
    dataplane::counter("rvoip_sip_websocket_upgrades_total",
                       "HTTP upgrades to WebSocket read by SIP reassembly (requests and 101s)",
                       &SignalingCounters::ws_upgrades),
    dataplane::counter("rvoip_sip_websocket_frames_total",
                       "WebSocket frames read on SIP connections (RFC 7118)",
                       &SignalingCounters::ws_frames),
    dataplane::counter("rvoip_sip_websocket_messages_total",
                       "WebSocket text/binary messages handed to the SIP parser",
                       &SignalingCounters::ws_messages),
    dataplane::counter_array<SignalingCounters>(
        "rvoip_sip_websocket_errors_total", "WebSocket frames in breach of RFC 6455, by reason",
        +[](const SignalingCounters& c) { return std::span<const dataplane::Counter>(c.ws_errors); },
        "reason", +[](std::size_t i) { return std::string(to_string(static_cast<WsError>(i))); }),
    dataplane::histogram<SignalingCounters>(
        "rvoip_call_setup_seconds", "INVITE to 2xx",
        +[](const SignalingCounters& c) { return desc_detail::view_of(c.setup); }),
    dataplane::histogram<SignalingCounters>(
        "rvoip_call_post_dial_delay_seconds", "INVITE to first 18x",
        +[](const SignalingCounters& c) { return desc_detail::view_of(c.post_dial_delay); }),
    dataplane::histogram<SignalingCounters>(
        "rvoip_call_duration_seconds", "2xx to BYE",
        +[](const SignalingCounters& c) { return desc_detail::view_of(c.duration); }),
};

}  // namespace rv::planes::signaling
