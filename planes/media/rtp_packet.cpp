#include "planes/media/rtp_packet.hpp"

#include "dataplane/byte_order.hpp"

namespace rv::planes::media {

using dataplane::load_be16;
using dataplane::load_be32;

RtpParseStatus parse_rtp(std::span<const uint8_t> pkt, RtpHeader& out) noexcept {
  if (pkt.size() < kRtpFixedHeaderLen) return RtpParseStatus::kTooShort;
  const uint8_t* p = pkt.data();
  if ((p[0] >> 6) != kRtpVersion) return RtpParseStatus::kBadVersion;
  out.padding = (p[0] & 0x20) != 0;
  out.extension = (p[0] & 0x10) != 0;
  out.csrc_count = p[0] & 0x0f;
  out.marker = (p[1] & 0x80) != 0;
  out.payload_type = p[1] & 0x7f;
  out.seq = load_be16(p + 2);
  out.timestamp = load_be32(p + 4);
  out.ssrc = load_be32(p + 8);

  std::size_t len = kRtpFixedHeaderLen + 4u * out.csrc_count;
  if (len > pkt.size()) return RtpParseStatus::kCsrcOverrun;
  out.ext_profile = 0;
  if (out.extension) {
    if (len + 4 > pkt.size()) return RtpParseStatus::kExtOverrun;
    out.ext_profile = load_be16(p + len);
    len += 4 + 4u * load_be16(p + len + 2);
    if (len > pkt.size()) return RtpParseStatus::kExtOverrun;
  }
  out.header_len = static_cast<uint16_t>(len);
  std::size_t rest = pkt.size() - len;
  out.padding_len = 0;
  if (out.padding) {
    const uint8_t pad = p[pkt.size() - 1];
    if (pad == 0 || pad > rest) return RtpParseStatus::kBadPadding;
    out.padding_len = pad;
    rest -= pad;
  }
  // RFC 5761 §4: with RTP/RTCP multiplexing, 72-76 (marker set: 200-204) are RTCP.
  if (out.payload_type >= 72 && out.payload_type <= 76) return RtpParseStatus::kRtcpPayloadType;
  out.payload_len = static_cast<uint32_t>(rest);
  return RtpParseStatus::kOk;
}

bool looks_like_rtp(std::span<const uint8_t> pkt) noexcept {
  RtpHeader h;
  if (parse_rtp(pkt, h) != RtpParseStatus::kOk) return false;
  const bool pt_ok = h.payload_type <= 34 || h.payload_type >= 96;
  return pt_ok && h.payload_len > 0;
}

const char* to_string(RtpParseStatus s) noexcept {
  switch (s) {
    case RtpParseStatus::kOk:
      return "ok";
    case RtpParseStatus::kTooShort:
      return "too_short";
    case RtpParseStatus::kBadVersion:
      return "bad_version";
    case RtpParseStatus::kCsrcOverrun:
      return "csrc_overrun";
    case RtpParseStatus::kExtOverrun:
      return "extension_overrun";
    case RtpParseStatus::kBadPadding:
      return "bad_padding";
    case RtpParseStatus::kRtcpPayloadType:
      return "rtcp_payload_type";
  }
  return "unknown";
}

}  // namespace rv::planes::media
