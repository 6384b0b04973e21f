#pragma once
// Why SIP-over-SCTP fragments were dropped (planes/signaling/sctp_reassembler.hpp): label
// `reason` of rvoip_sip_sctp_fragments_dropped_total and the report's sip.sctp.dropped.

#include <array>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling {

enum class SctpDropReason : uint8_t {
  kNoFirstFragment = 0,  // a middle or last fragment whose first fragment was not seen
  kTsnGap,               // a fragment missing: the message gathered so far is lost
  kRestarted,            // a new first fragment on a stream whose message was unfinished
  kTooLarge,             // the message outgrew planes.signaling.tcp_buffer_bytes
  kTableFull,            // no free slot for a new fragmented message
  kTimedOut,             // unfinished for too long
  kDuplicate,            // a fragment already gathered (retransmission): ignored
  kCount,
};

inline constexpr std::size_t kSctpDropReasonCount = static_cast<std::size_t>(SctpDropReason::kCount);

constexpr std::string_view to_string(SctpDropReason r) noexcept {
  constexpr std::array<std::string_view, kSctpDropReasonCount> kNames = {
      "no_first_fragment", "tsn_gap", "restarted", "too_large", "table_full", "timed_out",
      "duplicate"};
  const auto i = static_cast<std::size_t>(r);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::planes::signaling
