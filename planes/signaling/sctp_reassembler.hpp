#pragma once
// SctpReassembler: SIP over SCTP (RFC 4168). Each SCTP user message is one SIP message: a DATA
// chunk with both B and E flags is delivered as it is; fragments (B, then middle chunks, then
// E, on consecutive TSNs of one stream) are gathered in a preallocated slot and delivered when
// the E fragment arrives. A packet with three bundled DATA chunks gives three messages.
//
// Bounded: at most max_messages messages being gathered per instance, each in a slot of
// buffer_bytes; the slot table is probed over a small window, and a first fragment that finds
// no free slot is dropped and counted (`table_full`). Fragments that cannot complete a message
// (no first fragment seen, a TSN gap, a restart of the stream, a message larger than the slot,
// a message left unfinished for timeout_ns) are counted by reason in
// rvoip_sip_sctp_fragments_dropped_total; retransmitted fragments are ignored and counted.
// The chunk lengths were checked by the parser (dataplane/sctp_chunks.hpp); the walk here stops
// at the first bad one anyway.
//
// Single-threaded (owning lcore); noexcept and allocation-free after construction.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dataplane/flow_key.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "planes/signaling/signaling_counters.hpp"

namespace rv::planes::signaling {

struct SctpReassemblerConfig {
  uint32_t max_messages = 256;  // messages being gathered at once
  uint32_t buffer_bytes = 16384;
  uint64_t timeout_ns = 30'000'000'000ull;
};

class SctpReassembler {
 public:
  // Called for each complete user message. `msg` is valid only during the call.
  using MessageFn = void (*)(void* ctx, std::span<const uint8_t> msg, const dataplane::FlowKey& flow,
                             uint64_t timestamp_ns) noexcept;

  SctpReassembler(const SctpReassemblerConfig& config, SignalingCounters& counters);  // allocates

  // Walks the chunks of one SCTP packet of the directional flow `flow` (`chunks`: the bytes
  // after the common header). Returns the number of messages delivered.
  uint32_t on_packet(const dataplane::FlowKey& flow, std::span<const uint8_t> chunks,
                     uint64_t timestamp_ns, MessageFn fn, void* ctx) noexcept;

  // Drops messages left unfinished for longer than timeout_ns, visiting at most `budget` slots
  // from a rotating cursor; returns how many.
  uint32_t expire(uint64_t now_ns, std::size_t budget = SIZE_MAX) noexcept;

  uint32_t pending() const noexcept { return size_; }
  std::size_t memory_bytes() const noexcept;

 private:
  struct Slot {
    uint64_t key_hash = 0;  // 0: free
    dataplane::FlowKey flow;
    uint16_t stream = 0;
    bool unordered = false;
    uint32_t next_tsn = 0;
    uint32_t used = 0;
    uint64_t last_ns = 0;
  };
  static constexpr std::size_t kProbe = 8;

  uint64_t key_of(const dataplane::FlowKey& flow, const dataplane::SctpDataChunk& c) const noexcept;
  Slot* find(uint64_t hash, const dataplane::FlowKey& flow, const dataplane::SctpDataChunk& c) noexcept;
  Slot* claim(uint64_t hash) noexcept;
  void release(Slot& s) noexcept;
  void drop(SctpDropReason r) noexcept;
  bool append(Slot& s, std::span<const uint8_t> data) noexcept;
  uint32_t on_chunk(const dataplane::FlowKey& flow, const dataplane::SctpDataChunk& c, uint64_t ts,
                    MessageFn fn, void* ctx) noexcept;
  uint8_t* buf(const Slot& s) noexcept {
    return pool_.get() + std::size_t(&s - slots_.get()) * cfg_.buffer_bytes;
  }

  SctpReassemblerConfig cfg_;
  SignalingCounters& counters_;
  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_ = 0;
  uint32_t size_ = 0;
  std::unique_ptr<uint8_t[]> pool_;  // one buffer per slot
  std::size_t expire_cursor_ = 0;
};

}  // namespace rv::planes::signaling
