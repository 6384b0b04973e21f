#pragma once
// SipSummary: what the call tracker reads of a SIP message, as views. Built from a parsed
// message (SipSummary::of) on the lcore that parsed it, or from a signaling.sip_message event
// (an analyzer's signaling plane, fed by probes over NATS), so that one CallTracker serves both
// without a second copy of its logic. The views live as long as what they point into.

#include <cstdint>
#include <string_view>

#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/sip_method.hpp"

namespace rv::planes::signaling {

struct SipSummary {
  bool is_request = false;
  SipMethod method = SipMethod::kOther;  // requests
  std::string_view method_name;
  uint16_t status_code = 0;              // responses
  std::string_view call_id;
  std::string_view from_uri;
  std::string_view from_tag;
  std::string_view to_uri;
  std::string_view to_tag;
  uint32_t cseq = 0;
  SipMethod cseq_method = SipMethod::kOther;
  std::string_view cseq_method_name;
  std::string_view via_branch;
  std::string_view contact;       // first Contact value (raw)
  std::string_view expires;       // Expires header value, empty when absent
  std::string_view content_type;
  std::string_view body;

  static SipSummary of(const SipMessage& m) noexcept {
    SipSummary s;
    s.is_request = m.is_request;
    s.method = m.method;
    s.method_name = m.method_name;
    s.status_code = m.status_code;
    s.call_id = m.call_id;
    s.from_uri = m.from.uri;
    s.from_tag = m.from.tag;
    s.to_uri = m.to.uri;
    s.to_tag = m.to.tag;
    s.cseq = m.cseq;
    s.cseq_method = m.cseq_method;
    s.cseq_method_name = m.cseq_method_name;
    s.via_branch = m.via_branch;
    s.contact = m.contact;
    if (const SipHeader* h = m.find(SipHeaderId::kExpires)) s.expires = h->value;
    s.content_type = m.content_type;
    s.body = m.body;
    return s;
  }
};

// Whether the message's body is an SDP session description (Content-Type application/sdp, or
// no Content-Type and a body starting with "v=").
bool has_sdp_body(const SipSummary& m) noexcept;

}  // namespace rv::planes::signaling
