#pragma once
// CounterDesc: one row of a counter struct's descriptor table (STYLE.md 24, Seastar add_group).
// Each *_counters.hpp has a table beside it (*_counter_descs.hpp) naming every field once:
// the Prometheus family, its help, its type and where the value lives. Exporters (/metrics, the
// report) walk the tables instead of naming fields, and tests/control/plane_metrics_test.cpp
// checks that every byte of every counter struct belongs to some row, so a counter added
// without a row fails the build's tests instead of going unexported.
//
// A row is one of three kinds:
//  - a scalar Counter (`field`), optionally with one fixed label (`label`=`label_value`) when
//    several fields make one family (drops by reason, say);
//  - an array of Counters (`array`), one sample per index labelled `label`=label_of(index);
//    label_of returns "" for indices not exported (kOk, say); `skip_zero` keeps sparse arrays
//    (600 status codes) to their non-zero samples;
//  - a histogram (`histogram`).
// Tables are constexpr std::arrays; rows hold only pointers and string literals. Reading is
// what the control plane does on a scrape: relaxed loads of single-writer counters.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dataplane/counter.hpp"

namespace rv::dataplane {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

// A histogram as the exporter sees it: bucket i counts observations <= bounds[i] (not
// cumulative), buckets[bounds.size()] the rest; `sum` in base units. `storage` spans the whole
// histogram object (for the coverage test).
struct HistogramView {
  std::span<const double> bounds;
  std::span<const Counter> buckets;
  const Counter* count = nullptr;
  double sum = 0;
  std::span<const std::byte> storage;
};

template <class C>
struct CounterDesc {
  std::string_view name;  // rvoip_..., base units, _total for counters
  std::string_view help;
  MetricType type = MetricType::kCounter;
  // Exactly one of the three.
  Counter C::*field = nullptr;
  std::span<const Counter> (*array)(const C&) = nullptr;
  HistogramView (*histogram)(const C&) = nullptr;
  // Scalar: an optional fixed label. Array: the label key, and the value of each index.
  std::string_view label = {};
  std::string_view label_value = {};
  std::string (*label_of)(std::size_t index) = nullptr;
  bool skip_zero = false;
};

// Row builders, so tables read as a list.
template <class C>
constexpr CounterDesc<C> counter(std::string_view name, std::string_view help,
                                 Counter C::*field) noexcept {
  return {.name = name, .help = help, .type = MetricType::kCounter, .field = field};
}
template <class C>
constexpr CounterDesc<C> gauge(std::string_view name, std::string_view help,
                               Counter C::*field) noexcept {
  return {.name = name, .help = help, .type = MetricType::kGauge, .field = field};
}
template <class C>
constexpr CounterDesc<C> labelled_counter(std::string_view name, std::string_view help,
                                          std::string_view label, std::string_view value,
                                          Counter C::*field) noexcept {
  return {.name = name,
          .help = help,
          .type = MetricType::kCounter,
          .field = field,
          .label = label,
          .label_value = value};
}
template <class C>
constexpr CounterDesc<C> counter_array(std::string_view name, std::string_view help,
                                       std::span<const Counter> (*array)(const C&),
                                       std::string_view label, std::string (*label_of)(std::size_t),
                                       bool skip_zero = false) noexcept {
  return {.name = name,
          .help = help,
          .type = MetricType::kCounter,
          .array = array,
          .label = label,
          .label_of = label_of,
          .skip_zero = skip_zero};
}
template <class C>
constexpr CounterDesc<C> histogram(std::string_view name, std::string_view help,
                                   HistogramView (*view)(const C&)) noexcept {
  return {.name = name, .help = help, .type = MetricType::kHistogram, .histogram = view};
}

// Visits the samples of a scalar or array row summed over `parts` (one struct per lcore):
// fn(label_key, label_value, value); label_key is empty for an unlabelled scalar. Control
// thread only (allocates label strings).
template <class C, class Fn>
void for_each_sample(const CounterDesc<C>& d, std::span<const C* const> parts, Fn&& fn) {
  if (d.field != nullptr) {
    uint64_t v = 0;
    for (const C* p : parts) v += (p->*d.field).load();
    fn(d.label, d.label_value, v);
    return;
  }
  if (d.array == nullptr || parts.empty()) return;
  const std::size_t n = d.array(*parts.front()).size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string value = d.label_of(i);
    if (value.empty()) continue;
    uint64_t v = 0;
    for (const C* p : parts) v += d.array(*p)[i].load();
    if (d.skip_zero && v == 0) continue;
    fn(d.label, std::string_view(value), v);
  }
}

}  // namespace rv::dataplane
