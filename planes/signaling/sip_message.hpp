#pragma once
// SipMessage: a zero-copy view of one parsed SIP message. Every string_view points into the
// buffer given to parse_sip_message(); the view is valid while that buffer is. Folded header
// values keep their CRLF + WSP inside the view (treat CR/LF as LWS when reading them).

#include <array>
#include <cstdint>
#include <string_view>

#include "planes/signaling/sip_method.hpp"

namespace rv::planes::signaling {

// Headers the parser understands (long and compact forms map to the same id).
enum class SipHeaderId : uint8_t {
  kOther,
  kCallId,         // i
  kFrom,           // f
  kTo,             // t
  kVia,            // v
  kCSeq,
  kContact,        // m
  kContentLength,  // l
  kContentType,    // c
  kMaxForwards,
  kDate,
  kExpires,
  kSupported,        // k
  kSubject,          // s
  kContentEncoding,  // e
  kEvent,            // o
  kReferTo,          // r
  kAllowEvents,      // u
  kSessionExpires,   // x
  kIdentity,         // y
  kReferredBy,       // b
  kAcceptContact,    // a
  kRejectContact,    // j
  kRequestDisposition,  // d
  kCount,
};

struct SipHeader {
  std::string_view name;   // as written (may be a compact form)
  std::string_view value;  // LWS-trimmed at both ends
  SipHeaderId id = SipHeaderId::kOther;
};

// A name-addr or addr-spec (From, To, one Contact value).
struct SipNameAddr {
  std::string_view display;  // without quotes; may contain quoted-pair escapes
  std::string_view uri;      // addr-spec
  std::string_view tag;      // value of the tag parameter, empty when absent
};

struct SipMessage {
  static constexpr std::size_t kMaxHeaders = 64;  // beyond this, headers are parsed, not listed

  bool is_request = false;
  // Request line.
  SipMethod method = SipMethod::kOther;
  std::string_view method_name;
  std::string_view request_uri;
  // Status line.
  uint16_t status_code = 0;
  std::string_view reason;

  std::string_view call_id;
  SipNameAddr from;
  SipNameAddr to;
  uint32_t cseq = 0;
  SipMethod cseq_method = SipMethod::kOther;
  std::string_view cseq_method_name;
  std::string_view via_top;     // first via-parm of the first Via header
  std::string_view via_branch;  // branch parameter of via_top, empty when absent
  uint16_t via_count = 0;       // via-parms over all Via headers
  std::string_view contact;     // first Contact value (raw), empty when absent
  uint16_t contact_count = 0;
  std::string_view content_type;
  bool has_content_length = false;
  uint32_t content_length = 0;
  int16_t max_forwards = -1;  // -1: absent

  std::string_view body;
  std::string_view raw;  // the whole message, start line to end of body (HEP export)
  uint32_t length = 0;  // bytes of the message (start line to end of body)

  uint16_t header_count = 0;  // all headers, also those beyond kMaxHeaders
  std::array<SipHeader, kMaxHeaders> headers;

  // First header with `id`, or nullptr.
  const SipHeader* find(SipHeaderId id) const noexcept {
    const std::size_t n = header_count < kMaxHeaders ? header_count : kMaxHeaders;
    for (std::size_t i = 0; i < n; ++i) {
      if (headers[i].id == id) return &headers[i];
    }
    return nullptr;
  }
  // The value of the first header named `name` (any case) that has no id of its own
  // (User-Agent, Reason...), or an empty view.
  std::string_view find_named(std::string_view name) const noexcept {
    const std::size_t n = header_count < kMaxHeaders ? header_count : kMaxHeaders;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& h = headers[i];
      if (h.id != SipHeaderId::kOther || h.name.size() != name.size()) continue;
      bool same = true;
      for (std::size_t k = 0; k < name.size() && same; ++k) {
        same = (h.name[k] | 0x20) == (name[k] | 0x20);
      }
      if (same) return h.value;
    }
    return {};
  }
};

}  // namespace rv::planes::signaling
