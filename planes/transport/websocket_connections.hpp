#pragma once
// WebSocketConnections: the TCP connections of one rx lcore that an HTTP upgrade to WebSocket
// for SIP (RFC 7118: `Upgrade: websocket`, `Sec-WebSocket-Protocol: sip`) turned into SIP
// transports, on any port. Their segments, both directions, go to the signaling plane, whose
// TCP reassembly reads the WebSocket frames.
//
// Bounded and preallocated: a fixed table probed over a small window; a new connection that
// finds the window full replaces the least recently seen one there (counted). A connection
// leaves at RST or when both directions sent FIN. Single-threaded (owning lcore), noexcept and
// allocation-free after construction.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dataplane/counter.hpp"
#include "dataplane/flow_key.hpp"

namespace rv::planes::transport {

class WebSocketConnections {
 public:
  explicit WebSocketConnections(std::size_t capacity_pow2 = 4096)  // allocates
      : slots_(std::make_unique<Slot[]>(capacity_pow2)), mask_(capacity_pow2 - 1) {}

  // Remembers the connection of `flow` (either direction). Returns false when it replaced
  // another connection.
  bool add(const dataplane::FlowKey& flow, uint64_t now_ns) noexcept {
    const dataplane::FlowKey k = flow.canonical();
    const uint64_t h = dataplane::hash_flow(k) | 1;
    Slot* free_slot = nullptr;
    Slot* oldest = nullptr;
    for (std::size_t n = 0, i = h & mask_; n < kProbe; ++n, i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == h && s.key == k) {
        s = Slot{h, k, now_ns, 0};  // the same 4-tuple upgraded again: a new connection
        return true;
      }
      if (s.hash == 0) {
        if (free_slot == nullptr) free_slot = &s;
      } else if (oldest == nullptr || s.last_ns < oldest->last_ns) {
        oldest = &s;
      }
    }
    *(free_slot != nullptr ? free_slot : oldest) = Slot{h, k, now_ns, 0};
    return free_slot != nullptr;
  }

  // True when the segment of `flow` belongs to a remembered connection; `tcp_flags` of the
  // segment retire it (RST, or the second direction's FIN).
  bool take(const dataplane::FlowKey& flow, uint8_t tcp_flags, uint64_t now_ns) noexcept {
    const dataplane::FlowKey k = flow.canonical();
    const uint64_t h = dataplane::hash_flow(k) | 1;
    for (std::size_t n = 0, i = h & mask_; n < kProbe; ++n, i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash != h || !(s.key == k)) continue;
      s.last_ns = now_ns;
      if (tcp_flags & dataplane::kTcpFin) s.fins |= (k == flow) ? 1 : 2;
      if ((tcp_flags & dataplane::kTcpRst) != 0 || s.fins == 3) s.hash = 0;
      return true;
    }
    return false;
  }

 private:
  static constexpr std::size_t kProbe = 8;
  struct Slot {
    uint64_t hash = 0;  // 0: free
    dataplane::FlowKey key;
    uint64_t last_ns = 0;
    uint8_t fins = 0;  // bit 0: FIN from key.src, bit 1: from key.dst
  };
  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_;
};

}  // namespace rv::planes::transport
