#pragma once
// FlatIndex: open-addressing hash index (linear probing, backward-shift deletion, no tombstones)
// from a 64-bit hash to a slot number in a caller-owned record array. Sized once (load <= 1/2),
// then noexcept and allocation-free: lookups cost the same at 1 K and 200 K entries apart from
// cache misses, which callers hide with prefetch().
// Not thread-safe: one owner thread.

#include <bit>
#include <cstdint>
#include <memory>

#include "dataplane/huge_array.hpp"

namespace rv::planes::media {

class FlatIndex {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;
  // An all-zero bucket is empty, so the index needs no initialisation (HugeArray).
  struct Bucket {
    uint32_t tag = 0;
    uint32_t slot1 = 0;  // slot + 1; 0: empty
  };

  // Room for `max_entries` at load factor <= 1/2. Reserves (control thread, start-up).
  explicit FlatIndex(uint32_t max_entries)
      : mask_(static_cast<uint32_t>(std::bit_ceil(uint64_t{max_entries} * 2)) - 1),
        buckets_(std::size_t{mask_} + 1) {}

  // Slot of the entry whose hash is `h` and for which `eq(slot)` holds, else kNone.
  template <class Eq>
  uint32_t find(uint64_t h, Eq&& eq) const noexcept {
    const auto tag = static_cast<uint32_t>(h);
    for (uint32_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Bucket b = buckets_[i];
      if (b.slot1 == 0) return kNone;
      if (b.tag == tag && eq(b.slot1 - 1)) return b.slot1 - 1;
    }
  }

  // Adds `slot` under `h`. The caller guarantees room and that the key is not present.
  void insert(uint64_t h, uint32_t slot) noexcept {
    const auto tag = static_cast<uint32_t>(h);
    uint32_t i = tag & mask_;
    while (buckets_[i].slot1 != 0) i = (i + 1) & mask_;
    buckets_[i] = Bucket{tag, slot + 1};
  }

  // Removes the entry (h, slot); no-op when absent.
  void erase(uint64_t h, uint32_t slot) noexcept {
    const auto tag = static_cast<uint32_t>(h);
    uint32_t i = tag & mask_;
    for (;; i = (i + 1) & mask_) {
      if (buckets_[i].slot1 == 0) return;
      if (buckets_[i].slot1 == slot + 1) break;
    }
    // Backward shift: pull later members of the probe run into the hole.
    for (uint32_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const Bucket b = buckets_[j];
      if (b.slot1 == 0) break;
      const uint32_t home = b.tag & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        buckets_[i] = b;
        i = j;
      }
    }
    buckets_[i] = Bucket{};
  }

  void prefetch(uint64_t h) const noexcept {
    __builtin_prefetch(&buckets_[static_cast<uint32_t>(h) & mask_]);
  }

  std::size_t memory_bytes() const noexcept { return (std::size_t{mask_} + 1) * sizeof(Bucket); }

 private:
  uint32_t mask_;
  dataplane::HugeArray<Bucket> buckets_;
};

}  // namespace rv::planes::media
