#pragma once
// StreamTable: the bounded, preallocated table of RTP streams keyed by (5-tuple, SSRC), with a
// lazy timer wheel for media timeouts. Sized once at construction; afterwards noexcept,
// allocation-free and lock-free. Per-packet cost is one hash, one index probe and the record,
// independent of the number of streams (callers prefetch to hide cache misses).
//
// Timeouts: a stream is filed in the wheel bucket of its deadline (last packet + timeout) when
// created; packets only update last_ns. When the wheel reaches a bucket, each stream in it is
// either expired or refiled at its current deadline. So packets never touch the wheel, and a
// stream is refiled at most once per timeout period. Granularity: timeout / 16 (1 ms .. 1 s).
// Not thread-safe: one owner thread.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dataplane/flow_key.hpp"
#include "planes/media/flat_index.hpp"
#include "dataplane/huge_array.hpp"
#include "planes/media/stream_record.hpp"

namespace rv::planes::media {

// The table's key hash: (5-tuple, SSRC) under the process hash key (dataplane/keyed_hash.hpp).
inline uint64_t stream_hash(const dataplane::FlowKey& flow, uint32_t ssrc) noexcept {
  return dataplane::hash_flow_with(flow, ssrc);
}

class StreamTable {
 public:
  StreamTable(uint32_t max_streams, uint64_t timeout_ns);

  static constexpr uint32_t kNoSlot = FlatIndex::kNone;

  // Burst pipeline: prefetch(h) the index bucket, then find_slot() and prefetch_slot() the
  // record, then record_at() to use it (re-validated: a stream created or evicted in between
  // makes it fall back to find()).
  void prefetch(uint64_t h) const noexcept { index_.prefetch(h); }
  uint32_t find_slot(const dataplane::FlowKey& flow, uint32_t ssrc, uint64_t h) const noexcept {
    return index_.find(h, [&](uint32_t slot) {
      const StreamRecord& r = records_[slot];
      return r.ssrc == ssrc && r.flow == flow;
    });
  }
  void prefetch_slot(uint32_t slot) const noexcept {
    if (slot == kNoSlot) return;
    const char* p = reinterpret_cast<const char*>(&records_[slot]);
    for (std::size_t off = 0; off < kHotBytes; off += 64) __builtin_prefetch(p + off, 1);
  }
  StreamRecord* record_at(uint32_t slot, const dataplane::FlowKey& flow, uint32_t ssrc) noexcept {
    if (slot == kNoSlot) return nullptr;
    StreamRecord& r = records_[slot];
    return (r.used && r.ssrc == ssrc && r.flow == flow) ? &r : nullptr;
  }

  StreamRecord* find(const dataplane::FlowKey& flow, uint32_t ssrc, uint64_t h) noexcept;
  const StreamRecord* find(const dataplane::FlowKey& flow, uint32_t ssrc) const noexcept;
  // A fresh zeroed record for the key, filed for timeout at now_ns; nullptr when full.
  StreamRecord* insert(const dataplane::FlowKey& flow, uint32_t ssrc, uint64_t h,
                       uint64_t now_ns) noexcept;
  void remove(StreamRecord& r) noexcept;

  // Calls on_expired(record) for every stream idle for the timeout at `now_ns`, then removes it.
  template <class F>
  uint32_t expire(uint64_t now_ns, F&& on_expired) noexcept;
  // The stream closest to its timeout (the soonest wheel bucket), nullptr when empty.
  StreamRecord* eviction_candidate() noexcept;

  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < next_unused_; ++i) {
      if (records_[i].used) f(records_[i]);
    }
  }

  // Slots below this were used at least once; the others were never written.
  uint32_t used_span() const noexcept { return next_unused_; }
  // The record in slot i < used_span() (check `used`).
  StreamRecord& record(uint32_t i) noexcept { return records_[i]; }
  uint32_t size() const noexcept { return size_; }
  uint32_t capacity() const noexcept { return capacity_; }
  uint64_t timeout_ns() const noexcept { return timeout_ns_; }
  std::size_t memory_bytes() const noexcept;

 private:
  static constexpr uint32_t kNil = 0xffffffffu;
  uint32_t slot_of(const StreamRecord& r) const noexcept {
    return static_cast<uint32_t>(&r - records_.get());
  }
  void file(StreamRecord& r, uint64_t not_before_tick) noexcept;
  void unfile(StreamRecord& r) noexcept;

  uint32_t capacity_;
  uint32_t size_ = 0;
  uint32_t free_head_ = kNil;  // released slots, threaded through timer_next
  uint32_t next_unused_ = 0;  // slots from here on were never used
  uint64_t timeout_ns_;
  uint64_t tick_ns_;
  uint32_t wheel_mask_;
  uint64_t cursor_tick_ = 0;  // every bucket up to this tick has been processed
  bool started_ = false;
  dataplane::HugeArray<StreamRecord> records_;
  std::unique_ptr<uint32_t[]> wheel_;  // bucket heads
  FlatIndex index_;
};

template <class F>
uint32_t StreamTable::expire(uint64_t now_ns, F&& on_expired) noexcept {
  const uint64_t now_tick = now_ns / tick_ns_;
  if (!started_ || now_tick <= cursor_tick_) return 0;
  const uint64_t steps = std::min<uint64_t>(now_tick - cursor_tick_, uint64_t{wheel_mask_} + 1);
  uint32_t ended = 0;
  for (uint64_t k = 1; k <= steps; ++k) {
    const auto b = static_cast<uint32_t>((cursor_tick_ + k) & wheel_mask_);
    uint32_t i = wheel_[b];
    wheel_[b] = kNil;  // detach: refiled streams start a new list
    while (i != kNil) {
      StreamRecord& r = records_[i];
      i = r.timer_next;
      if (r.last_ns + timeout_ns_ <= now_ns) {
        on_expired(r);
        r.timer_bucket = kNil;  // already detached from the wheel
        remove(r);
        ++ended;
      } else {
        file(r, now_tick + 1);
      }
    }
  }
  cursor_tick_ = now_tick;
  return ended;
}

}  // namespace rv::planes::media
