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
  // The table leaves out codes never seen; the codes SER/SEER (ASR/NER) queries name are
  // written as 0 so their series exist before the first such call.
  using planes::signaling::kMinStatusCode;
  for (const uint16_t code : {200, 300, 301, 302, 480, 486, 487, 600, 603}) {
    uint64_t v = 0;
    for (const auto* p : parts) v += p->call_final_codes[code - kMinStatusCode].load();
    if (v != 0) continue;
    w.counter("rvoip_call_final_responses_total",
              "Final responses to initial INVITEs, once per call (RFC 6076 ASR/NER)",
              {{"code", std::to_string(code)}}, 0);
  }
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
