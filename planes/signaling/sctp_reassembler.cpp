#include "planes/signaling/sctp_reassembler.hpp"

#include <bit>
#include <cstring>

namespace rv::planes::signaling {

SctpReassembler::SctpReassembler(const SctpReassemblerConfig& config, SignalingCounters& counters)
    : cfg_(config), counters_(counters) {
  if (cfg_.max_messages < kProbe) cfg_.max_messages = kProbe;
  if (cfg_.buffer_bytes < 256) cfg_.buffer_bytes = 256;
  const std::size_t cap = std::bit_ceil(std::size_t(cfg_.max_messages));
  slots_ = std::make_unique<Slot[]>(cap);
  mask_ = cap - 1;
  // Not zeroed: pages of unused buffers are never touched.
  pool_ = std::make_unique_for_overwrite<uint8_t[]>(cap * cfg_.buffer_bytes);
}

std::size_t SctpReassembler::memory_bytes() const noexcept {
  return (mask_ + 1) * (sizeof(Slot) + cfg_.buffer_bytes);
}

uint64_t SctpReassembler::key_of(const dataplane::FlowKey& flow,
                                 const dataplane::SctpDataChunk& c) const noexcept {
  const uint64_t extra = (uint64_t{c.stream} << 1) | (c.unordered() ? 1u : 0u);
  return (dataplane::hash_flow(flow) ^ (extra * 0x9E3779B97F4A7C15ull)) | 1;
}

SctpReassembler::Slot* SctpReassembler::find(uint64_t hash, const dataplane::FlowKey& flow,
                                             const dataplane::SctpDataChunk& c) noexcept {
  for (std::size_t n = 0, i = hash & mask_; n < kProbe; ++n, i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key_hash == hash && s.stream == c.stream && s.unordered == c.unordered() &&
        s.flow == flow) {
      return &s;
    }
  }
  return nullptr;
}

SctpReassembler::Slot* SctpReassembler::claim(uint64_t hash) noexcept {
  for (std::size_t n = 0, i = hash & mask_; n < kProbe; ++n, i = (i + 1) & mask_) {
    if (slots_[i].key_hash == 0) {
      ++size_;
      return &slots_[i];
    }
  }
  return nullptr;
}

void SctpReassembler::release(Slot& s) noexcept {
  s.key_hash = 0;
  --size_;
}

void SctpReassembler::drop(SctpDropReason r) noexcept {
  counters_.sctp_dropped[static_cast<std::size_t>(r)].add();
}

bool SctpReassembler::append(Slot& s, std::span<const uint8_t> data) noexcept {
  if (data.size() > cfg_.buffer_bytes - s.used) return false;
  std::memcpy(buf(s) + s.used, data.data(), data.size());
  s.used += static_cast<uint32_t>(data.size());
  return true;
}

uint32_t SctpReassembler::on_chunk(const dataplane::FlowKey& flow, const dataplane::SctpDataChunk& c,
                                   uint64_t ts, MessageFn fn, void* ctx) noexcept {
  counters_.sctp_data_chunks.add();
  if (c.begins() && c.ends()) {
    fn(ctx, c.data, flow, ts);
    return 1;
  }
  const uint64_t hash = key_of(flow, c);
  Slot* s = find(hash, flow, c);
  if (c.begins()) {
    if (s != nullptr) {
      if (s->next_tsn == c.tsn + 1) {  // this very fragment again
        drop(SctpDropReason::kDuplicate);
        return 0;
      }
      drop(SctpDropReason::kRestarted);
    } else if ((s = claim(hash)) == nullptr) {
      drop(SctpDropReason::kTableFull);
      return 0;
    }
    s->key_hash = hash;
    s->flow = flow;
    s->stream = c.stream;
    s->unordered = c.unordered();
    s->used = 0;
  } else if (s == nullptr) {
    drop(SctpDropReason::kNoFirstFragment);
    return 0;
  } else if (c.tsn != s->next_tsn) {
    if (static_cast<int32_t>(c.tsn - s->next_tsn) < 0) {
      drop(SctpDropReason::kDuplicate);
    } else {
      drop(SctpDropReason::kTsnGap);
      release(*s);
    }
    return 0;
  }
  s->next_tsn = c.tsn + 1;
  s->last_ns = ts;
  if (!append(*s, c.data)) {
    drop(SctpDropReason::kTooLarge);
    release(*s);
    return 0;
  }
  if (!c.ends()) return 0;
  counters_.sctp_reassembled.add();
  fn(ctx, {buf(*s), s->used}, flow, ts);
  release(*s);
  return 1;
}

uint32_t SctpReassembler::on_packet(const dataplane::FlowKey& flow, std::span<const uint8_t> chunks,
                                    uint64_t ts, MessageFn fn, void* ctx) noexcept {
  uint32_t delivered = 0;
  dataplane::walk_sctp_chunks(chunks, [&](const dataplane::SctpDataChunk& c) noexcept {
    delivered += on_chunk(flow, c, ts, fn, ctx);
  });
  return delivered;
}

uint32_t SctpReassembler::expire(uint64_t now_ns, std::size_t budget) noexcept {
  uint32_t released = 0;
  const std::size_t cap = mask_ + 1;
  if (budget > cap) budget = cap;
  std::size_t i = expire_cursor_ & mask_;
  for (std::size_t visited = 0; visited < budget; ++visited, i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key_hash != 0 && now_ns > s.last_ns && now_ns - s.last_ns > cfg_.timeout_ns) {
      drop(SctpDropReason::kTimedOut);
      release(s);
      ++released;
    }
  }
  expire_cursor_ = i;
  return released;
}

}  // namespace rv::planes::signaling
