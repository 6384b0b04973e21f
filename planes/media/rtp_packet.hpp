#pragma once
// RTP fixed header parsing and validation (RFC 3550 §5.1). Pure, noexcept, allocation-free:
// runs on lcores. Never reads outside the given span.

#include <cstdint>
#include <span>

namespace rv::planes::media {

inline constexpr uint8_t kRtpVersion = 2;
inline constexpr uint32_t kRtpFixedHeaderLen = 12;

// Why a datagram is not a valid RTP packet (first failing check, in this order).
enum class RtpParseStatus : uint8_t {
  kOk = 0,
  kTooShort,         // fewer than 12 bytes
  kBadVersion,       // version != 2
  kCsrcOverrun,      // CSRC list runs past the datagram
  kExtOverrun,       // header extension runs past the datagram
  kBadPadding,       // padding count 0 or larger than what follows the header
  kRtcpPayloadType,  // payload type 72-76: RTCP SR/RR/SDES/BYE/APP with the marker bit (RFC 5761)
};
inline constexpr std::size_t kRtpParseStatusCount = 7;

// A parsed RTP header. Offsets are relative to the start of the RTP packet.
struct RtpHeader {
  bool padding = false;
  bool extension = false;
  bool marker = false;
  uint8_t csrc_count = 0;
  uint8_t payload_type = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  uint16_t ext_profile = 0;  // when extension
  uint16_t header_len = 0;   // fixed header + CSRCs + extension
  uint32_t payload_len = 0;  // payload bytes, padding excluded
  uint8_t padding_len = 0;
};

// Parses and validates `pkt` as one RTP packet: version 2, the CSRC list, the extension header
// (4-byte header + length words) and the padding count (last byte; 1..bytes after the header) all
// inside the datagram, payload type not 72-76. Fills `out` on kOk.
RtpParseStatus parse_rtp(std::span<const uint8_t> pkt, RtpHeader& out) noexcept;

// Strict heuristic for traffic on unknown ports: parse_rtp() succeeds and the payload type is an
// assigned static one (0-34) or dynamic (96-127); the reserved/unassigned 35-95 (which include
// the RTCP range) are refused, and a payload must follow the header (an RTP packet with zero
// payload is legal but in practice never media). One false positive per ~10^3 random UDP
// datagrams is what such a check gives on its own; callers add endpoint/port knowledge.
bool looks_like_rtp(std::span<const uint8_t> pkt) noexcept;

const char* to_string(RtpParseStatus s) noexcept;

}  // namespace rv::planes::media
