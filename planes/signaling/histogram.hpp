#pragma once
// FixedHistogram: Prometheus-style cumulative-at-export histogram with fixed bucket bounds.
// Single writer (the owning lcore) observes; any thread may read. Buckets hold per-bucket (not
// cumulative) counts; the exporter accumulates them into `le` buckets.

#include <array>
#include <cstddef>
#include <cstdint>

#include "planes/signaling/relaxed_counter.hpp"

namespace rv::planes::signaling {

template <std::size_t N>
struct FixedHistogram {
  std::array<double, N> bounds_seconds;  // upper bounds (le), ascending; +Inf is implicit
  std::array<RelaxedCounter, N + 1> buckets;  // [i] counts values in (bounds[i-1], bounds[i]]
  RelaxedCounter count;
  RelaxedCounter sum_ns;  // sum of observations in nanoseconds (export as seconds)

  std::array<uint64_t, N> bounds_ns;  // the same bounds in ns: exact comparisons

  explicit constexpr FixedHistogram(const std::array<double, N>& b) noexcept : bounds_seconds(b) {
    for (std::size_t i = 0; i < N; ++i) bounds_ns[i] = static_cast<uint64_t>(b[i] * 1e9 + 0.5);
  }

  void observe_ns(uint64_t ns) noexcept {
    std::size_t i = 0;
    while (i < N && ns > bounds_ns[i]) ++i;
    buckets[i].add();
    count.add();
    sum_ns.add(ns);
  }
};

// rvoip_call_setup_seconds: INVITE -> 2xx.
inline constexpr std::array<double, 11> kSetupBucketsSeconds = {0.05, 0.1, 0.25, 0.5, 1,  2,
                                                                3,    5,   10,   20,  30};
// rvoip_call_duration_seconds: 2xx -> BYE.
inline constexpr std::array<double, 11> kDurationBucketsSeconds = {1,   5,    10,   30,   60,  120,
                                                                   300, 600, 1800, 3600, 7200};

using SetupHistogram = FixedHistogram<kSetupBucketsSeconds.size()>;
using DurationHistogram = FixedHistogram<kDurationBucketsSeconds.size()>;

}  // namespace rv::planes::signaling
