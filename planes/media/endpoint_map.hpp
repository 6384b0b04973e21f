#pragma once
// EndpointMap: media endpoints learned from SDP (address + port where a party receives RTP)
// -> the call they belong to and the payload-type map of its `m=`/`a=rtpmap` lines. Bounded
// (capacity fixed at construction), entries expire when unused for a TTL (swept incrementally)
// or are forgotten explicitly when the call ends. noexcept and allocation-free after
// construction. Not thread-safe: owned by the media plane's lcore.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "dataplane/flow_key.hpp"
#include "dataplane/huge_array.hpp"
#include "planes/media/codec.hpp"
#include "planes/media/flat_index.hpp"
#include "planes/media/media_events.hpp"

namespace rv::planes::media {

// One SDP payload-type mapping (a=rtpmap:<pt> <encoding>/<clock_rate>, or a static type).
struct PayloadMapping {
  uint8_t payload_type = 0;
  Codec codec = Codec::kUnknown;
  uint32_t clock_rate = 0;
};

inline constexpr std::size_t kMaxPayloadMappings = 6;
inline constexpr std::size_t kCallIdCapacity = 64;  // longer Call-IDs are truncated (hash is not)

struct CallAssociation {
  uint64_t call_hash = 0;                       // media::call_hash(full Call-ID)
  std::array<char, kCallIdCapacity> call_id{};  // NUL-terminated, possibly truncated
  uint8_t mapping_count = 0;
  std::array<PayloadMapping, kMaxPayloadMappings> mappings{};

  // The SDP meaning of `pt`, else {kUnknown, 0}.
  PayloadInfo lookup(uint8_t pt) const noexcept {
    for (uint8_t i = 0; i < mapping_count; ++i) {
      if (mappings[i].payload_type == pt) return {mappings[i].codec, mappings[i].clock_rate};
    }
    return {};
  }
};

class EndpointMap {
 public:
  explicit EndpointMap(uint32_t capacity);

  // Inserts or replaces the association of `ep`. Mappings beyond kMaxPayloadMappings are
  // ignored. False when the table is full.
  bool learn(const dataplane::Endpoint& ep, std::string_view call_id,
             std::span<const PayloadMapping> mappings, uint64_t now_ns) noexcept {
    return learn(ep, media::call_hash(call_id), call_id, mappings, now_ns);
  }
  // `call_key` is the join key (call_hash of the full Call-ID); `call_id` may be empty when only the
  // hash travelled (signaling events carry the hash), the report then resolves it.
  bool learn(const dataplane::Endpoint& ep, uint64_t call_key, std::string_view call_id,
             std::span<const PayloadMapping> mappings, uint64_t now_ns) noexcept;
  // Removes `ep`; false when unknown.
  bool forget(const dataplane::Endpoint& ep) noexcept;
  // The association of `ep` (refreshing its TTL), or nullptr.
  const CallAssociation* find(const dataplane::Endpoint& ep, uint64_t now_ns) noexcept;
  // True when `ep` was learned (no TTL refresh): the classifier's question.
  bool contains(const dataplane::Endpoint& ep) const noexcept {
    return find_slot(ep, hash(ep)) != FlatIndex::kNone;
  }
  // Looks up by Call-ID hash: O(capacity), control/report use only.
  const CallAssociation* find_call(uint64_t call_hash) const noexcept;
  // Checks up to `budget` entries (round robin) and drops those unused for `ttl_ns`.
  uint32_t sweep(uint64_t now_ns, uint64_t ttl_ns, uint32_t budget) noexcept;

  // Visits every known association (control/report use only).
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < capacity_; ++i) {
      if (entries_[i].used) f(entries_[i].assoc);
    }
  }

  // Bumped by every learn(): streams without a call retry the association when it moves.
  uint64_t generation() const noexcept { return generation_; }
  uint32_t size() const noexcept { return size_; }
  uint32_t capacity() const noexcept { return capacity_; }
  std::size_t memory_bytes() const noexcept;

 private:
  struct Entry {
    dataplane::Endpoint ep;
    bool used = false;
    uint64_t last_used_ns = 0;
    CallAssociation assoc;
  };
  static uint64_t hash(const dataplane::Endpoint& ep) noexcept;
  uint32_t find_slot(const dataplane::Endpoint& ep, uint64_t h) const noexcept;
  void remove(uint32_t slot) noexcept;

  uint32_t capacity_;
  uint32_t size_ = 0;
  static constexpr uint32_t kNoSlot = 0xffffffffu;
  uint32_t free_head_ = kNoSlot;  // released slots, threaded through next_free_
  uint32_t next_unused_ = 0;      // slots from here on were never used
  uint32_t sweep_hand_ = 0;
  uint64_t generation_ = 0;
  dataplane::HugeArray<Entry> entries_;
  dataplane::HugeArray<uint32_t> next_free_;
  FlatIndex index_;
};

}  // namespace rv::planes::media
