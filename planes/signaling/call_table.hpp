#pragma once
// CallTable: preallocated open-addressing (linear probing, backward-shift deletion) table of
// CallRecords keyed by Call-ID. At most max_calls records; capacity is the next power of two
// >= max_calls * 5/4 (load factor <= 0.8) so probes stay short. All operations after construction are noexcept and
// allocation-free. Single-threaded: owned by one lcore. Pointers returned are valid until the
// next insert or erase.

#include <cstdint>
#include <memory>
#include <string_view>

#include "dataplane/huge_array.hpp"
#include "planes/signaling/call_record.hpp"

namespace rv::planes::signaling {

class CallTable {
 public:
  explicit CallTable(uint32_t max_calls);  // allocates (start-up only)

  CallRecord* find(uint64_t hash, std::string_view call_id) noexcept;

  // Inserts an empty record for call_id. The table must not be full (size() < max_size()):
  // callers evict first (pick_victim + erase).
  CallRecord* insert(uint64_t hash, std::string_view call_id) noexcept;

  // Removes the record at `slot` (from slot_of()).
  void erase(std::size_t slot) noexcept;

  // The record to push out when the table is full: the oldest (last_ns) among up to
  // kVictimScan occupied slots from the home slot of `hash`, preferring terminated calls.
  std::size_t pick_victim(uint64_t hash) noexcept;

  std::size_t slot_of(const CallRecord* r) const noexcept { return std::size_t(r - slots_.get()); }
  CallRecord& at(std::size_t slot) noexcept { return slots_[slot]; }
  const CallRecord& at(std::size_t slot) const noexcept { return slots_[slot]; }
  std::size_t capacity() const noexcept { return mask_ + 1; }
  uint32_t size() const noexcept { return size_; }
  uint32_t max_size() const noexcept { return max_size_; }
  bool full() const noexcept { return size_ >= max_size_; }
  std::size_t memory_bytes() const noexcept { return capacity() * sizeof(CallRecord); }

  static constexpr std::size_t kVictimScan = 16;

  // Slots per occupancy chunk: scans skip chunks without a record, so their pages are never
  // read (memory follows the calls seen).
  static constexpr std::size_t kChunkSlots = 64;
  bool chunk_empty(std::size_t slot) const noexcept { return chunk_used_[slot / kChunkSlots] == 0; }

 private:
  std::size_t home(uint64_t hash) const noexcept { return std::size_t(hash) & mask_; }
  static bool same_call(const CallRecord& r, uint64_t hash, std::string_view call_id) noexcept;

  void count(std::size_t slot, int delta) noexcept {
    chunk_used_[slot / kChunkSlots] = static_cast<uint16_t>(chunk_used_[slot / kChunkSlots] + delta);
  }

  dataplane::HugeArray<CallRecord> slots_;
  std::unique_ptr<uint16_t[]> chunk_used_;  // records per chunk of kChunkSlots slots
  std::size_t mask_ = 0;
  uint32_t size_ = 0;
  uint32_t max_size_ = 0;
};

}  // namespace rv::planes::signaling
