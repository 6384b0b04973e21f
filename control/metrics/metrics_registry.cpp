#include "control/metrics/metrics_registry.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <limits>

namespace rv::control {

prometheus::ClientMetric& MetricsWriter::add(std::string_view name, std::string_view help,
                                             prometheus::MetricType type, const Labels& labels) {
  auto it = std::find_if(families_.begin(), families_.end(),
                         [&](const auto& f) { return f.name == name; });
  if (it == families_.end()) {
    families_.push_back({std::string(name), std::string(help), type, {}});
    it = families_.end() - 1;
  }
  auto& m = it->metric.emplace_back();
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  return m;
}

void MetricsWriter::counter(std::string_view name, std::string_view help, const Labels& labels,
                            double value) {
  add(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void MetricsWriter::gauge(std::string_view name, std::string_view help, const Labels& labels,
                          double value) {
  add(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void MetricsWriter::histogram(std::string_view name, std::string_view help, const Labels& labels,
                              std::span<const double> bounds,
                              std::span<const uint64_t> bucket_counts, uint64_t count,
                              double sum) {
  auto& h = add(name, help, prometheus::MetricType::Histogram, labels).histogram;
  h.sample_count = count;
  h.sample_sum = sum;
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size() && i < bucket_counts.size(); ++i) {
    cumulative += bucket_counts[i];
    h.bucket.push_back({cumulative, bounds[i]});
  }
  h.bucket.push_back({count, std::numeric_limits<double>::infinity()});
}

void MetricsRegistry::add(Collector c) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(c));
}

std::vector<prometheus::MetricFamily> MetricsRegistry::collect() const {
  MetricsWriter w;
  std::lock_guard lock(mu_);
  for (const auto& c : collectors_) c(w);
  return w.take();
}

std::string MetricsRegistry::serialize() const {
  return prometheus::TextSerializer().Serialize(collect());
}

}  // namespace rv::control
