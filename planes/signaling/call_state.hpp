#pragma once
// Call states and results of DESIGN.md §5/§8 and their stable names (report, metric labels).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling {

// Initiating (INVITE, maybe 100) -> Ringing (18x) -> Active (2xx) -> Terminated.
enum class CallState : uint8_t { kInitiating, kRinging, kActive, kTerminated, kCount };

enum class CallResult : uint8_t { kAnswered, kFailed, kCancelled, kTimedOut, kInProgress, kCount };

// Why a call reached Terminated.
enum class CallEndReason : uint8_t {
  kNone,
  kBye,           // BYE after 2xx
  kFinalFailure,  // 3xx-6xx to the INVITE
  kCancel,        // CANCEL / 487 (or BYE before 2xx)
  kSetupTimeout,  // no final response within setup_timeout
  kCallTimeout,   // answered, no BYE within call_timeout
  kEvicted,       // pushed out of a full table
};

inline constexpr std::size_t kCallResultCount = static_cast<std::size_t>(CallResult::kCount);
inline constexpr std::size_t kCallStateCount = static_cast<std::size_t>(CallState::kCount);

constexpr std::string_view to_string(CallState s) noexcept {
  constexpr std::array<std::string_view, kCallStateCount> kNames = {"initiating", "ringing",
                                                                    "active", "terminated"};
  const auto i = static_cast<std::size_t>(s);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

constexpr std::string_view to_string(CallResult r) noexcept {
  constexpr std::array<std::string_view, kCallResultCount> kNames = {
      "answered", "failed", "cancelled", "timed_out", "in_progress"};
  const auto i = static_cast<std::size_t>(r);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

constexpr std::string_view to_string(CallEndReason r) noexcept {
  constexpr std::array<std::string_view, 7> kNames = {
      "none", "bye", "final_failure", "cancel", "setup_timeout", "call_timeout", "evicted"};
  const auto i = static_cast<std::size_t>(r);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::planes::signaling
