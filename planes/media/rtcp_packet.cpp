#include "planes/media/rtcp_packet.hpp"

#include "dataplane/byte_order.hpp"

namespace rv::planes::media {

using dataplane::load_be16;
using dataplane::load_be32;
namespace {

constexpr uint8_t kPtSr = 200;
constexpr uint8_t kPtRr = 201;
constexpr uint8_t kPtSdes = 202;
constexpr uint8_t kPtBye = 203;
constexpr uint8_t kPtApp = 204;
constexpr uint8_t kPtRtpfb = 205;
constexpr uint8_t kPtPsfb = 206;
constexpr uint8_t kPtXr = 207;
constexpr std::size_t kBlockLen = 24;
constexpr std::size_t kSenderInfoLen = 20;

RtcpType type_of(uint8_t pt) noexcept {
  switch (pt) {
    case kPtSr:
      return RtcpType::kSr;
    case kPtRr:
      return RtcpType::kRr;
    case kPtSdes:
      return RtcpType::kSdes;
    case kPtBye:
      return RtcpType::kBye;
    case kPtApp:
      return RtcpType::kApp;
    case kPtRtpfb:
      return RtcpType::kRtpfb;
    case kPtPsfb:
      return RtcpType::kPsfb;
    case kPtXr:
      return RtcpType::kXr;
    default:
      return RtcpType::kOther;
  }
}

RtcpReportBlock read_block(const uint8_t* b) noexcept {
  RtcpReportBlock r;
  r.ssrc = load_be32(b);
  r.fraction_lost = b[4];
  const uint32_t cum = (uint32_t{b[5]} << 16) | (uint32_t{b[6]} << 8) | b[7];
  r.cumulative_lost =
      (cum & 0x800000u) ? static_cast<int32_t>(cum | 0xff000000u) : static_cast<int32_t>(cum);
  r.ext_highest_seq = load_be32(b + 8);
  r.jitter = load_be32(b + 12);
  r.lsr = load_be32(b + 16);
  r.dlsr = load_be32(b + 20);
  return r;
}

void collect_blocks(const uint8_t* p, unsigned count, uint32_t reporter,
                    RtcpCompound& out) noexcept {
  for (unsigned i = 0; i < count; ++i) {
    if (out.block_count == kMaxRtcpBlocks) {
      ++out.blocks_dropped;
      continue;
    }
    out.block_reporter[out.block_count] = reporter;
    out.blocks[out.block_count++] = read_block(p + i * kBlockLen);
  }
}

// Validates one packet starting at `p` with `body_len` bytes after its 4-byte header and
// (when `out`) records what it says.
RtcpParseStatus visit(const uint8_t* p, std::size_t body_len, RtcpCompound* out) noexcept {
  const uint8_t pt = p[1];
  const unsigned count = p[0] & 0x1f;
  const uint8_t* body = p + 4;
  if (pt == kPtSr || pt == kPtRr) {
    const std::size_t fixed = 4 + (pt == kPtSr ? kSenderInfoLen : 0);
    if (body_len < fixed + count * kBlockLen) return RtcpParseStatus::kBadReportCount;
    if (out == nullptr) return RtcpParseStatus::kOk;
    const uint32_t ssrc = load_be32(body);
    if (pt == kPtSr && !out->has_sr) {
      out->has_sr = true;
      out->sr_ssrc = ssrc;
      out->sr.ntp = (uint64_t{load_be32(body + 4)} << 32) | load_be32(body + 8);
      out->sr.rtp_timestamp = load_be32(body + 12);
      out->sr.packet_count = load_be32(body + 16);
      out->sr.octet_count = load_be32(body + 20);
    }
    collect_blocks(body + fixed, count, ssrc, *out);
  } else if (pt == kPtBye && out != nullptr && count > 0 && body_len >= 4 && !out->has_bye) {
    out->has_bye = true;
    out->bye_ssrc = load_be32(body);
  }
  return RtcpParseStatus::kOk;
}

RtcpParseStatus walk(std::span<const uint8_t> dgram, RtcpCompound* out) noexcept {
  const uint8_t* p = dgram.data();
  std::size_t left = dgram.size();
  if (left < 4) return RtcpParseStatus::kTooShort;
  bool first = true;
  while (left > 0) {
    if (left < 4) return RtcpParseStatus::kTooShort;
    if ((p[0] >> 6) != 2) return RtcpParseStatus::kBadVersion;
    const uint8_t pt = p[1];
    if (first && (pt < kPtSr || pt > kPtXr)) return RtcpParseStatus::kBadFirstType;
    if (pt < 192 || pt > 223) return RtcpParseStatus::kBadType;
    const std::size_t len = 4u * (std::size_t{load_be16(p + 2)} + 1);
    if (len > left) return RtcpParseStatus::kLengthMismatch;
    std::size_t body_len = len - 4;
    if (p[0] & 0x20) {
      // RFC 3550 §6.4.1: only the last packet of a compound may carry padding.
      if (len != left) return RtcpParseStatus::kBadPadding;
      const uint8_t pad = p[len - 1];
      if (pad == 0 || pad > body_len) return RtcpParseStatus::kBadPadding;
      body_len -= pad;
    }
    const RtcpParseStatus s = visit(p, body_len, out);
    if (s != RtcpParseStatus::kOk) return s;
    if (out != nullptr) {
      ++out->packet_count;
      ++out->by_type[static_cast<std::size_t>(type_of(pt))];
    }
    p += len;
    left -= len;
    first = false;
  }
  return RtcpParseStatus::kOk;
}

}  // namespace

RtcpParseStatus parse_rtcp(std::span<const uint8_t> dgram, RtcpCompound& out) noexcept {
  out = RtcpCompound{};
  return walk(dgram, &out);
}

bool looks_like_rtcp(std::span<const uint8_t> dgram) noexcept {
  return walk(dgram, nullptr) == RtcpParseStatus::kOk;
}

const char* to_string(RtcpType t) noexcept {
  switch (t) {
    case RtcpType::kSr:
      return "sr";
    case RtcpType::kRr:
      return "rr";
    case RtcpType::kSdes:
      return "sdes";
    case RtcpType::kBye:
      return "bye";
    case RtcpType::kApp:
      return "app";
    case RtcpType::kRtpfb:
      return "rtpfb";
    case RtcpType::kPsfb:
      return "psfb";
    case RtcpType::kXr:
      return "xr";
    case RtcpType::kOther:
      return "other";
  }
  return "other";
}

const char* to_string(RtcpParseStatus s) noexcept {
  switch (s) {
    case RtcpParseStatus::kOk:
      return "ok";
    case RtcpParseStatus::kTooShort:
      return "too_short";
    case RtcpParseStatus::kBadVersion:
      return "bad_version";
    case RtcpParseStatus::kBadFirstType:
      return "bad_first_type";
    case RtcpParseStatus::kBadType:
      return "bad_type";
    case RtcpParseStatus::kLengthMismatch:
      return "length_mismatch";
    case RtcpParseStatus::kBadPadding:
      return "bad_padding";
    case RtcpParseStatus::kBadReportCount:
      return "bad_report_count";
  }
  return "unknown";
}

}  // namespace rv::planes::media
