#include "control/metrics/plane_metrics.hpp"

#include "planes/media/media_counter_descs.hpp"
#include "planes/signaling/signaling_counter_descs.hpp"
#include "planes/transport/transport_counter_descs.hpp"

namespace rv::control {
namespace {

// One pointer per shard to the struct `get` selects.
template <typename T, typename Get>
std::vector<const T*> per_shard(const Appliance& app, Get get) {
  std::vector<const T*> out;
  out.reserve(app.shards().size());
  for (const auto& s : app.shards()) out.push_back(&get(*s));
  return out;
}

}  // namespace

void write_transport_metrics(MetricsWriter& w,
                             std::span<const planes::transport::TransportCounters* const> parts) {
  write_counter_table(w, planes::transport::kTransportCounterDescs, parts);
}

void write_signaling_metrics(MetricsWriter& w,
                             std::span<const planes::signaling::SignalingCounters* const> parts) {
  write_counter_table(w, planes::signaling::kSignalingCounterDescs, parts);
}

void write_media_metrics(MetricsWriter& w,
                         std::span<const planes::media::MediaCounters* const> counters,
                         std::span<const planes::media::MediaHistograms* const> histograms) {
  write_counter_table(w, planes::media::kMediaCounterDescs, counters);
  write_counter_table(w, planes::media::kMediaHistogramDescs, histograms);
}

void register_plane_metrics(MetricsRegistry& registry, const Appliance& app) {
  using planes::Shard;
  registry.add([&app](MetricsWriter& w) {
    const auto parts = per_shard<planes::transport::TransportCounters>(
        app, [](const Shard& s) -> const auto& { return s.transport_counters(); });
    write_transport_metrics(w, parts);
  });
  registry.add([&app](MetricsWriter& w) {
    const auto parts = per_shard<planes::signaling::SignalingCounters>(
        app, [](const Shard& s) -> const auto& { return s.handler().signaling().counters(); });
    write_signaling_metrics(w, parts);
  });
  registry.add([&app](MetricsWriter& w) {
    const auto counters = per_shard<planes::media::MediaCounters>(
        app, [](const Shard& s) -> const auto& { return s.handler().media().counters(); });
    const auto histograms = per_shard<planes::media::MediaHistograms>(
        app, [](const Shard& s) -> const auto& { return s.handler().media().histograms(); });
    write_media_metrics(w, counters, histograms);
  });
}

}  // namespace rv::control
