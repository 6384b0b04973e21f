#pragma once
// RTCP compound packet parsing (RFC 3550 §6; XR RFC 3611 and feedback RFC 4585 counted).
// Pure, noexcept, allocation-free: runs on lcores. Never reads outside the given span.

#include <array>
#include <cstdint>
#include <span>

namespace rv::planes::media {

// Packet types we count separately; everything else in 192-223 is kOther.
enum class RtcpType : uint8_t { kSr = 0, kRr, kSdes, kBye, kApp, kRtpfb, kPsfb, kXr, kOther };
inline constexpr std::size_t kRtcpTypeCount = 9;
const char* to_string(RtcpType t) noexcept;  // "sr", "rr", "sdes", ... (metric label values)

enum class RtcpParseStatus : uint8_t {
  kOk = 0,
  kTooShort,        // fewer than 4 bytes, or a packet header cut off
  kBadVersion,      // some packet's version != 2
  kBadFirstType,    // the first packet is not 200-207
  kBadType,         // a later packet outside 192-223
  kLengthMismatch,  // a packet's length runs past the datagram
  kBadPadding,      // padding on a packet that is not the last, or a bad padding count
  kBadReportCount,  // SR/RR too short for its report count
};
inline constexpr std::size_t kRtcpParseStatusCount = 8;
const char* to_string(RtcpParseStatus s) noexcept;

// One reception report block (RFC 3550 §6.4.1).
struct RtcpReportBlock {
  uint32_t ssrc = 0;            // the source this block reports on
  uint8_t fraction_lost = 0;    // /256 since the previous report
  int32_t cumulative_lost = 0;  // signed 24-bit, sign-extended
  uint32_t ext_highest_seq = 0;
  uint32_t jitter = 0;  // timestamp units
  uint32_t lsr = 0;     // middle 32 bits of the NTP time of the last SR received
  uint32_t dlsr = 0;    // 1/65536 s since that SR
};

struct RtcpSenderInfo {
  uint64_t ntp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
};

inline constexpr std::size_t kMaxRtcpBlocks = 8;

// What one compound datagram says, flattened. Report blocks of every SR/RR are collected (up
// to kMaxRtcpBlocks; the rest counted in blocks_dropped).
struct RtcpCompound {
  uint8_t packet_count = 0;  // RTCP packets in the datagram
  std::array<uint8_t, kRtcpTypeCount> by_type{};
  bool has_sr = false;
  uint32_t sr_ssrc = 0;  // sender SSRC of the (first) SR
  RtcpSenderInfo sr;
  uint8_t block_count = 0;
  uint8_t blocks_dropped = 0;
  std::array<uint32_t, kMaxRtcpBlocks> block_reporter{};  // SSRC of the SR/RR carrying block i
  std::array<RtcpReportBlock, kMaxRtcpBlocks> blocks{};
  bool has_bye = false;
  uint32_t bye_ssrc = 0;  // first SSRC of the (first) BYE
  uint16_t trailing_bytes = 0;  // stray bytes after the last packet (see parse_rtcp)
};

// Parses `dgram` as a compound RTCP datagram. Strict: every packet is version 2, the first
// is typed 200-207 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR; RFC 5506 allows reduced-size
// compounds that start with feedback), later ones 192-223, only the last may be padded, SR/RR
// are long enough for their report count, and the packet lengths add up to the datagram, except
// for stray zero bytes after at least one whole packet (padding): Wireshark shows such a datagram
// on an RTCP conversation as RTCP, so it is RTCP, with trailing_bytes
// set (counted in rvoip_rtcp_trailing_bytes_datagrams_total).
RtcpParseStatus parse_rtcp(std::span<const uint8_t> dgram, RtcpCompound& out) noexcept;

// The same checks as parse_rtcp() without collecting anything: the classifier's strict test.
// Stray zero bytes are accepted only with `trailing_zeros_ok`: on an endpoint SDP announced, as
// Wireshark's RTCP conversation does; its heuristic (unknown ports) wants the whole datagram in
// 4-byte words, and ours wants the lengths to add up exactly.
bool looks_like_rtcp(std::span<const uint8_t> dgram, bool trailing_zeros_ok = false) noexcept;

}  // namespace rv::planes::media
