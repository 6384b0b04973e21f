#pragma once
// Endpoint (address + port) and FlowKey (UDP/TCP 5-tuple) shared by transport, signaling and
// media. Trivially copyable so they can travel in static fast-path events.

#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

#include "dataplane/keyed_hash.hpp"
#include "dataplane/packet.hpp"

namespace rv::dataplane {

struct Endpoint {
  IpAddress addr;
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct FlowKey {
  Endpoint src;
  Endpoint dst;
  uint8_t ip_proto = 0;  // kIpProtoUdp or kIpProtoTcp

  static FlowKey from(const ParsedPacket& p) noexcept {
    return FlowKey{{p.src, p.src_port}, {p.dst, p.dst_port}, p.ip_proto};
  }
  // The same key for both directions of a conversation (lower endpoint first).
  FlowKey canonical() const noexcept {
    const int c = std::memcmp(src.addr.bytes.data(), dst.addr.bytes.data(), 16);
    if (c < 0 || (c == 0 && src.port <= dst.port)) return *this;
    return FlowKey{dst, src, ip_proto};
  }
  FlowKey reversed() const noexcept { return FlowKey{dst, src, ip_proto}; }
  friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

static_assert(std::is_trivially_copyable_v<FlowKey>);

// Hashes of the keys above and of byte strings, keyed with the process secret
// (dataplane/keyed_hash.hpp): tables and steering fed from the wire cannot be flooded with
// precomputed collisions. Values are process-local.

// SipHash-1-3 of `len` bytes; `seed` selects an independent function. `data` may be null when
// `len` is 0. Shared by the planes: Call-ID hashes join signaling and media.
inline uint64_t hash_bytes(const void* data, std::size_t len, uint64_t seed = 0) noexcept {
  return keyed_hash(data, len, seed);
}

namespace detail {
// TupleHasher positions: source address 0-3, destination address 4-7, ports 8, extra 9,
// address families 10. An IPv4 address is one chunk (its other bytes are zero).
inline void add_address(TupleHasher& h, std::size_t at, const IpAddress& a) noexcept {
  uint32_t c[4];
  std::memcpy(c, a.bytes.data(), sizeof(c));
  h.add(at, c[0]);
  if (a.family == L3Proto::kIpv4) return;
  h.add(at + 1, c[1]);
  h.add(at + 2, c[2]);
  h.add(at + 3, c[3]);
}
inline uint32_t families(const IpAddress& a, const IpAddress& b) noexcept {
  return uint32_t(a.family) << 8 | uint32_t(b.family) | 0x10000u;
}
}  // namespace detail

inline uint64_t hash_endpoint(const Endpoint& e) noexcept {
  TupleHasher h;
  detail::add_address(h, 0, e.addr);
  h.add(8, e.port);
  h.add(10, uint32_t(e.addr.family));
  return h.finish();
}

// The 5-tuple's addresses and ports plus 32 more bits chosen by the table (`extra`: the IP
// protocol for flows, the SSRC for RTP streams). 32-bit values.
inline uint64_t hash_flow_with(const FlowKey& k, uint32_t extra) noexcept {
  TupleHasher h;
  detail::add_address(h, 0, k.src.addr);
  detail::add_address(h, 4, k.dst.addr);
  h.add(8, uint32_t{k.src.port} << 16 | k.dst.port);
  h.add(9, extra);
  h.add(10, detail::families(k.src.addr, k.dst.addr));
  return h.finish();
}

inline uint64_t hash_flow(const FlowKey& k) noexcept {
  return hash_flow_with(k, k.ip_proto);
}

}  // namespace rv::dataplane

template <>
struct std::hash<rv::dataplane::FlowKey> {
  std::size_t operator()(const rv::dataplane::FlowKey& k) const noexcept {
    return rv::dataplane::hash_flow(k);
  }
};
