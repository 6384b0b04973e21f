#include "planes/media/stream_table.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace rv::planes::media {

StreamTable::StreamTable(uint32_t max_streams, uint64_t timeout_ns)
    : capacity_(std::max<uint32_t>(max_streams, 1)),
      timeout_ns_(std::max<uint64_t>(timeout_ns, 1'000'000)),
      tick_ns_(std::clamp<uint64_t>(timeout_ns_ / 16, 1'000'000, 1'000'000'000)),
      wheel_mask_(static_cast<uint32_t>(std::bit_ceil(timeout_ns_ / tick_ns_ + 2)) - 1),
      records_(capacity_, dataplane::Fill::kZero),  // `used` false until insert() assigns
      wheel_(std::make_unique<uint32_t[]>(std::size_t{wheel_mask_} + 1)),
      index_(capacity_) {
  for (uint32_t b = 0; b <= wheel_mask_; ++b) wheel_[b] = kNil;
}

StreamRecord* StreamTable::find(const dataplane::FlowKey& flow, uint32_t ssrc,
                                uint64_t h) noexcept {
  const uint32_t s = find_slot(flow, ssrc, h);
  return s == FlatIndex::kNone ? nullptr : &records_[s];
}

const StreamRecord* StreamTable::find(const dataplane::FlowKey& flow,
                                      uint32_t ssrc) const noexcept {
  return const_cast<StreamTable*>(this)->find(flow, ssrc, stream_hash(flow, ssrc));
}

StreamRecord* StreamTable::insert(const dataplane::FlowKey& flow, uint32_t ssrc, uint64_t h,
                                  uint64_t now_ns) noexcept {
  if (size_ == capacity_) return nullptr;
  // Released slots first, then the never-used ones in order (their pages are untouched).
  uint32_t slot = free_head_;
  if (slot != kNil) {
    free_head_ = records_[slot].timer_next;
  } else {
    slot = next_unused_++;
  }
  StreamRecord& r = records_[slot];
  r = StreamRecord{};
  r.flow = flow;
  r.ssrc = ssrc;
  r.used = true;
  r.last_ns = now_ns;
  index_.insert(h, slot);
  ++size_;
  if (!started_) {
    started_ = true;
    cursor_tick_ = now_ns / tick_ns_;
  }
  file(r, cursor_tick_ + 1);
  return &r;
}

void StreamTable::remove(StreamRecord& r) noexcept {
  unfile(r);
  const uint32_t slot = slot_of(r);
  index_.erase(stream_hash(r.flow, r.ssrc), slot);
  r.used = false;
  r.timer_next = free_head_;
  free_head_ = slot;
  --size_;
}

void StreamTable::file(StreamRecord& r, uint64_t not_before_tick) noexcept {
  const uint64_t tick = std::max((r.last_ns + timeout_ns_) / tick_ns_ + 1, not_before_tick);
  const auto b = static_cast<uint32_t>(tick & wheel_mask_);
  const uint32_t slot = slot_of(r);
  r.timer_bucket = b;
  r.timer_prev = kNil;
  r.timer_next = wheel_[b];
  if (wheel_[b] != kNil) records_[wheel_[b]].timer_prev = slot;
  wheel_[b] = slot;
}

void StreamTable::unfile(StreamRecord& r) noexcept {
  if (r.timer_bucket == kNil) return;
  if (r.timer_prev != kNil) {
    records_[r.timer_prev].timer_next = r.timer_next;
  } else {
    wheel_[r.timer_bucket] = r.timer_next;
  }
  if (r.timer_next != kNil) records_[r.timer_next].timer_prev = r.timer_prev;
  r.timer_bucket = kNil;
}

StreamRecord* StreamTable::eviction_candidate() noexcept {
  if (size_ == 0) return nullptr;
  for (uint64_t k = 1; k <= uint64_t{wheel_mask_} + 1; ++k) {
    const uint32_t head = wheel_[(cursor_tick_ + k) & wheel_mask_];
    if (head != kNil) return &records_[head];
  }
  return nullptr;
}

std::size_t StreamTable::memory_bytes() const noexcept {
  return std::size_t{capacity_} * sizeof(StreamRecord) + index_.memory_bytes() +
         (std::size_t{wheel_mask_} + 1) * sizeof(uint32_t);
}

}  // namespace rv::planes::media
