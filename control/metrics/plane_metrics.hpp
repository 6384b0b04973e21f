#pragma once
// Metric collectors for the transport, signaling and media planes, summed over every shard on
// each scrape. One exporter for every counter: it walks the descriptor tables that sit beside
// the counter structs (planes/*/*_counter_descs.hpp, dataplane/counter_desc.hpp), so a counter
// with a row is exported and a counter without one fails tests/control/plane_metrics_test.cpp.
// No per-call or per-stream labels (bounded cardinality).

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "control/appliance/appliance.hpp"
#include "control/metrics/metrics_registry.hpp"
#include "dataplane/counter_desc.hpp"
#include "planes/media/media_counters.hpp"
#include "planes/signaling/signaling_counters.hpp"
#include "planes/transport/transport_counters.hpp"

namespace rv::control {

// Writes every row of `table`, each summed over `parts` (one counter struct per shard).
// Scrape thread; reads counters with relaxed loads.
template <class C, std::size_t N>
void write_counter_table(MetricsWriter& w, const std::array<dataplane::CounterDesc<C>, N>& table,
                         std::span<const C* const> parts) {
  for (const auto& d : table) {
    if (d.histogram != nullptr) {
      std::vector<double> bounds;
      std::vector<uint64_t> buckets;
      uint64_t count = 0;
      double sum = 0;
      for (const C* p : parts) {
        const dataplane::HistogramView h = d.histogram(*p);
        if (bounds.empty()) {
          bounds.assign(h.bounds.begin(), h.bounds.end());
          buckets.assign(bounds.size(), 0);
        }
        for (std::size_t i = 0; i < bounds.size(); ++i) buckets[i] += h.buckets[i].load();
        count += h.count->load();
        sum += h.sum;
      }
      w.histogram(d.name, d.help, {}, bounds, buckets, count, sum);
      continue;
    }
    dataplane::for_each_sample(d, parts,
                               [&](std::string_view key, std::string_view value, uint64_t v) {
                                 Labels labels;
                                 if (!key.empty())
                                   labels.emplace_back(std::string(key), std::string(value));
                                 if (d.type == dataplane::MetricType::kGauge) {
                                   w.gauge(d.name, d.help, labels, double(v));
                                 } else {
                                   w.counter(d.name, d.help, labels, double(v));
                                 }
                               });
  }
}

// The planes' tables over the given per-shard structs.
void write_transport_metrics(MetricsWriter& w,
                             std::span<const planes::transport::TransportCounters* const> parts);
void write_signaling_metrics(MetricsWriter& w,
                             std::span<const planes::signaling::SignalingCounters* const> parts);
void write_media_metrics(MetricsWriter& w,
                         std::span<const planes::media::MediaCounters* const> counters,
                         std::span<const planes::media::MediaHistograms* const> histograms);

// Registers collectors reading `app`'s shards; `app` must outlive the registry's use.
void register_plane_metrics(MetricsRegistry& registry, const Appliance& app);

}  // namespace rv::control
