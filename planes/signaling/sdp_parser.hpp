#pragma once
// SDP (RFC 8866) reader for what the media plane needs: session- and media-level connection
// addresses, every m= line with its port and payload types, rtpmap codec names and clock rates,
// and the direction attribute. Bounded (kMaxMedia m= lines, kMaxFormats payload types each);
// what does not fit is counted in `truncated`. noexcept, no allocation.

#include <array>
#include <cstdint>
#include <string_view>

#include "dataplane/packet.hpp"

namespace rv::planes::signaling {

enum class SdpMediaKind : uint8_t { kAudio, kVideo, kOther };
enum class SdpDirection : uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };

struct SdpRtpMap {
  uint8_t payload_type = 0;
  uint8_t channels = 1;
  uint32_t clock_rate = 0;
  std::string_view encoding;  // e.g. "PCMA", "telephone-event"
};

struct SdpMedia {
  static constexpr std::size_t kMaxFormats = 16;
  static constexpr std::size_t kMaxRtpMaps = 8;

  SdpMediaKind kind = SdpMediaKind::kOther;
  uint16_t port = 0;           // 0: media line rejected/disabled
  std::string_view proto;      // "RTP/AVP", "RTP/SAVP", ...
  dataplane::IpAddress addr;   // media-level c= or the session-level one
  bool has_addr = false;
  SdpDirection direction = SdpDirection::kSendRecv;
  uint8_t format_count = 0;
  std::array<uint8_t, kMaxFormats> formats{};  // RTP payload types (numeric fmts only)
  uint8_t rtpmap_count = 0;
  std::array<SdpRtpMap, kMaxRtpMaps> rtpmaps{};

  // rtpmap for `pt`, or nullptr.
  const SdpRtpMap* rtpmap(uint8_t pt) const noexcept {
    for (uint8_t i = 0; i < rtpmap_count; ++i) {
      if (rtpmaps[i].payload_type == pt) return &rtpmaps[i];
    }
    return nullptr;
  }
};

struct SdpSession {
  static constexpr std::size_t kMaxMedia = 4;

  dataplane::IpAddress session_addr;
  bool has_session_addr = false;
  uint8_t media_count = 0;
  std::array<SdpMedia, kMaxMedia> media{};
  uint16_t truncated = 0;  // m= lines, formats or rtpmaps that did not fit
};

enum class SdpStatus : uint8_t { kOk, kNotSdp, kBadConnection, kBadMedia };

// Parses an SDP body. kNotSdp when it does not begin with "v=".
SdpStatus parse_sdp(std::string_view body, SdpSession& out) noexcept;

// Parses a textual IPv4/IPv6 address (SDP c= "IN IP4 a.b.c.d" address part).
bool parse_ip_address(std::string_view text, bool ipv6, dataplane::IpAddress& out) noexcept;

// Static payload types of RFC 3551 (clock rate and name) for formats without rtpmap.
SdpRtpMap static_payload_type(uint8_t pt) noexcept;

}  // namespace rv::planes::signaling
