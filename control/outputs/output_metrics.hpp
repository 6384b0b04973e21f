#pragma once
// Metrics of the per-call outputs (CDR, HEP): what they wrote, sent, and had to drop.
// Control-plane only.

#include "control/metrics/metrics_registry.hpp"

namespace rv::control {

class CdrWriter;
class HepExporter;

// Writes the outputs' counters; a null output (not configured) writes nothing.
void collect_output_metrics(MetricsWriter& w, const CdrWriter* cdr, const HepExporter* hep);

}  // namespace rv::control
