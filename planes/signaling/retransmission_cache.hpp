#pragma once
// RetransmissionCache: direct-mapped cache of recently seen message fingerprints. A message
// whose fingerprint was seen within the window is a retransmission (RFC 3261 §17: same
// transaction, same method or status, same To-tag). Collisions only overwrite (a missed
// detection), so false positives need equal 64-bit fingerprints. Fixed size, noexcept.

#include <bit>
#include <cstdint>
#include <memory>

namespace rv::planes::signaling {

class RetransmissionCache {
 public:
  RetransmissionCache(uint32_t slots, uint64_t window_ns)
      : mask_(std::bit_ceil(slots < 64 ? 64u : slots) - 1),
        entries_(std::make_unique<Entry[]>(mask_ + 1)),
        window_ns_(window_ns) {}

  // Records `fingerprint` at `now_ns`; true when it was already seen within the window.
  bool seen(uint64_t fingerprint, uint64_t now_ns) noexcept {
    Entry& e = entries_[fingerprint & mask_];
    const bool hit = e.fingerprint == fingerprint && now_ns >= e.time_ns &&
                     now_ns - e.time_ns <= window_ns_;
    e.fingerprint = fingerprint;
    e.time_ns = now_ns;
    return hit;
  }

  std::size_t memory_bytes() const noexcept { return (mask_ + 1) * sizeof(Entry); }

 private:
  struct Entry {
    uint64_t fingerprint = 0;
    uint64_t time_ns = 0;
  };
  uint32_t mask_;
  std::unique_ptr<Entry[]> entries_;
  uint64_t window_ns_;
};

}  // namespace rv::planes::signaling
