#pragma once
// FlatIndex: open-addressing hash index (linear probing, backward-shift deletion, no tombstones)
// from a 64-bit hash to a slot number in a caller-owned record array. Sized once (load <= 1/2),
// then noexcept and allocation-free: lookups cost the same at 1 K and 200 K entries apart from
// cache misses, which callers hide with prefetch().
// Not thread-safe: one owner thread.

#include <bit>
#include <cstdint>
#include <memory>

#include "planes/media/huge_array.hpp"

namespace rv::planes::media {

class FlatIndex {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;
  struct Bucket {
    uint32_t tag;
    uint32_t slot;
  };

  // Room for `max_entries` at load factor <= 1/2. Allocates (control thread, start-up).
  explicit FlatIndex(uint32_t max_entries)
      : mask_(static_cast<uint32_t>(std::bit_ceil(uint64_t{max_entries} * 2)) - 1),
        buckets_(std::size_t{mask_} + 1) {
    for (uint32_t i = 0; i <= mask_; ++i) buckets_[i] = Bucket{0, kNone};
  }

  // Slot of the entry whose hash is `h` and for which `eq(slot)` holds, else kNone.
  template <class Eq>
  uint32_t find(uint64_t h, Eq&& eq) const noexcept {
    const auto tag = static_cast<uint32_t>(h);
    for (uint32_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Bucket b = buckets_[i];
      if (b.slot == kNone) return kNone;
      if (b.tag == tag && eq(b.slot)) return b.slot;
    }
  }

  // Adds `slot` under `h`. The caller guarantees room and that the key is not present.
  void insert(uint64_t h, uint32_t slot) noexcept {
    const auto tag = static_cast<uint32_t>(h);
    uint32_t i = tag & mask_;
    while (buckets_[i].slot != kNone) i = (i + 1) & mask_;
    buckets_[i] = Bucket{tag, slot};
  }

  // Removes the entry (h, slot); no-op when absent.
  void erase(uint64_t h, uint32_t slot) noexcept {
    const auto tag = static_cast<uint32_t>(h);
    uint32_t i = tag & mask_;
    for (;; i = (i + 1) & mask_) {
      if (buckets_[i].slot == kNone) return;
      if (buckets_[i].slot == slot) break;
    }
    // Backward shift: pull later members of the probe run into the hole.
    for (uint32_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const Bucket b = buckets_[j];
      if (b.slot == kNone) break;
      const uint32_t home = b.tag & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        buckets_[i] = b;
        i = j;
      }
    }
    buckets_[i] = Bucket{0, kNone};
  }

  void prefetch(uint64_t h) const noexcept {
    __builtin_prefetch(&buckets_[static_cast<uint32_t>(h) & mask_]);
  }

  std::size_t memory_bytes() const noexcept { return (std::size_t{mask_} + 1) * sizeof(Bucket); }

 private:
  uint32_t mask_;
  HugeArray<Bucket> buckets_;
};

}  // namespace rv::planes::media
