#pragma once
// Event priority classes and the per-type delivery attributes (DESIGN.md §3).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rv::events {

// Per event *instance*; the type's trait gives the default. Lower value drains first.
enum class Priority : uint8_t {
  kCritical = 0,  // call setup/teardown: never dropped (spills to the per-producer overflow)
  kHigh = 1,      // mid-call state changes
  kNormal = 2,    // protocol traffic
  kLow = 3,       // batched stats, background
};
inline constexpr std::size_t kPriorityCount = 4;

constexpr std::size_t index_of(Priority p) noexcept { return static_cast<std::size_t>(p); }

// Routing class of an event type, read by planes/routing's PlaneRouter: SessionBound to the shard
// owning the key, GlobalBroadcast to every shard, InterPlane to the control group's consumers,
// Remote to the federation bridge. The fabric itself uses only the shard key
// (EventTraits::shard_key).
enum class Affinity : uint8_t {
  kIntraPlane,
  kInterPlane,
  kGlobalBroadcast,
  kBatchable,
  kSessionBound,
  kRemote,
};

// What a publisher does when a destination ring is full (per type, EventTraits::kBackpressure).
// Critical instances always spill, whatever the type's policy.
enum class Backpressure : uint8_t {
  kDropNewest,   // drop the event being published, counted as dropped{ring_full}
  kSpill,        // spill to the bounded per-producer overflow ring
  kBoundedWait,  // control threads wait up to the configured bound, then drop{wait_timeout};
                 // lcores never wait and drop{ring_full} instead
};

std::string_view to_string(Priority p) noexcept;
std::string_view to_string(Affinity a) noexcept;
std::string_view to_string(Backpressure b) noexcept;

}  // namespace rv::events
