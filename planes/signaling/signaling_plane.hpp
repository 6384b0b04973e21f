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
#include "planes/signaling/sctp_reassembler.hpp"
#include "planes/signaling/signaling_config.hpp"
#include "planes/signaling/signaling_counters.hpp"
#include "planes/signaling/signaling_events.hpp"
#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/tcp_reassembler.hpp"

namespace rv::planes::signaling {

class SignalingPlane {
 public:
  // Allocates all tables. `sink` must outlive the plane; nullptr drops events.
  explicit SignalingPlane(const SignalingPlaneConfig& config, SignalingEventSink* sink = nullptr);

  SignalingPlane(const SignalingPlane&) = delete;
  SignalingPlane& operator=(const SignalingPlane&) = delete;

  // Handles one SIP-classified L4 payload. For TCP, `tcp_seq`/`tcp_flags` drive reassembly and
  // zero or more messages come out (SIP framing, or WebSocket frames after an HTTP upgrade); for
  // UDP the datagram holds one message (octets after its Content-Length are ignored and
  // counted); for SCTP (flow.ip_proto 132, `payload` the chunks) every complete user message is
  // one. Returns the number of SIP messages parsed.
  uint32_t on_payload(std::span<const uint8_t> payload, const dataplane::FlowKey& flow, bool is_tcp,
                      uint32_t tcp_seq, uint8_t tcp_flags, uint64_t timestamp_ns) noexcept;

  // Timer tick (time of the packet clock): setup/call timeouts, lingering calls retired, idle
  // TCP streams released. Visits at most `budget_slots` slots of the call table and of the stream
  // table per call (rotating cursors), so a small budget bounds the work per tick; the default
  // visits everything. Returns how many calls/streams changed.
  uint32_t expire(uint64_t now_ns, std::size_t budget_slots = SIZE_MAX) noexcept;

  // A message parsed elsewhere (a probe's signaling.sip_message): counted and tracked as if
  // parsed here. Returns true when it was a retransmission.
  bool on_summary(const SipSummary& m, const dataplane::FlowKey& flow, uint64_t ts) noexcept {
    return tracker_.on_summary(m, flow, ts);
  }

  const SignalingCounters& counters() const noexcept { return counters_; }

  // End of run or shutdown (owning lcore): every call still tracked leaves as a kFlushed event.
  uint32_t flush(uint64_t now_ns) noexcept { return tracker_.flush(now_ns); }

  // Bytes preallocated by the call table, the TCP streams and caches.
  std::size_t memory_bytes() const noexcept;
  const CallTracker& tracker() const noexcept { return tracker_; }

 private:
  static void on_datagram_message(void* ctx, std::span<const uint8_t> msg,
                                  const dataplane::FlowKey& flow, uint64_t ts) noexcept;
  static void on_tcp_message(void* ctx, std::span<const uint8_t> msg, const dataplane::FlowKey& flow,
                             uint64_t ts, bool websocket) noexcept;
  bool handle(std::span<const uint8_t> msg, const dataplane::FlowKey& flow, bool is_tcp,
              uint64_t ts) noexcept;

  NullSignalingSink null_sink_;
  SignalingEventSink* sink_;
  SignalingCounters counters_;
  CallTracker tracker_;
  TcpReassembler tcp_;
  SctpReassembler sctp_;
  SipMessage msg_;  // scratch, reused per message
};

}  // namespace rv::planes::signaling
