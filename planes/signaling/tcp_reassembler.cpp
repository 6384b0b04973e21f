#include "planes/signaling/tcp_reassembler.hpp"

#include <bit>
#include <cstring>

#include "dataplane/byte_order.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "planes/transport/http_upgrade.hpp"

namespace rv::planes::signaling {

using transport::HttpUpgrade;
using transport::parse_http_upgrade;

namespace {
constexpr std::size_t kVictimScan = 16;
}  // namespace

TcpReassembler::TcpReassembler(const TcpReassemblerConfig& config, SignalingCounters& counters)
    : cfg_(config), counters_(counters) {
  if (cfg_.max_streams == 0) cfg_.max_streams = 1;
  if (cfg_.buffer_bytes < 256) cfg_.buffer_bytes = 256;
  const std::size_t want = std::size_t(cfg_.max_streams) + cfg_.max_streams / 3 + 1;
  const std::size_t cap = std::bit_ceil(want < 16 ? std::size_t(16) : want);
  slots_ = std::make_unique<Stream[]>(cap);
  mask_ = cap - 1;
  // Not zeroed: pages of unused buffers are never touched.
  pool_ = std::make_unique_for_overwrite<uint8_t[]>(std::size_t(cfg_.max_streams) * cfg_.buffer_bytes);
  free_buffers_ = std::make_unique<uint32_t[]>(cfg_.max_streams);
  for (uint32_t i = 0; i < cfg_.max_streams; ++i) free_buffers_[i] = cfg_.max_streams - 1 - i;
  free_count_ = cfg_.max_streams;
}

std::size_t TcpReassembler::memory_bytes() const noexcept {
  return (mask_ + 1) * sizeof(Stream) + std::size_t(cfg_.max_streams) * cfg_.buffer_bytes +
         std::size_t(cfg_.max_streams) * sizeof(uint32_t);
}

TcpReassembler::Stream* TcpReassembler::find(const dataplane::FlowKey& flow, uint64_t hash) noexcept {
  for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
    Stream& s = slots_[i];
    if (s.key_hash == 0) return nullptr;
    if (s.key_hash == hash && s.key == flow) return &s;
  }
}

// True when the buffer holds part of a message, not just CRLF keep-alives (RFC 5626 §4.4.1).
bool TcpReassembler::holds_partial_message(const Stream& s) noexcept {
  if (s.mode == kWsClient || s.mode == kWsServer) return s.used > 0;
  if (!s.synced) return false;
  const uint8_t* b = buf(s);
  for (uint32_t i = 0; i < s.used; ++i) {
    if (b[i] != '\r' && b[i] != '\n') return true;
  }
  return false;
}

void TcpReassembler::erase(std::size_t slot) noexcept {
  // The stream ends (FIN, RST, eviction, idle): a message it was still receiving is lost.
  if (holds_partial_message(slots_[slot])) {
    if (slots_[slot].mode == kSip) {
      counters_.malformed[std::size_t(SipParseStatus::kIncomplete)].add();
    } else {
      ws_error(WsError::kTruncatedFrame);
    }
  }
  free_buffers_[free_count_++] = slots_[slot].buffer;
  std::size_t i = slot;
  for (std::size_t j = (i + 1) & mask_; slots_[j].key_hash != 0; j = (j + 1) & mask_) {
    const std::size_t h = slots_[j].key_hash & mask_;
    if (((j - h) & mask_) >= ((j - i) & mask_)) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i].key_hash = 0;
  --size_;
  counters_.tcp_streams_active.set(size_);
}

void TcpReassembler::evict_one(uint64_t hash) noexcept {
  std::size_t best = mask_ + 1;
  std::size_t seen = 0;
  for (std::size_t n = 0, i = hash & mask_; n <= mask_ && seen < kVictimScan; ++n, i = (i + 1) & mask_) {
    if (slots_[i].key_hash == 0) continue;
    ++seen;
    if (best > mask_ || slots_[i].last_ns < slots_[best].last_ns) best = i;
  }
  if (best <= mask_) {
    erase(best);
    counters_.tcp_streams_evicted.add();
  }
}

TcpReassembler::Stream* TcpReassembler::find_or_create(const dataplane::FlowKey& flow, uint64_t hash,
                                                       uint64_t now) noexcept {
  if (Stream* s = find(flow, hash)) return s;
  if (size_ >= cfg_.max_streams || free_count_ == 0) evict_one(hash);
  std::size_t i = hash & mask_;
  while (slots_[i].key_hash != 0) i = (i + 1) & mask_;
  Stream& s = slots_[i];
  s = Stream{};
  s.key_hash = hash;
  s.key = flow;
  s.last_ns = now;
  s.buffer = free_buffers_[--free_count_];
  ++size_;
  counters_.tcp_streams_active.set(size_);
  return &s;
}

// Removes buffer bytes [at, at + n) of the in-order part; what follows moves down.
void TcpReassembler::remove(Stream& s, uint32_t at, uint32_t n) noexcept {
  uint8_t* b = buf(s);
  const uint32_t keep_end = s.ooo_end > s.used ? s.ooo_end : s.used;
  std::memmove(b + at, b + at + n, keep_end - at - n);
  s.used -= n;
  if (s.ooo_end > s.ooo_begin) {
    s.ooo_begin -= n;
    s.ooo_end -= n;
  }
}

// Skips to the first line that is a SIP start line; false when none is in the buffer yet.
bool TcpReassembler::resync(Stream& s) noexcept {
  const uint8_t* b = buf(s);
  uint32_t line = 0;
  while (line < s.used) {
    if (looks_like_sip_start_line({b + line, s.used - line})) {
      counters_.tcp_resync_skipped_bytes.add(line);
      if (line > 0) consume(s, line);
      s.synced = true;
      return true;
    }
    const void* lf = std::memchr(b + line, '\n', s.used - line);
    if (lf == nullptr) break;
    line = uint32_t(static_cast<const uint8_t*>(lf) - b) + 1;
  }
  // Keep only the unterminated last line: it may become a start line.
  counters_.tcp_resync_skipped_bytes.add(line);
  if (line > 0) consume(s, line);
  return false;
}

// The HTTP upgrade at the start of the buffer turns the direction to WebSocket. False while
// the header block is incomplete (the bytes are kept), or when the bytes are no upgrade.
bool TcpReassembler::upgrade(Stream& s) noexcept {
  const HttpUpgrade u = parse_http_upgrade({buf(s), s.used});
  if (u.kind == HttpUpgrade::Kind::kNone) return false;
  if (u.kind == HttpUpgrade::Kind::kNeedMore) {
    if (s.used < cfg_.buffer_bytes) return true;
    ws_error(WsError::kBadUpgrade);
    counters_.tcp_resync_skipped_bytes.add(s.used);
    consume(s, s.used);
    return true;
  }
  counters_.ws_upgrades.add();
  s.mode = u.kind == HttpUpgrade::Kind::kRequest ? kWsClient : kWsServer;
  s.ws_in_message = false;
  s.ws_gathered = 0;
  consume(s, u.header_bytes);
  return true;
}

// One WebSocket frame at buffer offset ws_gathered. False when it is not complete yet.
bool TcpReassembler::ws_frame(Stream& s, uint64_t ts, MessageFn fn, void* ctx,
                              uint32_t& delivered) noexcept {
  uint8_t* b = buf(s) + s.ws_gathered;
  const uint32_t avail = s.used - s.ws_gathered;
  if (avail < 2) return false;
  const bool fin = (b[0] & 0x80) != 0;
  const uint8_t opcode = b[0] & 0x0F;
  const bool masked = (b[1] & 0x80) != 0;
  uint64_t len = b[1] & 0x7F;
  uint32_t hdr = 2;
  if (len == 126) {
    if (avail < 4) return false;
    len = dataplane::load_be16(b + 2);
    hdr = 4;
  } else if (len == 127) {
    if (avail < 10) return false;
    len = dataplane::load_be64(b + 2);
    hdr = 10;
  }
  if (masked) hdr += 4;
  if (avail < hdr) return false;
  const bool reserved_opcode = (opcode >= 3 && opcode <= 7) || opcode >= 11;
  if (reserved_opcode || (len >> 63) != 0) {
    // The frame boundaries are lost: the rest of this direction cannot be read.
    ws_error(reserved_opcode ? WsError::kBadOpcode : WsError::kBadLength);
    counters_.tcp_resync_skipped_bytes.add(s.used);
    s.mode = kWsLost;
    consume(s, s.used);
    return false;
  }
  if (hdr + len > cfg_.buffer_bytes - s.ws_gathered) {
    ws_error(WsError::kFrameTooLarge);
    if (s.ws_in_message) ws_error(WsError::kInterruptedMessage);
    counters_.tcp_resync_skipped_bytes.add(s.used);
    s.skip = static_cast<uint32_t>(hdr + len - avail);
    s.ws_in_message = false;
    s.ws_gathered = 0;
    consume(s, s.used);
    return false;
  }
  const uint32_t total = hdr + static_cast<uint32_t>(len);
  if (avail < total) return false;
  const bool control = opcode >= 8;
  const bool compressed = (b[0] & 0x40) != 0;
  if (!control && !compressed && opcode != 0 && s.ws_in_message) {
    // A new message before the last one's final fragment: the part is lost, and the frame is
    // read again at its new offset. Decided before the frame is counted or unmasked in place:
    // unmasked here, it would be unmasked twice (delivered still masked).
    ws_error(WsError::kInterruptedMessage);
    consume(s, s.ws_gathered);
    s.ws_gathered = 0;
    s.ws_in_message = false;
    return true;
  }
  counters_.ws_frames.add();
  if (s.mode == kWsClient && !masked) ws_error(WsError::kUnmaskedClientFrame);
  if (s.mode == kWsServer && masked) ws_error(WsError::kMaskedServerFrame);
  uint8_t* payload = b + hdr;
  if (masked) {
    const uint8_t* key = b + hdr - 4;
    for (uint32_t i = 0; i < len; ++i) payload[i] ^= key[i & 3];
  }
  if (control || compressed || (opcode == 0 && !s.ws_in_message)) {
    if (control && (!fin || len > 125)) ws_error(WsError::kBadControlFrame);
    if (!control) {
      ws_error(compressed ? WsError::kCompressedFrame : WsError::kContinuationWithoutStart);
      if (compressed && s.ws_in_message) {  // the message cannot be completed
        remove(s, s.ws_gathered, total);
        consume(s, s.ws_gathered);
        s.ws_gathered = 0;
        s.ws_in_message = false;
        return true;
      }
    }
    remove(s, s.ws_gathered, total);
    return true;
  }
  // Join the payload to what was gathered: it moves down over its own header.
  std::memmove(b, payload, len);
  remove(s, s.ws_gathered + static_cast<uint32_t>(len), hdr);
  s.ws_gathered += static_cast<uint32_t>(len);
  s.ws_in_message = !fin;
  if (!fin) return true;
  counters_.ws_messages.add();
  const uint32_t n = s.ws_gathered;
  s.ws_gathered = 0;
  fn(ctx, {buf(s), n}, s.key, ts, true);
  ++delivered;
  consume(s, n);
  return true;
}

uint32_t TcpReassembler::extract(Stream& s, uint64_t ts, MessageFn fn, void* ctx) noexcept {
  uint32_t delivered = 0;
  while (s.used > 0) {
    if (s.mode == kWsLost) {
      counters_.tcp_resync_skipped_bytes.add(s.used);
      consume(s, s.used);
      break;
    }
    if (s.mode != kSip) {
      if (!ws_frame(s, ts, fn, ctx, delivered)) break;
      continue;
    }
    if (upgrade(s)) {
      if (s.mode == kSip) break;  // the header block is not complete yet
      continue;
    }
    if (!s.synced && !resync(s)) {
      if (s.used >= cfg_.buffer_bytes) {  // one endless line: no start line can be found in it
        counters_.tcp_buffer_overflows.add();
        counters_.tcp_resync_skipped_bytes.add(s.used);
        consume(s, s.used);
      }
      break;
    }
    const SipFrame f = sip_frame({buf(s), s.used});
    if (f.kind == SipFrame::Kind::kNeedMore) {
      if (s.used >= cfg_.buffer_bytes) {
        // Larger than the buffer: drop it. With its headers complete its length is known and
        // the stream stays in sync; otherwise look for the next start line.
        counters_.tcp_buffer_overflows.add();
        counters_.malformed[std::size_t(SipParseStatus::kTooLarge)].add();
        counters_.tcp_resync_skipped_bytes.add(s.used);
        s.skip = f.length > s.used ? f.length - s.used : 0;
        s.synced = f.length > 0;
        consume(s, s.used);
      }
      break;
    }
    if (f.kind == SipFrame::Kind::kInvalid) {
      counters_.malformed[std::size_t(SipParseStatus::kBadContentLength)].add();
      consume(s, f.length);
      s.synced = false;
      continue;
    }
    fn(ctx, {buf(s), f.length}, s.key, ts, false);
    ++delivered;
    consume(s, f.length);
  }
  return delivered;
}

void TcpReassembler::give_up_hole(Stream& s) noexcept {
  counters_.tcp_gaps.add();
  const uint32_t ooo_len = s.ooo_end - s.ooo_begin;
  // Sequence number of buffer offset x is next_seq - used + x.
  s.next_seq = s.next_seq - s.used + s.ooo_end;
  counters_.tcp_resync_skipped_bytes.add(s.used);
  uint8_t* b = buf(s);
  std::memmove(b, b + s.ooo_begin, ooo_len);
  s.used = ooo_len;
  s.ooo_begin = s.ooo_end = 0;
  s.skip = 0;
  s.synced = false;
  if (s.mode != kSip) s.mode = kWsLost;  // frame boundaries are lost with the hole
}

void TcpReassembler::hold_out_of_order(Stream& s, uint32_t offset, std::span<const uint8_t> data,
                                       uint64_t ts) noexcept {
  const uint32_t end = offset + uint32_t(data.size());
  const bool have = s.ooo_end > s.ooo_begin;
  if (have && (offset > s.ooo_end || end < s.ooo_begin)) {
    counters_.tcp_ooo_dropped.add();  // a second disjoint hole: the sender will retransmit
    return;
  }
  std::memcpy(buf(s) + offset, data.data(), data.size());
  if (!have) {
    s.ooo_begin = offset;
    s.ooo_end = end;
    s.ooo_since_ns = ts;
  } else {
    if (offset < s.ooo_begin) s.ooo_begin = offset;
    if (end > s.ooo_end) s.ooo_end = end;
  }
  counters_.tcp_out_of_order_segments.add();
}

void TcpReassembler::append_in_order(Stream& s, std::span<const uint8_t> data, uint64_t ts, MessageFn fn,
                                     void* ctx, uint32_t& delivered) noexcept {
  while (!data.empty()) {
    if (s.skip > 0) {
      if (s.ooo_end > s.ooo_begin) {  // held bytes would lose their offset: drop them
        counters_.tcp_ooo_dropped.add();
        s.ooo_begin = s.ooo_end = 0;
      }
      const uint32_t k = data.size() < s.skip ? uint32_t(data.size()) : s.skip;
      s.skip -= k;
      s.next_seq += k;
      counters_.tcp_resync_skipped_bytes.add(k);
      data = data.subspan(k);
      continue;
    }
    const uint32_t room = cfg_.buffer_bytes - s.used;
    const uint32_t n = data.size() < room ? uint32_t(data.size()) : room;
    std::memcpy(buf(s) + s.used, data.data(), n);
    s.used += n;
    s.next_seq += n;
    data = data.subspan(n);
    if (s.ooo_end > s.ooo_begin && s.ooo_begin <= s.used) {
      // The hole is filled: the held range joins the in-order bytes.
      if (s.ooo_end > s.used) {
        s.next_seq += s.ooo_end - s.used;
        s.used = s.ooo_end;
      }
      s.ooo_begin = s.ooo_end = 0;
    }
    delivered += extract(s, ts, fn, ctx);
  }
}

uint32_t TcpReassembler::on_segment(const dataplane::FlowKey& flow, uint32_t seq, uint8_t tcp_flags,
                                    std::span<const uint8_t> payload, uint64_t ts, MessageFn fn,
                                    void* ctx) noexcept {
  counters_.tcp_segments.add();
  const uint64_t hash = dataplane::hash_flow(flow) | 1;
  if (tcp_flags & dataplane::kTcpRst) {
    if (Stream* s = find(flow, hash)) erase(std::size_t(s - slots_.get()));
    return 0;
  }
  const bool syn = (tcp_flags & dataplane::kTcpSyn) != 0;
  if (payload.empty() && !syn && !(tcp_flags & dataplane::kTcpFin)) return 0;  // pure ACK
  const bool existed = find(flow, hash) != nullptr;
  Stream* s = find_or_create(flow, hash, ts);
  if (syn) {
    if (existed && holds_partial_message(*s)) {  // a new connection on the same 4-tuple
      counters_.malformed[std::size_t(SipParseStatus::kIncomplete)].add();
    }
    s->next_seq = seq + 1;
    s->used = 0;
    s->ooo_begin = s->ooo_end = 0;
    s->skip = 0;
    s->synced = true;
    s->mode = kSip;
    ++seq;
  } else if (!existed) {
    s->next_seq = seq;  // joined mid-connection: find a start line first
    s->synced = false;
  }
  s->last_ns = ts;
  uint32_t delivered = 0;
  if (!payload.empty()) {
    int32_t diff = int32_t(seq - s->next_seq);
    if (diff < 0) {
      // Unsigned: at 2^31 apart diff is INT32_MIN, whose negation overflows.
      const uint32_t overlap = s->next_seq - seq;
      counters_.tcp_retransmitted_segments.add();
      payload = overlap >= payload.size() ? std::span<const uint8_t>{} : payload.subspan(overlap);
      diff = 0;
    }
    if (s->ooo_end > s->ooo_begin && ts - s->ooo_since_ns > cfg_.gap_timeout_ns) {
      give_up_hole(*s);
      delivered += extract(*s, ts, fn, ctx);
      diff = int32_t(seq - s->next_seq);
    }
    if (!payload.empty() && diff > 0) {
      const uint64_t offset = uint64_t(s->used) + uint32_t(diff);
      if (offset + payload.size() > cfg_.buffer_bytes) {
        // The buffer cannot bridge the hole: give it up and restart at this segment.
        counters_.tcp_gaps.add();
        counters_.tcp_resync_skipped_bytes.add(s->used);
        s->used = 0;
        s->ooo_begin = s->ooo_end = 0;
        s->next_seq = seq;
        s->skip = 0;
        s->synced = false;
        if (s->mode != kSip) s->mode = kWsLost;
        diff = 0;
      } else {
        hold_out_of_order(*s, uint32_t(offset), payload, ts);
      }
    }
    if (!payload.empty() && diff == 0) append_in_order(*s, payload, ts, fn, ctx, delivered);
  }
  if (tcp_flags & dataplane::kTcpFin) {
    if (Stream* f = find(flow, hash)) erase(std::size_t(f - slots_.get()));
  }
  return delivered;
}

uint32_t TcpReassembler::expire(uint64_t now_ns, std::size_t budget) noexcept {
  uint32_t released = 0;
  const std::size_t cap = mask_ + 1;
  if (budget > cap) budget = cap;
  std::size_t i = expire_cursor_ & mask_;
  for (std::size_t visited = 0; visited < budget;) {
    Stream& s = slots_[i];
    if (s.key_hash != 0 && now_ns > s.last_ns && now_ns - s.last_ns > cfg_.idle_timeout_ns) {
      // Backward shift may move another stream into i: look at i again (bounded: size shrinks).
      erase(i);
      counters_.tcp_streams_expired.add();
      ++released;
      continue;
    }
    i = (i + 1) & mask_;
    ++visited;
  }
  expire_cursor_ = i;
  return released;
}

}  // namespace rv::planes::signaling
