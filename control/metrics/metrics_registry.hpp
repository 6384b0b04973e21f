#pragma once
// MetricsRegistry: the pull model of DESIGN.md §6. Components register collectors at start-up;
// on each scrape the registry runs them on the scraping thread, they read the lcores' counters
// and write metric families. Lcores never see prometheus-cpp.

#include <prometheus/metric_family.h>

#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rv::control {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Groups samples into families by name; the first call for a name fixes its help and type.
class MetricsWriter {
 public:
  void counter(std::string_view name, std::string_view help, const Labels& labels, double value);
  void gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
  // `bucket_counts[i]` counts observations <= `bounds[i]` (not cumulative); the +Inf bucket is
  // `count`. Values in base units (seconds).
  void histogram(std::string_view name, std::string_view help, const Labels& labels,
                 std::span<const double> bounds, std::span<const uint64_t> bucket_counts,
                 uint64_t count, double sum);

  std::vector<prometheus::MetricFamily> take() { return std::move(families_); }

 private:
  prometheus::ClientMetric& add(std::string_view name, std::string_view help,
                                prometheus::MetricType type, const Labels& labels);
  std::vector<prometheus::MetricFamily> families_;
};

using Collector = std::function<void(MetricsWriter&)>;

class MetricsRegistry {
 public:
  // Thread-safe. Collectors run on the scraping thread, in registration order.
  void add(Collector c);
  std::vector<prometheus::MetricFamily> collect() const;
  // Prometheus text exposition format 0.0.4.
  std::string serialize() const;

 private:
  mutable std::mutex mu_;
  std::vector<Collector> collectors_;
};

}  // namespace rv::control
