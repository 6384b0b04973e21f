#pragma once
// Metric collectors for the signaling and media planes: SIP messages, calls, RTP/RTCP, streams,
// with the planes' histograms, summed over every shard on each scrape. No per-call or
// per-stream labels (bounded cardinality).

#include "control/appliance.hpp"
#include "control/metrics_registry.hpp"

namespace rv::control {

// Registers collectors reading `app`; `app` must outlive the registry's use.
void register_plane_metrics(MetricsRegistry& registry, const Appliance& app);

}  // namespace rv::control
