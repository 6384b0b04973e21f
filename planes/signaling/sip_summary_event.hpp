#pragma once
// Between a SipSummary and the signaling.sip_message event that carries it off the lcore (and,
// in a probe, across to the analyzer). noexcept, no allocation.

#include "planes/signaling/signaling_events.hpp"
#include "planes/signaling/sip_summary.hpp"

namespace rv::planes::signaling {

// Copies what the call tracker reads of `m` into `e` (strings truncated; the body only when it
// is SDP, truncation flagged). Leaves the other fields of `e` alone.
void store_summary(const SipSummary& m, SipMessageEvent& e) noexcept;

// Views into `e` (valid while `e` is).
SipSummary summary_of(const SipMessageEvent& e) noexcept;

}  // namespace rv::planes::signaling
