#include "planes/signaling/call_table.hpp"

#include <bit>

#include "dataplane/flow_key.hpp"

namespace rv::planes::signaling {

uint64_t hash_call_id(std::string_view call_id) noexcept {
  const uint64_t h = dataplane::hash_bytes(call_id.data(), call_id.size());
  return h == 0 ? 1 : h;
}

namespace {

// Load factor at most 0.8 (100 000 calls -> 131 072 index entries, 0.76).
std::size_t entries_for(uint32_t max_calls) {
  const std::size_t want = std::size_t(max_calls) + std::size_t(max_calls) / 4;
  return std::bit_ceil(want < 16 ? std::size_t(16) : want);
}

uint32_t bound(uint32_t max_calls) { return max_calls == 0 ? 1 : max_calls; }

}  // namespace

CallTable::CallTable(uint32_t max_calls)
    : index_(entries_for(bound(max_calls)), dataplane::Fill::kZero),
      records_(bound(max_calls), dataplane::Fill::kZero),
      free_(bound(max_calls), dataplane::Fill::kZero),
      mask_(entries_for(bound(max_calls)) - 1),
      max_size_(bound(max_calls)) {
  chunk_used_ = std::make_unique<uint16_t[]>(max_size_ / kChunkSlots + 1);
}

bool CallTable::same_call(const CallRecord& r, uint64_t hash, std::string_view call_id) noexcept {
  return r.key_hash == hash && r.call_id_full_len == call_id.size() &&
         r.call_id.view() == call_id.substr(0, r.call_id.len);
}

CallRecord* CallTable::find(uint64_t hash, std::string_view call_id) noexcept {
  const auto low = static_cast<uint32_t>(hash);
  for (std::size_t i = home(hash);; i = (i + 1) & mask_) {
    const Entry e = index_[i];
    if (e.record == 0) return nullptr;
    if (e.hash_low != low) continue;
    CallRecord& r = records_[e.record - 1];
    if (same_call(r, hash, call_id)) return &r;
  }
}

CallRecord* CallTable::insert(uint64_t hash, std::string_view call_id) noexcept {
  if (full()) return nullptr;
  const uint32_t slot = free_count_ != 0 ? free_[--free_count_] : fresh_++;
  std::size_t i = home(hash);
  while (index_[i].record != 0) i = (i + 1) & mask_;
  index_[i] = Entry{static_cast<uint32_t>(hash), slot + 1};
  CallRecord& r = records_[slot];
  r = CallRecord{};
  count(slot, +1);
  r.key_hash = hash;
  r.call_id.assign(call_id);
  r.call_id_full_len = static_cast<uint16_t>(call_id.size() > 0xffff ? 0xffff : call_id.size());
  ++size_;
  return &r;
}

std::size_t CallTable::entry_of(std::size_t slot) const noexcept {
  std::size_t i = home(records_[slot].key_hash);
  while (index_[i].record != slot + 1) i = (i + 1) & mask_;
  return i;
}

std::size_t CallTable::probe_length(std::size_t slot) const noexcept {
  return ((entry_of(slot) - home(records_[slot].key_hash)) & mask_) + 1;
}

void CallTable::erase(std::size_t slot) noexcept {
  std::size_t i = entry_of(slot);  // the hole
  for (std::size_t j = (i + 1) & mask_; index_[j].record != 0; j = (j + 1) & mask_) {
    const std::size_t h = index_[j].hash_low & mask_;
    // Move j back into the hole unless its home lies cyclically in (i, j].
    if (((j - h) & mask_) >= ((j - i) & mask_)) {
      index_[i] = index_[j];
      i = j;
    }
  }
  index_[i] = Entry{};
  records_[slot].key_hash = 0;
  count(slot, -1);
  free_[free_count_++] = static_cast<uint32_t>(slot);
  --size_;
}

std::size_t CallTable::pick_victim(uint64_t hash) noexcept {
  std::size_t best = capacity();
  std::size_t seen = 0;
  for (std::size_t n = 0, i = home(hash); n <= mask_ && seen < kVictimScan;
       ++n, i = (i + 1) & mask_) {
    if (index_[i].record == 0) continue;
    const std::size_t slot = index_[i].record - 1;
    const CallRecord& r = records_[slot];
    ++seen;
    if (best == capacity()) {
      best = slot;
      continue;
    }
    const CallRecord& b = records_[best];
    const bool r_done = r.state == CallState::kTerminated;
    const bool b_done = b.state == CallState::kTerminated;
    if ((r_done && !b_done) || (r_done == b_done && r.last_ns < b.last_ns)) best = slot;
  }
  return best;
}

}  // namespace rv::planes::signaling
