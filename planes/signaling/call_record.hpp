#pragma once
// CallRecord: the fixed-size state of one INVITE dialog (per Call-ID), stored by value in the
// preallocated CallTable. Strings are truncated copies (the packet is gone after the message).

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet.hpp"
#include "planes/signaling/call_state.hpp"

namespace rv::planes::signaling {

// A bounded, NUL-free copy of a string (truncated at N - 1 bytes; last byte holds the length).
template <std::size_t N>
struct FixedString {
  static_assert(N >= 2 && N <= 256);
  std::array<char, N - 1> data{};
  uint8_t len = 0;

  void assign(std::string_view s) noexcept {
    len = static_cast<uint8_t>(std::min(s.size(), data.size()));
    std::copy_n(s.data(), len, data.data());
  }
  std::string_view view() const noexcept { return {data.data(), len}; }
};

// One media stream of the call as negotiated by SDP (offer from the caller, answer from the callee).
struct CallMedia {
  dataplane::IpAddress addr;
  uint16_t port = 0;
  uint8_t kind = 0;          // SdpMediaKind
  uint8_t from_caller = 0;   // 1: learned from the caller's SDP
  uint8_t mline = 0;         // index of the m= line in its SDP
  uint8_t payload_type = 0;  // first payload type of the m= line
  uint32_t clock_rate = 0;   // of that payload type (0: unknown)
  std::array<char, 12> codec{};  // its encoding name, NUL-padded
};

struct CallRecord {
  static constexpr std::size_t kMaxMedia = 4;
  enum Flags : uint8_t {
    kCancelSeen = 1,
    kChallenged = 2,   // 401/407 to the INVITE: the caller may retry with a higher CSeq
    kForked = 4,
    kCounted = 8,      // the result has been counted in calls_total
  };

  uint64_t key_hash = 0;  // hash of the full Call-ID; 0 marks an empty slot
  uint64_t invite_ns = 0;
  uint64_t first_provisional_ns = 0;  // first 18x (post-dial delay)
  uint64_t answer_ns = 0;
  uint64_t end_ns = 0;
  uint64_t last_ns = 0;               // last message of the call (timeouts)
  uint64_t callee_tag_hash = 0;       // To-tag of the first 18x/2xx (forking detection)
  uint32_t invite_cseq = 0;
  uint16_t final_code = 0;
  uint16_t call_id_full_len = 0;
  uint16_t q850_cause = 0;            // cause of the first Reason: Q.850 header seen (0: none)
  CallState state = CallState::kInitiating;
  CallResult result = CallResult::kInProgress;
  CallEndReason end_reason = CallEndReason::kNone;
  uint8_t flags = 0;
  uint8_t media_count = 0;
  FixedString<81> call_id;
  FixedString<64> from;  // From URI (addr-spec)
  FixedString<64> to;    // To URI
  FixedString<33> from_tag;
  FixedString<33> to_tag;        // of the first 18x/2xx to the INVITE carrying one
  FixedString<48> user_agent;    // User-Agent of the initial INVITE (truncated)
  dataplane::FlowKey flow;       // the initial INVITE as captured (caller side -> callee side)
  std::array<CallMedia, kMaxMedia> media{};

  bool empty() const noexcept { return key_hash == 0; }
  bool has(uint8_t f) const noexcept { return (flags & f) != 0; }
};

static_assert(std::is_trivially_copyable_v<CallRecord>);

// Hash of a Call-ID; never 0 (0 marks empty slots). Also the steering/session key in events.
uint64_t hash_call_id(std::string_view call_id) noexcept;

}  // namespace rv::planes::signaling
