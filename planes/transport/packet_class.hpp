#pragma once
// The classes the transport plane sorts packets into (report `packets`, metric
// rvoip_packets_total{class}).

#include <array>
#include <cstdint>
#include <string_view>

namespace rv::planes::transport {

enum class PacketClass : uint8_t { kSip = 0, kRtp, kRtcp, kOther, kCount };

inline constexpr std::size_t kPacketClassCount = static_cast<std::size_t>(PacketClass::kCount);

constexpr std::string_view to_string(PacketClass c) noexcept {
  constexpr std::array<std::string_view, kPacketClassCount> kNames = {"sip", "rtp", "rtcp",
                                                                      "other"};
  const auto i = static_cast<std::size_t>(c);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::planes::transport
