#pragma once
// What the WebSocket framing of TcpReassembler (tcp_reassembler.hpp, ws_frame) found wrong:
// label `reason` of rvoip_sip_websocket_errors_total and the report's sip.websocket.errors.

#include <array>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling {

enum class WsError : uint8_t {
  kUnmaskedClientFrame = 0,  // RFC 6455 §5.1: a client must mask; decoded anyway, as Wireshark
  kMaskedServerFrame,        // a server must not mask; decoded anyway
  kBadLength,                // a 64-bit payload length with its top bit set
  kFrameTooLarge,            // longer than planes.signaling.tcp_buffer_bytes: skipped
  kTruncatedFrame,           // the connection ended inside a frame (length past the end)
  kBadOpcode,                // a reserved opcode: the rest of the direction is not read
  kCompressedFrame,          // RSV1 (permessage-deflate): not inflated, skipped
  kBadControlFrame,          // a control frame fragmented or longer than 125 bytes: skipped
  kContinuationWithoutStart, // opcode 0 with no message begun: skipped
  kInterruptedMessage,       // a new text/binary frame before the last fragment: the part is lost
  kBadUpgrade,               // an HTTP upgrade header block larger than the buffer
  kCount,
};

inline constexpr std::size_t kWsErrorCount = static_cast<std::size_t>(WsError::kCount);

constexpr std::string_view to_string(WsError e) noexcept {
  constexpr std::array<std::string_view, kWsErrorCount> kNames = {
      "unmasked_client_frame", "masked_server_frame",  "bad_length",
      "frame_too_large",       "truncated_frame",      "bad_opcode",
      "compressed_frame",      "bad_control_frame",    "continuation_without_start",
      "interrupted_message",   "bad_upgrade"};
  const auto i = static_cast<std::size_t>(e);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::planes::signaling
