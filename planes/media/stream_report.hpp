#pragma once
// StreamReport: one entry of the report's `streams[]` (DESIGN.md §8), built on the control
// thread from a live stream (MediaPlane::snapshot) or from a StreamEnded event. Allocates.

#include <cstdint>
#include <optional>
#include <string>

#include "dataplane/address_format.hpp"
#include "dataplane/flow_key.hpp"
#include "planes/media/media_events.hpp"

namespace rv::planes::media {

struct StreamReport {
  std::string src;  // "ip:port" ("[v6]:port" for IPv6)
  std::string dst;
  std::string ssrc;  // "0x%08X"
  uint8_t payload_type = 0;
  std::string codec;
  uint64_t packets = 0;
  int64_t expected = 0;
  int64_t lost = 0;
  uint32_t duplicates = 0;
  uint32_t reordered = 0;
  double jitter_mean_ms = 0;
  double jitter_max_ms = 0;
  double mos = 0;
  std::optional<std::string> call_id;  // null when no SDP association
  // Beyond §8, for call summaries and debugging.
  uint64_t call_hash = 0;
  uint64_t bytes = 0;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
  double rtt_ms = -1;
  bool ended = false;
  EndReason end_reason = EndReason::kFlushed;
};

using dataplane::format_endpoint;  // "ip:port", "[ip6]:port"
std::string format_ssrc(uint32_t ssrc);

// From an ended stream; `call_id` when the caller can resolve ev.call_hash (else null).
StreamReport make_report(const StreamEnded& ev, std::optional<std::string> call_id);

}  // namespace rv::planes::media
