#pragma once
// SignalingPlane: the signaling plane of one lcore/shard (DESIGN.md §5). Feed it every
// SIP-classified L4 payload of its shard; it reassembles SIP over TCP, parses SIP and SDP, tracks
// calls, updates counters and emits events to the sink.
//
// Threads: construct and configure on the control thread at start-up (allocates every table);
// after that on_payload() and expire() run on the one owning lcore only (noexcept, no heap, no
// locks, no logging). counters() may be read from any thread at any time (relaxed atomics).
// snapshot_calls() allocates and must run on the control thread while the lcore is stopped (or
// after the lcore has handed over; it reads the tables without synchronisation).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dataplane/flow_key.hpp"
#include "planes/signaling/call_tracker.hpp"
#include "planes/signaling/signaling_config.hpp"
#include "planes/signaling/signaling_counters.hpp"
#include "planes/signaling/signaling_events.hpp"
#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/tcp_reassembler.hpp"

namespace rv::planes::signaling {

// One media stream of a call, for the report.
struct CallMediaSnapshot {
  std::string endpoint;  // "ip:port" ("[v6]:port")
  std::string media;     // audio | video | other
  std::string side;      // caller | callee
  uint8_t payload_type = 0;
  std::string codec;
  uint32_t clock_rate = 0;
};

// One call for the report (DESIGN.md §8 calls[]).
struct CallSnapshot {
  std::string call_id;  // truncated to 80 bytes
  uint64_t call_id_hash = 0;
  std::string from;
  std::string to;
  std::string state;       // initiating | ringing | active | terminated
  std::string result;      // answered | failed | cancelled | timed_out | in_progress
  std::string end_reason;  // none | bye | final_failure | cancel | setup_timeout | call_timeout | evicted
  uint16_t final_code = 0;
  uint64_t start_ns = 0;   // INVITE time
  std::optional<double> setup_ms;            // INVITE -> 2xx
  std::optional<double> post_dial_delay_ms;  // INVITE -> first 18x
  std::optional<double> duration_s;          // 2xx -> BYE (or last message on timeout)
  std::vector<CallMediaSnapshot> media;
};

class SignalingPlane {
 public:
  // Allocates all tables. `sink` must outlive the plane; nullptr drops events.
  explicit SignalingPlane(const SignalingPlaneConfig& config, SignalingEventSink* sink = nullptr);

  SignalingPlane(const SignalingPlane&) = delete;
  SignalingPlane& operator=(const SignalingPlane&) = delete;

  // Handles one SIP-classified L4 payload. For TCP, `tcp_seq`/`tcp_flags` drive reassembly and
  // zero or more messages come out; for UDP the datagram holds one message (octets after its
  // Content-Length are ignored and counted). Returns the number of SIP messages parsed.
  uint32_t on_payload(std::span<const uint8_t> payload, const dataplane::FlowKey& flow, bool is_tcp,
                      uint32_t tcp_seq, uint8_t tcp_flags, uint64_t timestamp_ns) noexcept;

  // Timer tick (time of the packet clock): setup/call timeouts, lingering calls retired, idle
  // TCP streams released. Visits at most `budget_slots` slots of the call table and of the stream
  // table per call (rotating cursors), so a small budget bounds the work per tick; the default
  // visits everything. Returns how many calls/streams changed.
  uint32_t expire(uint64_t now_ns, std::size_t budget_slots = SIZE_MAX) noexcept;

  const SignalingCounters& counters() const noexcept { return counters_; }

  // Calls in the table plus the finished calls retired from it (oldest first), for the report.
  std::vector<CallSnapshot> snapshot_calls() const;

  // Bytes preallocated by the call table, the TCP streams and caches.
  std::size_t memory_bytes() const noexcept;
  const CallTracker& tracker() const noexcept { return tracker_; }

 private:
  static void on_tcp_message(void* ctx, std::span<const uint8_t> msg, const dataplane::FlowKey& flow,
                             uint64_t ts) noexcept;
  bool handle(std::span<const uint8_t> msg, const dataplane::FlowKey& flow, bool is_tcp,
              uint64_t ts) noexcept;

  NullSignalingSink null_sink_;
  SignalingCounters counters_;
  CallTracker tracker_;
  TcpReassembler tcp_;
  SipMessage msg_;  // scratch, reused per message
};

}  // namespace rv::planes::signaling
