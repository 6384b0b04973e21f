#pragma once
// CallTable: at most max_calls CallRecords keyed by Call-ID, in two preallocated arrays:
//   - the index: open addressing (linear probing, backward-shift deletion) of 8-byte entries
//     (low 32 bits of the hash, record number), next power of two >= max_calls * 5/4 so that
//     probes stay short (load factor <= 0.8);
//   - the records, dense: a new call takes the most recently freed record, else the next never
//     used one. Memory (pages written) follows the calls alive at once, not the bound: 100 000
//     calls one after the other use a handful of records, where a hashed record table wrote
//     every page of its 80 MB.
// A record's slot (slot_of, at, erase) is its record number; it never moves while the call is
// in the table. All operations after construction are noexcept and allocation-free.
// Single-threaded: owned by one lcore.

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

  // Removes the record at `slot` (from slot_of()). No other record moves.
  void erase(std::size_t slot) noexcept;

  // The record to push out when the table is full: the oldest (last_ns) among up to
  // kVictimScan records probed from the home of `hash`, preferring terminated calls.
  std::size_t pick_victim(uint64_t hash) noexcept;

  std::size_t slot_of(const CallRecord* r) const noexcept { return std::size_t(r - records_.get()); }
  CallRecord& at(std::size_t slot) noexcept { return records_[slot]; }
  const CallRecord& at(std::size_t slot) const noexcept { return records_[slot]; }
  // Record slots: scans visit [0, capacity()), skipping empty chunks.
  std::size_t capacity() const noexcept { return max_size_; }
  uint32_t size() const noexcept { return size_; }
  uint32_t max_size() const noexcept { return max_size_; }
  bool full() const noexcept { return size_ >= max_size_; }
  // Mapped (reserved) bytes; resident memory follows the records in use.
  std::size_t memory_bytes() const noexcept {
    return index_.mapped_bytes() + records_.mapped_bytes() + free_.mapped_bytes();
  }
  // Index entries a find() of the record at `slot` reads (1 when it sits in its home entry).
  std::size_t probe_length(std::size_t slot) const noexcept;

  static constexpr std::size_t kVictimScan = 16;

  // Slots per occupancy chunk: scans skip chunks without a record, so their pages are never
  // read.
  static constexpr std::size_t kChunkSlots = 64;
  bool chunk_empty(std::size_t slot) const noexcept { return chunk_used_[slot / kChunkSlots] == 0; }

 private:
  struct Entry {
    uint32_t hash_low = 0;  // the home and a cheap filter before the record is read
    uint32_t record = 0;    // slot + 1; 0: free entry
  };

  std::size_t home(uint64_t hash) const noexcept { return std::size_t(hash) & mask_; }
  std::size_t entry_of(std::size_t slot) const noexcept;
  static bool same_call(const CallRecord& r, uint64_t hash, std::string_view call_id) noexcept;

  void count(std::size_t slot, int delta) noexcept {
    chunk_used_[slot / kChunkSlots] = static_cast<uint16_t>(chunk_used_[slot / kChunkSlots] + delta);
  }

  dataplane::HugeArray<Entry> index_;
  dataplane::HugeArray<CallRecord> records_;
  dataplane::HugeArray<uint32_t> free_;       // freed slots, a stack (written as calls end)
  std::unique_ptr<uint16_t[]> chunk_used_;  // records per chunk of kChunkSlots slots
  std::size_t mask_ = 0;
  uint32_t size_ = 0;
  uint32_t max_size_ = 0;
  uint32_t fresh_ = 0;       // slots [fresh_, max_size_) were never used
  uint32_t free_count_ = 0;
};

}  // namespace rv::planes::signaling
