#pragma once
// SIP message parser (RFC 3261 §7 and §25 grammar, RFC 4475 clean). Zero-copy: the result is a
// SipMessage of views into the input. noexcept, no allocation, never reads outside the span.

#include <cstdint>
#include <span>
#include <string_view>

#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/sip_parse_status.hpp"

namespace rv::planes::signaling {

enum class SipTransport : uint8_t { kUdp, kTcp };

// Parses the first SIP message in `data`. Leading CRLFs (keep-alives) are skipped.
// Body: Content-Length bytes when present; otherwise the rest of the datagram over UDP and no
// body over TCP (RFC 3261 §18.3). On kOk, `out.length` is the bytes consumed including the
// skipped CRLFs, so octets past it (RFC 4475 dblreq) can be detected by the caller.
SipParseStatus parse_sip_message(std::span<const uint8_t> data, SipTransport transport,
                                 SipMessage& out) noexcept;

// Strict start-line check used by transport classification: `METHOD SP URI SP SIP/2.0 CRLF`
// (method a token, URI with a scheme and no LWS) or `SIP/2.0 SP 3DIGIT SP reason CRLF`.
// HTTP and other text protocols do not pass.
bool looks_like_sip_start_line(std::span<const uint8_t> data) noexcept;

// The value of the first Call-ID header (long or compact form, folding undone) of the message
// starting at `data`, read with the parser's own header reader; empty when there is none or the
// header section is malformed before it. Used to steer a datagram to the shard owning its call.
std::string_view find_sip_call_id(std::span<const uint8_t> data) noexcept;

// Maps a header name (long or compact form, any case) to its id.
SipHeaderId sip_header_id(std::string_view name) noexcept;

// Framing of a byte stream (SIP over TCP, RFC 3261 §18.3).
struct SipFrame {
  enum class Kind : uint8_t {
    kNeedMore,  // headers or body incomplete; `length` is the full size once headers are complete
    kComplete,  // [0, length) is one message (leading CRLFs included)
    kInvalid,   // headers complete but Content-Length unusable: skip `length` bytes
  };
  Kind kind = Kind::kNeedMore;
  uint32_t length = 0;
};

// Finds the extent of the first message in `stream` without parsing it fully.
SipFrame sip_frame(std::span<const uint8_t> stream) noexcept;

}  // namespace rv::planes::signaling
