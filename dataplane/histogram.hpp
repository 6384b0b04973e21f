#pragma once
// Histogram: the project's one fixed-bucket histogram (Prometheus style, cumulative at export).
// Single writer (the owning lcore) observes; any thread may read (relaxed counters). Bucket i
// counts observations <= bounds[i] (not cumulative: the exporter accumulates), the last bucket
// the rest (+Inf). Observations are kept as integers of 1/unit of the base unit (nanoseconds
// for a seconds histogram with unit 1e9), so bucket comparisons and the sum are exact.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/counter.hpp"
#include "dataplane/counter_desc.hpp"

namespace rv::dataplane {

template <std::size_t N>
struct Histogram {
  std::array<double, N> bounds;          // upper bounds (le), ascending, in base units
  double unit;                           // integer observations per base unit
  std::array<uint64_t, N> bounds_units;  // the bounds in those integers
  std::array<Counter, N + 1> buckets;    // dp: wo, cp: ro
  Counter count;                         // dp: wo, cp: ro
  Counter sum_units;                     // dp: wo, cp: ro

  constexpr Histogram(const std::array<double, N>& b, double unit_per_base) noexcept
      : bounds(b), unit(unit_per_base), bounds_units{} {
    for (std::size_t i = 0; i < N; ++i) bounds_units[i] = static_cast<uint64_t>(b[i] * unit + 0.5);
  }

  void observe_units(uint64_t v) noexcept {
    std::size_t i = 0;
    while (i < N && v > bounds_units[i]) ++i;
    buckets[i].add();
    count.add();
    sum_units.add(v);
  }
  // A value in base units; negative values count as 0.
  void observe(double v) noexcept { observe_units(v > 0 ? static_cast<uint64_t>(v * unit + 0.5) : 0); }
  double sum() const noexcept { return static_cast<double>(sum_units.load()) / unit; }
};

template <std::size_t N>
HistogramView view_of(const Histogram<N>& h) noexcept {
  return {h.bounds, h.buckets, &h.count, h.sum(), std::as_bytes(std::span(&h, 1))};
}

}  // namespace rv::dataplane
