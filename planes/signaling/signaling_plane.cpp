#include "planes/signaling/signaling_plane.hpp"

#include "planes/signaling/sip_parser.hpp"

namespace rv::planes::signaling {

namespace {

bool only_crlf(std::span<const uint8_t> p) noexcept {
  for (uint8_t b : p) {
    if (b != '\r' && b != '\n' && b != 0) return false;
  }
  return true;
}

TcpReassemblerConfig tcp_config(const SignalingPlaneConfig& c) noexcept {
  return TcpReassemblerConfig{c.max_tcp_streams, c.tcp_buffer_bytes, c.tcp_gap_timeout_ns,
                              c.tcp_idle_timeout_ns};
}

SctpReassemblerConfig sctp_config(const SignalingPlaneConfig& c) noexcept {
  return SctpReassemblerConfig{c.max_sctp_messages, c.tcp_buffer_bytes, c.tcp_gap_timeout_ns};
}

}  // namespace

SignalingPlane::SignalingPlane(const SignalingPlaneConfig& config, SignalingEventSink* sink)
    : sink_(sink != nullptr ? sink : &null_sink_),
      tracker_(config, counters_, *sink_),
      tcp_(tcp_config(config), counters_),
      sctp_(sctp_config(config), counters_) {}

std::size_t SignalingPlane::memory_bytes() const noexcept {
  return tracker_.memory_bytes() + tcp_.memory_bytes() + sctp_.memory_bytes() + sizeof(*this);
}

bool SignalingPlane::handle(std::span<const uint8_t> msg, const dataplane::FlowKey& flow, bool is_tcp,
                            uint64_t ts) noexcept {
  const SipParseStatus st =
      parse_sip_message(msg, is_tcp ? SipTransport::kTcp : SipTransport::kUdp, msg_);
  if (st != SipParseStatus::kOk) {
    counters_.malformed[static_cast<std::size_t>(st)].add();
    return false;
  }
  if (!is_tcp && msg_.length < msg.size() && !only_crlf(msg.subspan(msg_.length))) {
    counters_.udp_trailing_bytes.add(msg.size() - msg_.length);
  }
  const bool retransmission = tracker_.on_message(msg_, flow, ts);
  if (sink_->wants_sip_messages()) sink_->on_sip_message(msg_, flow, retransmission, ts);
  return true;
}

void SignalingPlane::on_datagram_message(void* ctx, std::span<const uint8_t> msg,
                                         const dataplane::FlowKey& flow, uint64_t ts) noexcept {
  static_cast<SignalingPlane*>(ctx)->handle(msg, flow, false, ts);
}

void SignalingPlane::on_tcp_message(void* ctx, std::span<const uint8_t> msg,
                                    const dataplane::FlowKey& flow, uint64_t ts,
                                    bool websocket) noexcept {
  // A WebSocket message is framed like a datagram: Content-Length is optional (RFC 7118 §5).
  static_cast<SignalingPlane*>(ctx)->handle(msg, flow, !websocket, ts);
}

uint32_t SignalingPlane::on_payload(std::span<const uint8_t> payload, const dataplane::FlowKey& flow,
                                    bool is_tcp, uint32_t tcp_seq, uint8_t tcp_flags,
                                    uint64_t ts) noexcept {
  if (flow.ip_proto == dataplane::kIpProtoSctp) {
    return sctp_.on_packet(flow, payload, ts, &on_datagram_message, this);
  }
  if (is_tcp) return tcp_.on_segment(flow, tcp_seq, tcp_flags, payload, ts, &on_tcp_message, this);
  if (only_crlf(payload)) return 0;  // RFC 5626 keep-alive
  return handle(payload, flow, false, ts) ? 1 : 0;
}

uint32_t SignalingPlane::expire(uint64_t now_ns, std::size_t budget_slots) noexcept {
  return tracker_.expire(now_ns, budget_slots) + tcp_.expire(now_ns, budget_slots) +
         sctp_.expire(now_ns, budget_slots);
}

}  // namespace rv::planes::signaling
