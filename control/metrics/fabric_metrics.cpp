#include "control/metrics/fabric_metrics.hpp"

#include <array>

namespace rv::control {
namespace {

using events::EventTypeMetrics;

std::vector<EventTypeMetrics> type_metrics(const Appliance& app) {
  if (const auto* f = app.fabric()) return f->metrics().types;
  return {};
}

void collect(MetricsWriter& w, const Appliance& app) {
  for (const auto& t : type_metrics(app)) {
    const Labels l = {{"type", std::string(t.name)}};
    w.counter("rvoip_events_published_total", "Events published, by type", l, double(t.published));
    w.counter("rvoip_events_delivered_total", "Event copies delivered to subscribers, by type", l, double(t.delivered));
    w.counter("rvoip_events_filtered_total", "Event copies no subscriber wanted, by type", l, double(t.filtered));
    for (std::size_t r = 0; r < events::kDropReasonCount; ++r) {
      w.counter("rvoip_events_dropped_total", "Event copies dropped, by type and reason",
                {{"type", std::string(t.name)}, {"reason", std::string(events::to_string(static_cast<events::DropReason>(r)))}},
                double(t.dropped[r]));
    }
    w.gauge("rvoip_events_in_flight", "Event copies queued in rings, by type", l, double(t.in_flight));
    w.gauge("rvoip_event_ring_high_water", "Highest ring occupancy seen, by type", l, double(t.ring_high_water));
    w.gauge("rvoip_event_ring_capacity", "Slots per ring, by type", l, double(t.ring_capacity));
    w.gauge("rvoip_event_ring_usage_ratio", "Highest ring occupancy over capacity, by type", l,
            t.ring_capacity ? double(t.ring_high_water) / double(t.ring_capacity) : 0.0);
  }
  // Latency per priority over all types (log2 ns buckets folded into seconds bounds).
  std::array<events::LatencySnapshot, events::kPriorityCount> per_prio{};
  for (const auto& t : type_metrics(app)) {
    for (std::size_t p = 0; p < events::kPriorityCount; ++p) {
      per_prio[p].count += t.latency[p].count;
      per_prio[p].sum_ns += t.latency[p].sum_ns;
      for (std::size_t b = 0; b < events::kLatencyBuckets; ++b) per_prio[p].buckets[b] += t.latency[p].buckets[b];
    }
  }
  std::vector<double> bounds;
  for (std::size_t b = 0; b + 1 < events::kLatencyBuckets; ++b) {
    bounds.push_back(double(events::LatencySnapshot::bucket_upper_ns(b)) / 1e9);
  }
  for (std::size_t p = 0; p < events::kPriorityCount; ++p) {
    std::vector<uint64_t> counts(per_prio[p].buckets.begin(), per_prio[p].buckets.end() - 1);
    w.histogram("rvoip_event_latency_seconds", "Sampled publish-to-deliver latency, by priority",
                {{"priority", std::string(events::to_string(static_cast<events::Priority>(p)))}},
                bounds, counts, per_prio[p].count, double(per_prio[p].sum_ns) / 1e9);
  }
  uint64_t out = 0, dropped = 0, events = 0;
  for (const auto& s : app.shards()) {
    out += s->handler().event_counters().steered_out.load();
    dropped += s->handler().event_counters().steer_dropped.load();
    events += s->handler().event_counters().events_dropped.load();
  }
  w.counter("rvoip_steered_packets_total", "Packets handed to the shard owning their session", {}, double(out));
  w.counter("rvoip_steer_dropped_total", "Packets the fabric refused to steer (ring full)", {}, double(dropped));
  w.counter("rvoip_plane_events_dropped_total", "Plane events (calls, streams, notices) the fabric refused", {}, double(events));
}

}  // namespace

void register_fabric_metrics(MetricsRegistry& registry, const Appliance& app) {
  registry.add([&app](MetricsWriter& w) { collect(w, app); });
}

}  // namespace rv::control
