#pragma once
// Outcome of parsing one SIP message. Every failure has a stable name used as the `reason`
// label of rvoip_sip_malformed_total and in the report. SIP over TCP also counts messages the
// stream reassembly has to drop whole: kTooLarge, and kIncomplete for a message cut off by the
// end of its stream (FIN, RST, eviction, idle timeout).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling {

enum class SipParseStatus : uint8_t {
  kOk = 0,
  kIncomplete,          // headers not terminated by an empty line (truncated message)
  kBadStartLine,        // neither a request line nor a status line
  kBadMethod,           // method is not a token
  kBadRequestUri,       // missing scheme, <>, embedded LWS, escaped headers in a SIP URI
  kBadVersion,          // SIP version other than 2.0
  kBadStatusCode,       // not exactly three digits, or outside 100..699
  kBadHeaderLine,       // a header line without a colon or with a non-token name
  kDuplicateHeader,     // a single-valued header (Call-ID, CSeq, From, To, Content-Length) twice
  kMissingHeader,       // Call-ID, CSeq, From, To or Via absent
  kBadCallId,
  kBadCSeq,             // not "number method", number >= 2^31, or method mismatch
  kCSeqMethodMismatch,  // CSeq method differs from the request method
  kBadFromTo,           // unparsable name-addr / addr-spec, unbalanced quotes, bad params
  kBadContact,
  kBadVia,              // bad sent-protocol, empty sent-by or empty parameters
  kBadContentLength,    // not digits, negative or too large
  kBodyTruncated,       // Content-Length larger than the bytes available
  kBadMaxForwards,      // not digits or above 255
  kBadDate,             // Date not in GMT (RFC 3261 §20.17)
  kBadExpires,          // not digits or above 2^32 - 1
  kTooLarge,            // SIP/TCP message larger than the reassembly buffer (tcp_buffer_bytes)
  kCount,
};

inline constexpr std::size_t kSipParseStatusCount = static_cast<std::size_t>(SipParseStatus::kCount);

constexpr std::string_view to_string(SipParseStatus s) noexcept {
  constexpr std::array<std::string_view, kSipParseStatusCount> kNames = {
      "ok",
      "incomplete",
      "bad_start_line",
      "bad_method",
      "bad_request_uri",
      "bad_version",
      "bad_status_code",
      "bad_header_line",
      "duplicate_header",
      "missing_header",
      "bad_call_id",
      "bad_cseq",
      "cseq_method_mismatch",
      "bad_from_to",
      "bad_contact",
      "bad_via",
      "bad_content_length",
      "body_truncated",
      "bad_max_forwards",
      "bad_date",
      "bad_expires",
      "too_large",
  };
  const auto i = static_cast<std::size_t>(s);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::planes::signaling
