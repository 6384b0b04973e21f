#pragma once
// TLS recognised on any TCP port (SIP over TLS, RFC 3261 §26.2): the first record of a
// connection direction is a handshake record (content type 22, version 3.x) holding a
// ClientHello or a ServerHello. Nothing is decrypted. Pure, noexcept: runs on lcores.

#include <cstdint>
#include <span>

namespace rv::planes::transport {

enum class TlsHello : uint8_t { kNone = 0, kClient, kServer };

inline TlsHello tls_hello(std::span<const uint8_t> p) noexcept {
  // Record: type, version (2), length (2); handshake: type, length (3), version (2).
  if (p.size() < 11 || p[0] != 22 || p[1] != 3 || p[2] > 4) return TlsHello::kNone;
  const uint32_t record_len = (uint32_t{p[3]} << 8) | p[4];
  const uint32_t hs_len = (uint32_t{p[6]} << 16) | (uint32_t{p[7]} << 8) | p[8];
  if (record_len < 4 || hs_len + 4 > (1u << 24) || p[9] != 3) return TlsHello::kNone;
  if (p[5] == 1) return TlsHello::kClient;
  if (p[5] == 2) return TlsHello::kServer;
  return TlsHello::kNone;
}

}  // namespace rv::planes::transport
