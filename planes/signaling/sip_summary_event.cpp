#include "planes/signaling/sip_summary_event.hpp"

#include <algorithm>

namespace rv::planes::signaling {

void store_summary(const SipSummary& m, SipMessageEvent& e) noexcept {
  e.is_request = m.is_request ? 1 : 0;
  e.method = m.method;
  e.status_code = m.is_request ? 0 : m.status_code;
  e.cseq = m.cseq;
  e.cseq_method = m.cseq_method;
  e.call_id.assign(m.call_id);
  e.from_tag.assign(m.from_tag);
  e.to_tag.assign(m.to_tag);
  e.branch.assign(m.via_branch);
  e.method_name.assign(m.method_name);
  e.cseq_method_name.assign(m.cseq_method_name);
  e.from_uri.assign(m.from_uri);
  e.to_uri.assign(m.to_uri);
  e.contact.assign(m.contact);
  e.expires.assign(m.expires);
  e.body_len = 0;
  e.body_truncated = 0;
  const bool sdp = has_sdp_body(m);
  // Only the body's SDP-ness matters downstream: a long Content-Type must not lose it.
  e.content_type.assign(sdp ? std::string_view("application/sdp") : m.content_type);
  if (sdp) {
    const std::size_t n = std::min(m.body.size(), e.body.size());
    std::copy_n(m.body.data(), n, e.body.data());
    e.body_len = static_cast<uint16_t>(n);
    e.body_truncated = n < m.body.size() ? 1 : 0;
  }
}

SipSummary summary_of(const SipMessageEvent& e) noexcept {
  SipSummary s;
  s.is_request = e.is_request != 0;
  s.method = e.method;
  s.method_name = e.method_name.view();
  s.status_code = e.status_code;
  s.call_id = e.call_id.view();
  s.from_uri = e.from_uri.view();
  s.from_tag = e.from_tag.view();
  s.to_uri = e.to_uri.view();
  s.to_tag = e.to_tag.view();
  s.cseq = e.cseq;
  s.cseq_method = e.cseq_method;
  s.cseq_method_name = e.cseq_method_name.view();
  s.via_branch = e.branch.view();
  s.contact = e.contact.view();
  s.expires = e.expires.view();
  s.content_type = e.content_type.view();
  s.body = e.body_view();
  return s;
}

}  // namespace rv::planes::signaling
