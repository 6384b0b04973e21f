#pragma once
// CallTracker: passive transaction/dialog tracking per Call-ID (DESIGN.md §5). Consumes parsed
// SIP messages in arrival order, keeps one CallRecord per INVITE dialog in a bounded CallTable,
// counts requests/responses/retransmissions/results, observes setup time, post-dial delay and
// duration, and emits CallEvents and MediaEndpointEvents to the sink.
//
// Single-threaded: one instance per lcore (messages steered by Call-ID). on_message() and
// expire() are noexcept and allocation-free. Results leave only as events: every change of a
// call carries its record, and the last event of a call (kRetired when it leaves the table,
// kFlushed at the end of a run) carries the final one.

#include <cstdint>
#include <memory>

#include "dataplane/flow_key.hpp"
#include "planes/signaling/call_table.hpp"
#include "planes/signaling/retransmission_cache.hpp"
#include "planes/signaling/sdp_parser.hpp"
#include "planes/signaling/signaling_config.hpp"
#include "planes/signaling/signaling_counters.hpp"
#include "planes/signaling/signaling_events.hpp"
#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/sip_summary.hpp"

namespace rv::planes::signaling {

class CallTracker {
 public:
  CallTracker(const SignalingPlaneConfig& config, SignalingCounters& counters,
              SignalingEventSink& sink);  // allocates (start-up only)

  // Returns true when `m` was a retransmission (counted, otherwise ignored).
  bool on_message(const SipMessage& m, const dataplane::FlowKey& flow, uint64_t ts) noexcept;
  // The same from a summary (a remote probe's signaling.sip_message): same logic, same events.
  bool on_summary(const SipSummary& m, const dataplane::FlowKey& flow, uint64_t ts) noexcept;

  // Applies timeouts and retires lingering calls, visiting at most `budget` table slots from a
  // rotating cursor (the whole table when budget >= capacity). Returns calls that changed.
  uint32_t expire(uint64_t now_ns, std::size_t budget) noexcept;

  // End of run or shutdown (owning lcore, after its last packet): publishes every call still in
  // the table as kFlushed, unchanged. Returns how many.
  uint32_t flush(uint64_t ts) noexcept;

  const CallTable& table() const noexcept { return table_; }
  std::size_t memory_bytes() const noexcept;

 private:
  CallRecord* start_call(const SipSummary& m, uint64_t hash, uint64_t ts) noexcept;
  void on_request(const SipSummary& m, uint64_t ts) noexcept;
  void on_response(const SipSummary& m, uint64_t ts) noexcept;
  void on_invite_response(CallRecord& c, const SipSummary& m, uint64_t ts) noexcept;
  void terminate(CallRecord& c, CallResult result, CallEndReason why, uint64_t ts) noexcept;
  void retire(std::size_t slot, uint64_t ts) noexcept;
  void on_registration(const SipSummary& m, const dataplane::FlowKey& flow, uint64_t ts) noexcept;
  // Learns media endpoints from an SDP body; `mid_call`: a re-INVITE/UPDATE exchange, so a
  // change is reported as kMediaChanged.
  void learn_sdp(CallRecord& c, const SipSummary& m, bool from_caller, bool offer, bool mid_call,
                 uint64_t ts) noexcept;
  void emit(const CallRecord& c, CallEventKind kind, uint64_t ts) noexcept;
  void count_result(CallRecord& c, CallResult r) noexcept;
  bool is_retransmission(const SipSummary& m, uint64_t ts) noexcept;

  SignalingPlaneConfig cfg_;
  SignalingCounters& counters_;
  SignalingEventSink& sink_;
  CallTable table_;
  RetransmissionCache retrans_;
  std::size_t expire_cursor_ = 0;
  uint64_t active_ = 0;
  SdpSession sdp_;  // scratch, reused per message
};

}  // namespace rv::planes::signaling
