#include "planes/signaling/call_table.hpp"

#include <bit>

#include "dataplane/flow_key.hpp"

namespace rv::planes::signaling {

uint64_t hash_call_id(std::string_view call_id) noexcept {
  const uint64_t h = dataplane::hash_bytes(call_id.data(), call_id.size());
  return h == 0 ? 1 : h;
}

namespace {

// Load factor at most 0.8 (100 000 calls -> 131 072 slots, 0.76).
std::size_t slots_for(uint32_t max_calls) {
  const std::size_t want = std::size_t(max_calls) + std::size_t(max_calls) / 4;
  return std::bit_ceil(want < 16 ? std::size_t(16) : want);
}

}  // namespace

CallTable::CallTable(uint32_t max_calls)
    : slots_(slots_for(max_calls == 0 ? 1 : max_calls), dataplane::Fill::kZero),
      mask_(slots_for(max_calls == 0 ? 1 : max_calls) - 1),
      max_size_(max_calls == 0 ? 1 : max_calls) {
  chunk_used_ = std::make_unique<uint16_t[]>(capacity() / kChunkSlots + 1);
}

bool CallTable::same_call(const CallRecord& r, uint64_t hash, std::string_view call_id) noexcept {
  return r.key_hash == hash && r.call_id_full_len == call_id.size() &&
         r.call_id.view() == call_id.substr(0, r.call_id.len);
}

CallRecord* CallTable::find(uint64_t hash, std::string_view call_id) noexcept {
  for (std::size_t i = home(hash);; i = (i + 1) & mask_) {
    CallRecord& r = slots_[i];
    if (r.empty()) return nullptr;
    if (same_call(r, hash, call_id)) return &r;
  }
}

CallRecord* CallTable::insert(uint64_t hash, std::string_view call_id) noexcept {
  if (full()) return nullptr;
  std::size_t i = home(hash);
  while (!slots_[i].empty()) i = (i + 1) & mask_;
  CallRecord& r = slots_[i];
  r = CallRecord{};
  count(i, +1);
  r.key_hash = hash;
  r.call_id.assign(call_id);
  r.call_id_full_len = static_cast<uint16_t>(call_id.size() > 0xffff ? 0xffff : call_id.size());
  ++size_;
  return &r;
}

void CallTable::erase(std::size_t slot) noexcept {
  std::size_t i = slot;  // the hole
  count(i, -1);
  for (std::size_t j = (i + 1) & mask_; !slots_[j].empty(); j = (j + 1) & mask_) {
    const std::size_t h = home(slots_[j].key_hash);
    // Move j back into the hole unless its home lies cyclically in (i, j].
    if (((j - h) & mask_) >= ((j - i) & mask_)) {
      slots_[i] = slots_[j];
      count(i, +1);
      count(j, -1);
      i = j;
    }
  }
  slots_[i].key_hash = 0;
  --size_;
}

std::size_t CallTable::pick_victim(uint64_t hash) noexcept {
  std::size_t best = capacity();
  std::size_t seen = 0;
  for (std::size_t n = 0, i = home(hash); n < capacity() && seen < kVictimScan;
       ++n, i = (i + 1) & mask_) {
    const CallRecord& r = slots_[i];
    if (r.empty()) continue;
    ++seen;
    if (best == capacity()) {
      best = i;
      continue;
    }
    const CallRecord& b = slots_[best];
    const bool r_done = r.state == CallState::kTerminated;
    const bool b_done = b.state == CallState::kTerminated;
    if ((r_done && !b_done) || (r_done == b_done && r.last_ns < b.last_ns)) best = i;
  }
  return best;
}

}  // namespace rv::planes::signaling
