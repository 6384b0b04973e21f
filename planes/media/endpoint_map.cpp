#include "planes/media/endpoint_map.hpp"

#include <algorithm>

namespace rv::planes::media {

EndpointMap::EndpointMap(uint32_t capacity)
    : capacity_(std::max<uint32_t>(capacity, 1)),
      entries_(capacity_, dataplane::Fill::kZero),  // `used` false until learn() assigns
      next_free_(capacity_),
      index_(capacity_) {}

uint64_t EndpointMap::hash(const dataplane::Endpoint& ep) noexcept {
  return dataplane::hash_endpoint(ep);
}

uint32_t EndpointMap::find_slot(const dataplane::Endpoint& ep, uint64_t h) const noexcept {
  return index_.find(h, [&](uint32_t s) { return entries_[s].ep == ep; });
}

bool EndpointMap::learn(const dataplane::Endpoint& ep, uint64_t call_key, std::string_view call_id,
                        std::span<const PayloadMapping> mappings, uint64_t now_ns) noexcept {
  const uint64_t h = hash(ep);
  uint32_t slot = find_slot(ep, h);
  if (slot == FlatIndex::kNone) {
    if (size_ == capacity_) return false;
    // Released slots first, then the never-used ones in order (their pages are untouched).
    if (free_head_ != kNoSlot) {
      slot = free_head_;
      free_head_ = next_free_[slot];
    } else {
      slot = next_unused_++;
    }
    entries_[slot] = Entry{};
    index_.insert(h, slot);
    ++size_;
  }
  Entry& e = entries_[slot];
  e.ep = ep;
  e.used = true;
  e.last_used_ns = now_ns;
  e.assoc = CallAssociation{};
  e.assoc.call_hash = call_key;
  const std::size_t n = std::min(call_id.size(), kCallIdCapacity - 1);
  // copy_n, not memcpy: call_id may be empty with a null data() (only the hash travelled).
  std::copy_n(call_id.data(), n, e.assoc.call_id.data());
  e.assoc.call_id[n] = '\0';
  e.assoc.mapping_count = static_cast<uint8_t>(std::min(mappings.size(), kMaxPayloadMappings));
  std::copy_n(mappings.begin(), e.assoc.mapping_count, e.assoc.mappings.begin());
  ++generation_;
  return true;
}

void EndpointMap::remove(uint32_t slot) noexcept {
  index_.erase(hash(entries_[slot].ep), slot);
  entries_[slot].used = false;
  next_free_[slot] = free_head_;
  free_head_ = slot;
  --size_;
}

bool EndpointMap::forget(const dataplane::Endpoint& ep) noexcept {
  const uint32_t slot = find_slot(ep, hash(ep));
  if (slot == FlatIndex::kNone) return false;
  remove(slot);
  return true;
}

const CallAssociation* EndpointMap::find(const dataplane::Endpoint& ep, uint64_t now_ns) noexcept {
  const uint32_t slot = find_slot(ep, hash(ep));
  if (slot == FlatIndex::kNone) return nullptr;
  entries_[slot].last_used_ns = now_ns;
  return &entries_[slot].assoc;
}

const CallAssociation* EndpointMap::find_call(uint64_t call_hash_value) const noexcept {
  for (uint32_t i = 0; i < capacity_; ++i) {
    if (entries_[i].used && entries_[i].assoc.call_hash == call_hash_value)
      return &entries_[i].assoc;
  }
  return nullptr;
}

uint32_t EndpointMap::sweep(uint64_t now_ns, uint64_t ttl_ns, uint32_t budget) noexcept {
  uint32_t removed = 0;
  // Only slots ever used: the rest were never written (their pages stay uncommitted).
  const uint32_t span = next_unused_;
  for (uint32_t n = 0; n < budget && n < span; ++n) {
    const uint32_t i = sweep_hand_ < span ? sweep_hand_ : 0;
    sweep_hand_ = i + 1;
    if (entries_[i].used && now_ns > entries_[i].last_used_ns + ttl_ns) {
      remove(i);
      ++removed;
    }
  }
  return removed;
}

std::size_t EndpointMap::memory_bytes() const noexcept {
  return std::size_t{capacity_} * (sizeof(Entry) + sizeof(uint32_t)) + index_.memory_bytes();
}

}  // namespace rv::planes::media
