#pragma once
// SIP request methods known to the counters (rvoip_sip_requests_total{method}); anything else
// is kOther. Method names are case-sensitive (RFC 3261 §7.1).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling {

enum class SipMethod : uint8_t {
  kInvite,
  kAck,
  kBye,
  kCancel,
  kRegister,
  kOptions,
  kPrack,
  kUpdate,
  kInfo,
  kSubscribe,
  kNotify,
  kRefer,
  kMessage,
  kPublish,
  kOther,
  kCount,
};

inline constexpr std::size_t kSipMethodCount = static_cast<std::size_t>(SipMethod::kCount);

inline constexpr std::array<std::string_view, kSipMethodCount> kSipMethodNames = {
    "INVITE", "ACK",    "BYE",   "CANCEL",  "REGISTER", "OPTIONS", "PRACK", "UPDATE",
    "INFO",   "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH", "OTHER",
};

constexpr std::string_view to_string(SipMethod m) noexcept {
  const auto i = static_cast<std::size_t>(m);
  return i < kSipMethodNames.size() ? kSipMethodNames[i] : std::string_view("OTHER");
}

constexpr SipMethod sip_method_from(std::string_view s) noexcept {
  for (std::size_t i = 0; i + 1 < kSipMethodCount; ++i) {
    if (kSipMethodNames[i] == s) return static_cast<SipMethod>(i);
  }
  return SipMethod::kOther;
}

}  // namespace rv::planes::signaling
