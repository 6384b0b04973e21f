#pragma once
// Start-up configuration of one SignalingPlane (restart-only: sizes tables). The lead maps the
// YAML keys planes.signaling.* (config::SignalingConfig) with from_config().

#include <cstdint>

#include "config/config.hpp"

namespace rv::planes::signaling {

struct SignalingPlaneConfig {
  uint32_t max_calls = 131072;         // planes.signaling.max_calls
  uint32_t max_tcp_streams = 8192;     // planes.signaling.max_tcp_streams (one per direction)
  uint32_t tcp_buffer_bytes = 16384;   // planes.signaling.tcp_buffer_bytes (per stream)
  uint32_t max_sctp_messages = 256;    // SCTP user messages gathered at once (tcp_buffer_bytes each)
  uint64_t initiating_timeout_ns = 180'000'000'000ull;  // setup_timeout_s: no final response
  uint64_t call_timeout_ns = 14'400'000'000'000ull;     // call_timeout_s: answered, no BYE
  uint64_t linger_ns = 32'000'000'000ull;               // linger_s: ended calls kept
  uint64_t tcp_idle_timeout_ns = 300'000'000'000ull;    // idle stream released
  uint64_t tcp_gap_timeout_ns = 2'000'000'000ull;       // hole given up after this long
  uint64_t retransmission_window_ns = 32'000'000'000ull;  // 64*T1
  uint32_t retransmission_slots = 65536;  // direct-mapped recent-message cache (power of two)

  static SignalingPlaneConfig from_config(const config::SignalingConfig& c) noexcept {
    SignalingPlaneConfig p;
    p.max_calls = c.max_calls;
    p.max_tcp_streams = c.max_tcp_streams;
    p.tcp_buffer_bytes = c.tcp_buffer_bytes;
    p.initiating_timeout_ns = uint64_t(c.setup_timeout_s) * 1'000'000'000ull;
    p.call_timeout_ns = uint64_t(c.call_timeout_s) * 1'000'000'000ull;
    p.linger_ns = uint64_t(c.linger_s) * 1'000'000'000ull;
    return p;
  }
};

}  // namespace rv::planes::signaling
