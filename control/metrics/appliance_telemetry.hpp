#pragma once
// DPDK telemetry commands for rvoipd, beside DPDK's own (/ethdev/stats ...), so that
// `dpdk-telemetry.py` shows the appliance too:
//   /rvoip/packets  frames by class and malformed/not-inspected counts
//   /rvoip/calls    active calls, calls by result, RTP streams active and total
// Callbacks run on DPDK's telemetry thread and read the lcores' counters (relaxed).

#include "control/appliance/appliance.hpp"

namespace rv::control {

// Registers the commands for `app` (which must outlive the process's telemetry use; the
// commands answer empty after unregister_telemetry()). Call after EAL init.
void register_telemetry(const Appliance& app);
void unregister_telemetry() noexcept;

}  // namespace rv::control
