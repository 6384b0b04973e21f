#pragma once
// Codecs and RTP payload types: the static payload-type table (RFC 3551 / IANA) and the
// encoding names SDP `a=rtpmap` uses for dynamic types. Pure and noexcept.

#include <cstdint>
#include <string_view>

namespace rv::planes::media {

enum class Codec : uint8_t {
  kUnknown = 0,  // dynamic payload type with no SDP mapping
  kPcmu,
  kG721,
  kGsm,
  kG723,
  kDvi4,
  kLpc,
  kPcma,
  kG722,
  kL16,
  kQcelp,
  kCn,
  kMpa,
  kG728,
  kG729,
  kCelb,
  kJpeg,
  kNv,
  kH261,
  kMpv,
  kMp2t,
  kH263,
  kTelephoneEvent,
  kOpus,
  kAmr,
  kAmrWb,
  kIlbc,
  kSpeex,
  kG726,
  kG7221,
  kEvs,
  kH264,
  kH265,
  kVp8,
  kVp9,
  kRed,
  kOther,
};
inline constexpr std::size_t kCodecCount = static_cast<std::size_t>(Codec::kOther) + 1;

// Name as SDP spells it ("PCMA", "telephone-event", ...); "unknown" for kUnknown.
const char* codec_name(Codec c) noexcept;

// A payload type's meaning in one stream: codec and RTP clock rate (0 = unknown, so no jitter).
struct PayloadInfo {
  Codec codec = Codec::kUnknown;
  uint32_t clock_rate = 0;
};

// Static payload types 0-34 (RFC 3551 table 4/5, the clock rates IANA lists). Dynamic and
// unassigned types give {kUnknown, 0}.
PayloadInfo static_payload(uint8_t pt) noexcept;

// Codec for an SDP encoding name (case-insensitive); kOther when not in our table.
Codec codec_from_name(std::string_view encoding) noexcept;

// Comfort noise: 13, and 19 as used before RFC 3389.
inline constexpr bool is_comfort_noise(uint8_t pt) noexcept {
  return pt == 13 || pt == 19;
}

}  // namespace rv::planes::media
