#include "events/metrics.hpp"

#include <bit>
#include <numeric>
#include <string>

namespace rv::events {

void LatencyCounters::record(uint64_t ns) noexcept {
  const std::size_t b = std::min<std::size_t>(std::bit_width(ns), kLatencyBuckets - 1);
  buckets[b].add();
  count.add();
  sum_ns.add(ns);
  max_ns.raise_to(ns);
}

uint64_t LatencySnapshot::quantile_upper_ns(double q) const noexcept {
  if (count == 0) return 0;
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(count - 1)) + 1;
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    seen += buckets[i];
    if (seen >= rank) return std::min(bucket_upper_ns(i), max_ns);
  }
  return max_ns;
}

uint64_t EventTypeMetrics::dropped_total() const noexcept {
  return std::accumulate(dropped.begin(), dropped.end(), uint64_t{0});
}

bool FabricMetrics::healthy() const noexcept {
  if (overflow_exhausted_total != 0) return false;
  for (const auto& s : subscriptions) {
    if (s.lagging) return false;
  }
  return true;
}

std::vector<std::string> FabricMetrics::problems() const {
  std::vector<std::string> out;
  for (const auto& t : types) {
    if (const uint64_t lost = t.dropped_by(DropReason::kOverflowExhausted); lost != 0) {
      out.push_back(std::string(t.name) + ": " + std::to_string(lost) +
                    " events lost with the overflow exhausted (raise overflow_capacity or "
                    "drain the consumer faster)");
    }
  }
  for (const auto& s : subscriptions) {
    if (!s.lagging) continue;
    out.push_back("subscription '" + s.id + "' (" + std::string(s.type) + ", lcore " +
                  std::to_string(s.consumer_lcore) + ") is behind: " + std::to_string(s.queued) +
                  "/" + std::to_string(s.capacity) + " queued, " +
                  std::to_string(s.dropped_ring_full) + " dropped on a full ring");
  }
  return out;
}

const EventTypeMetrics* FabricMetrics::find(std::string_view type_name) const noexcept {
  for (const auto& t : types) {
    if (t.name == type_name) return &t;
  }
  return nullptr;
}

}  // namespace rv::events
