#pragma once
// TcpReassembler: per-direction in-order reassembly of SIP over TCP and SIP framing
// (RFC 3261 §18.3: messages delimited by Content-Length). Bounded: at most max_streams streams,
// each with one preallocated buffer of buffer_bytes holding the unconsumed in-order bytes plus
// one held out-of-order range. Retransmitted data is dropped, a hole that does not fill within
// gap_timeout (or that the buffer cannot bridge) is given up and counted as a gap, after which
// the stream resynchronises on the next SIP start line. Streams first seen mid-connection (no
// SYN) also resynchronise. No message is lost silently: one larger than the buffer counts as
// malformed "too_large", one cut off when its stream ends (FIN, RST, eviction, idle timeout) as
// "incomplete", both in rvoip_sip_malformed_total.
//
// WebSocket (RFC 7118): a direction whose bytes begin with an HTTP upgrade to WebSocket (the
// client's GET or the server's 101) is read as WebSocket frames from then on: masked and
// unmasked frames, messages fragmented over continuation frames (gathered at the front of the
// stream's buffer, unmasked in place), text and binary; control frames are skipped. Each message
// is one SIP message. Frames in breach of RFC 6455 are counted by WsError; after a hole in the
// stream the direction's frame boundaries are lost and its bytes are skipped. Single-threaded (owning lcore); noexcept and allocation-free after
// construction.

#include <cstdint>
#include <cstddef>
#include <memory>
#include <span>

#include "dataplane/flow_key.hpp"
#include "planes/signaling/signaling_counters.hpp"

namespace rv::planes::signaling {

struct TcpReassemblerConfig {
  uint32_t max_streams = 8192;
  uint32_t buffer_bytes = 16384;
  uint64_t gap_timeout_ns = 2'000'000'000ull;
  uint64_t idle_timeout_ns = 300'000'000'000ull;
};

class TcpReassembler {
 public:
  // Called for each complete message, in stream order. `msg` is valid only during the call.
  // `websocket`: the message is a WebSocket message (its length is the frame's, so SIP's
  // Content-Length is optional, as over UDP).
  using MessageFn = void (*)(void* ctx, std::span<const uint8_t> msg, const dataplane::FlowKey& flow,
                             uint64_t timestamp_ns, bool websocket) noexcept;

  TcpReassembler(const TcpReassemblerConfig& config, SignalingCounters& counters);  // allocates

  // Feeds one segment of the directional flow `flow`. Returns the number of messages delivered.
  uint32_t on_segment(const dataplane::FlowKey& flow, uint32_t seq, uint8_t tcp_flags,
                      std::span<const uint8_t> payload, uint64_t timestamp_ns, MessageFn fn,
                      void* ctx) noexcept;

  // Releases streams idle for longer than idle_timeout, visiting at most `budget` slots from a
  // rotating cursor; returns how many.
  uint32_t expire(uint64_t now_ns, std::size_t budget = SIZE_MAX) noexcept;

  uint32_t streams() const noexcept { return size_; }
  std::size_t memory_bytes() const noexcept;

 private:
  struct Stream {
    uint64_t key_hash = 0;  // 0: empty slot
    dataplane::FlowKey key;
    uint64_t last_ns = 0;
    uint64_t ooo_since_ns = 0;
    uint32_t next_seq = 0;   // sequence number of buffer offset `used`
    uint32_t used = 0;       // in-order bytes in the buffer
    uint32_t ooo_begin = 0;  // held out-of-order bytes [ooo_begin, ooo_end) (buffer offsets)
    uint32_t ooo_end = 0;
    uint32_t buffer = 0;     // index into the buffer pool
    uint32_t skip = 0;       // bytes still to drop of a message larger than the buffer
    bool synced = false;     // buffer starts at a message boundary
    uint8_t mode = 0;        // Mode
    bool ws_in_message = false;  // a fragmented WebSocket message was begun
    uint32_t ws_gathered = 0;    // its payload so far, unmasked, at the front of the buffer
  };
  enum Mode : uint8_t { kSip = 0, kWsClient, kWsServer, kWsLost };

  Stream* find_or_create(const dataplane::FlowKey& flow, uint64_t hash, uint64_t now) noexcept;
  Stream* find(const dataplane::FlowKey& flow, uint64_t hash) noexcept;
  void erase(std::size_t slot) noexcept;
  bool holds_partial_message(const Stream& s) noexcept;
  void evict_one(uint64_t hash) noexcept;
  uint8_t* buf(const Stream& s) noexcept { return pool_.get() + std::size_t(s.buffer) * cfg_.buffer_bytes; }
  void give_up_hole(Stream& s) noexcept;
  void append_in_order(Stream& s, std::span<const uint8_t> data, uint64_t ts, MessageFn fn, void* ctx,
                       uint32_t& delivered) noexcept;
  void hold_out_of_order(Stream& s, uint32_t offset, std::span<const uint8_t> data, uint64_t ts) noexcept;
  uint32_t extract(Stream& s, uint64_t ts, MessageFn fn, void* ctx) noexcept;
  void consume(Stream& s, uint32_t n) noexcept { remove(s, 0, n); }
  void remove(Stream& s, uint32_t at, uint32_t n) noexcept;
  bool upgrade(Stream& s) noexcept;
  bool ws_frame(Stream& s, uint64_t ts, MessageFn fn, void* ctx, uint32_t& delivered) noexcept;
  void ws_error(WsError e) noexcept { counters_.ws_errors[static_cast<std::size_t>(e)].add(); }
  bool resync(Stream& s) noexcept;

  TcpReassemblerConfig cfg_;
  SignalingCounters& counters_;
  std::unique_ptr<Stream[]> slots_;
  std::size_t mask_ = 0;
  uint32_t size_ = 0;
  std::unique_ptr<uint8_t[]> pool_;
  std::unique_ptr<uint32_t[]> free_buffers_;  // stack of free buffer indices
  uint32_t free_count_ = 0;
  std::size_t expire_cursor_ = 0;
};

}  // namespace rv::planes::signaling
