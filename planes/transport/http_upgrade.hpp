#pragma once
// The HTTP/1.1 handshake that turns a TCP connection into a WebSocket (RFC 6455 §4, RFC 7118
// §4.1): a GET with `Upgrade: websocket` from the client, `101` with the same header from the
// server. Pure, noexcept, allocation-free: runs on lcores. Header names and the `websocket` and
// `sip` tokens are matched case-insensitively.

#include <cstdint>
#include <span>

namespace rv::planes::transport {

struct HttpUpgrade {
  enum class Kind : uint8_t {
    kNone,      // not an HTTP upgrade to WebSocket (or not HTTP at all)
    kNeedMore,  // starts as a GET or a 101 response, the header block is not complete yet
    kRequest,   // GET ... Upgrade: websocket
    kResponse,  // HTTP/1.1 101 ... Upgrade: websocket
  };
  Kind kind = Kind::kNone;
  uint32_t header_bytes = 0;  // the header block with its blank line (kRequest, kResponse)
  bool sip = false;           // Sec-WebSocket-Protocol names `sip`
};

// Reads the HTTP message at the start of `data`.
HttpUpgrade parse_http_upgrade(std::span<const uint8_t> data) noexcept;

// True when `data` begins like a client's upgrade request (a `GET ` line): worth keeping the
// connection's next bytes. Cheap: used on every TCP segment of unknown connections.
inline bool starts_like_http_get(std::span<const uint8_t> data) noexcept {
  return data.size() >= 4 && data[0] == 'G' && data[1] == 'E' && data[2] == 'T' && data[3] == ' ';
}

}  // namespace rv::planes::transport
