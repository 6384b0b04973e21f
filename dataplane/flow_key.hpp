#pragma once
// Endpoint (address + port) and FlowKey (UDP/TCP 5-tuple) shared by transport, signaling and
// media. Trivially copyable so they can travel in static fast-path events.

#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

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

// A 64-bit hash of `len` bytes, 8 bytes per step (multiply-xorshift mixing); stable across runs
// and processes (it picks shards: the same key always reaches the same shard) and shared by the
// planes (Call-ID hashes join signaling and media).
inline uint64_t mix64(uint64_t x) noexcept {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  return x ^ (x >> 32);
}

inline uint64_t hash_bytes(const void* data, std::size_t len,
                           uint64_t seed = 0xcbf29ce484222325ull) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed ^ (uint64_t(len) * 0x9e3779b97f4a7c15ull);
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ mix64(v)) * 0x9e3779b97f4a7c15ull;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, len);
  h = (h ^ mix64(tail ^ (uint64_t(len) << 56))) * 0x9e3779b97f4a7c15ull;
  return mix64(h);
}

inline uint64_t hash_endpoint(const Endpoint& e) noexcept {
  uint64_t h = hash_bytes(e.addr.bytes.data(), e.addr.bytes.size());
  return hash_bytes(&e.port, sizeof(e.port), h);
}

inline uint64_t hash_flow(const FlowKey& k) noexcept {
  uint64_t h = hash_endpoint(k.src) * 31 + hash_endpoint(k.dst);
  return hash_bytes(&k.ip_proto, 1, h);
}

}  // namespace rv::dataplane

template <>
struct std::hash<rv::dataplane::FlowKey> {
  std::size_t operator()(const rv::dataplane::FlowKey& k) const noexcept {
    return rv::dataplane::hash_flow(k);
  }
};
