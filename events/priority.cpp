#include "events/priority.hpp"

#include "events/metrics.hpp"

namespace rv::events {

std::string_view to_string(Priority p) noexcept {
  switch (p) {
    case Priority::kCritical: return "critical";
    case Priority::kHigh: return "high";
    case Priority::kNormal: return "normal";
    case Priority::kLow: return "low";
  }
  return "unknown";
}

std::string_view to_string(Affinity a) noexcept {
  switch (a) {
    case Affinity::kIntraPlane: return "intra_plane";
    case Affinity::kInterPlane: return "inter_plane";
    case Affinity::kGlobalBroadcast: return "global_broadcast";
    case Affinity::kBatchable: return "batchable";
    case Affinity::kSessionBound: return "session_bound";
    case Affinity::kRemote: return "remote";
  }
  return "unknown";
}

std::string_view to_string(Backpressure b) noexcept {
  switch (b) {
    case Backpressure::kDropNewest: return "drop_newest";
    case Backpressure::kSpill: return "spill";
    case Backpressure::kBoundedWait: return "bounded_wait";
  }
  return "unknown";
}

std::string_view to_string(DropReason r) noexcept {
  switch (r) {
    case DropReason::kRingFull: return "ring_full";
    case DropReason::kOverflowExhausted: return "overflow_exhausted";
    case DropReason::kWaitTimeout: return "wait_timeout";
    case DropReason::kPoolExhausted: return "pool_exhausted";
    case DropReason::kShutdown: return "shutdown";
    case DropReason::kUnsubscribed: return "unsubscribed";
  }
  return "unknown";
}

}  // namespace rv::events
