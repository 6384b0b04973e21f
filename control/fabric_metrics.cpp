#include "control/fabric_metrics.hpp"

#include <array>

namespace rv::control {
namespace {

using events::EventTypeMetrics;

std::vector<EventTypeMetrics> type_metrics(const Appliance& app) {
  if (const auto* f = app.fabric()) return f->metrics().types;
  std::vector<EventTypeMetrics> zero(2);
  zero[0].name = events::EventTraits<planes::routing::SteeredPacket>::kName;
  zero[1].name = events::EventTraits<planes::signaling::MediaEndpointEvent>::kName;
  return zero;
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
  uint64_t out = 0, in = 0, dropped = 0;
  for (const auto& s : app.shards()) {
    out += s->handler().event_counters().steered_out.load();
    in += s->handler().event_counters().steered_in.load();
    dropped += s->handler().event_counters().steer_dropped.load();
  }
  w.counter("rvoip_steered_packets_total", "Packets handed to the shard owning their session", {}, double(out));
  w.counter("rvoip_steer_dropped_total", "Packets or endpoints the fabric refused (ring full)", {}, double(dropped));
  (void)in;
}

}  // namespace

void register_fabric_metrics(MetricsRegistry& registry, const Appliance& app) {
  registry.add([&app](MetricsWriter& w) { collect(w, app); });
}

nlohmann::json fabric_report(const Appliance& app) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& t : type_metrics(app)) {
    nlohmann::json dropped = nlohmann::json::object();
    for (std::size_t r = 0; r < events::kDropReasonCount; ++r) {
      if (t.dropped[r] != 0) dropped[std::string(events::to_string(static_cast<events::DropReason>(r)))] = t.dropped[r];
    }
    out[std::string(t.name)] = {{"published", t.published}, {"delivered", t.delivered},
                                {"delivered_inline", t.delivered_inline}, {"filtered", t.filtered},
                                {"dropped", dropped}, {"in_flight", t.in_flight}};
  }
  nlohmann::json shards = nlohmann::json::array();
  for (const auto& s : app.shards()) {
    const auto& c = s->handler().event_counters();
    shards.push_back({{"lcore", s->loop().lcore_id()}, {"steered_out", c.steered_out.load()},
                      {"steered_in", c.steered_in.load()}, {"steer_dropped", c.steer_dropped.load()},
                      {"streams_ended_dropped", c.streams_ended_dropped.load()}});
  }
  out["shards"] = shards;
  return out;
}

}  // namespace rv::control
