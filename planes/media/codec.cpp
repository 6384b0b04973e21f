#include "planes/media/codec.hpp"

#include <array>

namespace rv::planes::media {
namespace {

constexpr std::array<const char*, kCodecCount> kNames = {
    "unknown",
    "PCMU",
    "G721",
    "GSM",
    "G723",
    "DVI4",
    "LPC",
    "PCMA",
    "G722",
    "L16",
    "QCELP",
    "CN",
    "MPA",
    "G728",
    "G729",
    "CelB",
    "JPEG",
    "nv",
    "H261",
    "MPV",
    "MP2T",
    "H263",
    "telephone-event",
    "opus",
    "AMR",
    "AMR-WB",
    "iLBC",
    "speex",
    "G726",
    "G7221",
    "EVS",
    "H264",
    "H265",
    "VP8",
    "VP9",
    "red",
    "other",
};

struct StaticEntry {
  Codec codec;
  uint32_t clock;
};

// Index = payload type 0-34; {kUnknown, 0} where unassigned.
constexpr std::array<StaticEntry, 35> kStatic = {{
    {Codec::kPcmu, 8000},  {Codec::kOther, 8000} /* 1016 */,
    {Codec::kG721, 8000},  {Codec::kGsm, 8000},
    {Codec::kG723, 8000},  {Codec::kDvi4, 8000},
    {Codec::kDvi4, 16000}, {Codec::kLpc, 8000},
    {Codec::kPcma, 8000},  {Codec::kG722, 8000},
    {Codec::kL16, 44100},  {Codec::kL16, 44100},
    {Codec::kQcelp, 8000}, {Codec::kCn, 8000},
    {Codec::kMpa, 90000},  {Codec::kG728, 8000},
    {Codec::kDvi4, 11025}, {Codec::kDvi4, 22050},
    {Codec::kG729, 8000},  {Codec::kCn, 8000},
    {Codec::kUnknown, 0},  {Codec::kUnknown, 0},
    {Codec::kUnknown, 0},  {Codec::kUnknown, 0},
    {Codec::kUnknown, 0},  {Codec::kCelb, 90000},
    {Codec::kJpeg, 90000}, {Codec::kUnknown, 0},
    {Codec::kNv, 90000},   {Codec::kUnknown, 0},
    {Codec::kUnknown, 0},  {Codec::kH261, 90000},
    {Codec::kMpv, 90000},  {Codec::kMp2t, 90000},
    {Codec::kH263, 90000},
}};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

const char* codec_name(Codec c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  return i < kNames.size() ? kNames[i] : "other";
}

PayloadInfo static_payload(uint8_t pt) noexcept {
  if (pt >= kStatic.size()) return {};
  return {kStatic[pt].codec, kStatic[pt].clock};
}

Codec codec_from_name(std::string_view encoding) noexcept {
  if (iequals(encoding, "G729A") || iequals(encoding, "G729B")) return Codec::kG729;
  if (encoding.size() > 5 && iequals(encoding.substr(0, 5), "G726-")) return Codec::kG726;
  for (std::size_t i = 1; i + 1 < kNames.size(); ++i) {
    if (iequals(encoding, kNames[i])) return static_cast<Codec>(i);
  }
  return Codec::kOther;
}

}  // namespace rv::planes::media
