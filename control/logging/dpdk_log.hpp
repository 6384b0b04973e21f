#pragma once
// DPDK's log stream (EAL, PMDs, telemetry: everything rte_log writes) routed into spdlog, so a
// JSON log stays one JSON object per line. Each line goes to the "dpdk" logger at the level of
// the message (rte_log_cur_msg_loglevel()): EMERG/ALERT/CRIT -> critical, ERR -> error,
// WARNING -> warn, NOTICE -> info, INFO -> debug, DEBUG -> trace. Control-plane set-up; the
// stream itself may be written from any thread (DPDK logs from lcores only on error paths).

#include <cstdio>
#include <string_view>

#include <spdlog/common.h>

namespace rv::control {

// Opens the cookie stream and makes it DPDK's log stream (rte_openlog_stream). Call before
// init_eal() so the EAL's own lines go through it. Idempotent. False when the stream cannot be
// created (DPDK then keeps writing to stderr).
bool route_dpdk_log_to_spdlog();

// The spdlog level of a DPDK message level (RTE_LOG_EMERG=1 .. RTE_LOG_DEBUG=8).
spdlog::level::level_enum spdlog_level_of_dpdk(unsigned rte_level);

// Lines DPDK prints at warning level on every start although nothing is wrong ("TELEMETRY: No
// legacy callbacks, legacy socket not created": DPDK 22.11 warns that the pre-v2 telemetry socket
// is not created, which rvoipd never asks for; later DPDK releases log it at debug). Such a line
// is logged at debug instead.
bool is_benign_dpdk_warning(std::string_view line);

}  // namespace rv::control
