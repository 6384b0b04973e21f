#pragma once
// Byte-level helpers for crafting frames in tests and benchmarks: big-endian stores, text as
// bytes, Ethernet/IPv4/UDP framing, SCTP DATA chunks and a minimal compound RTCP (SR without
// report blocks + SDES CNAME).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace rv::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, std::size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

inline void put32(Bytes& b, std::size_t at, uint32_t v) {
  put16(b, at, static_cast<uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<uint16_t>(v));
}

inline Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// An IPv4 header (TTL 64, header checksum set) and a UDP header (no checksum) around `payload`.
// Addresses are host-order integers: 0x0a000001 is 10.0.0.1.
inline Bytes ipv4_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                      const Bytes& payload) {
  Bytes p(20 + 8 + payload.size(), 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<uint16_t>(p.size()));
  p[8] = 64;
  p[9] = 17;
  put32(p, 12, src);
  put32(p, 16, dst);
  uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += uint32_t(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  put16(p, 10, static_cast<uint16_t>(~sum));
  put16(p, 20, sport);
  put16(p, 22, dport);
  put16(p, 24, static_cast<uint16_t>(8 + payload.size()));
  std::copy(payload.begin(), payload.end(), p.begin() + 28);
  return p;
}

// An Ethernet II frame from 00:01:02:03:04:06 to 00:01:02:03:04:05 around `l3`.
inline Bytes ethernet(const Bytes& l3, uint16_t ethertype = 0x0800) {
  Bytes f = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, uint8_t(ethertype >> 8), uint8_t(ethertype)};
  f.insert(f.end(), l3.begin(), l3.end());
  return f;
}

// One SCTP DATA chunk (RFC 9260 §3.3.1) carrying `payload`, padded to 4 bytes. `flags`: 3 a
// whole message, 2 its first fragment, 0 a middle one, 1 the last.
inline Bytes sctp_data_chunk(const std::string& payload, uint8_t flags = 3, uint32_t tsn = 1,
                             uint16_t stream = 0) {
  Bytes c(16, 0);
  c[1] = flags;
  put16(c, 2, static_cast<uint16_t>(16 + payload.size()));
  put32(c, 4, tsn);
  put16(c, 8, stream);
  for (char ch : payload) c.push_back(static_cast<uint8_t>(ch));
  while (c.size() % 4 != 0) c.push_back(0);
  return c;
}

// SR (6 words) for `ssrc` without report blocks, then SDES with CNAME "a@b": 44 bytes.
inline Bytes rtcp_sr_sdes(uint32_t ssrc) {
  Bytes b(44, 0);
  b[0] = 0x80;
  b[1] = 200;
  put16(b, 2, 6);
  put32(b, 4, ssrc);
  b[28] = 0x81;
  b[29] = 202;
  put16(b, 30, 3);
  put32(b, 32, ssrc);
  b[36] = 1;
  b[37] = 3;
  b[38] = 'a';
  b[39] = '@';
  b[40] = 'b';
  return b;
}

}  // namespace rv::test
