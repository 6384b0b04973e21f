#pragma once
// RxClock: one conversion of every RX time to nanoseconds (DESIGN.md §4, issue 4 item 7).
// Ports that stamp mbufs (net_pcap: the capture's time; NICs with the timestamp offload) give
// their stamp in the port's unit; other frames are stamped with the TSC converted to the
// system's realtime clock at start-up. Jitter is computed from these times.

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_version.h>

#include <cstdint>

#include "dataplane/port.hpp"

namespace rv::dataplane {

class RxClock {
 public:
  RxClock() = default;
  // `field`: the registered timestamp dynfield; `ns_per_unit`: 1000 for net_pcap on DPDK
  // releases that store microseconds, 1 for nanosecond stamps.
  RxClock(RxTimestampField field, uint64_t ns_per_unit, uint64_t tsc_hz, uint64_t tsc0,
          uint64_t realtime0_ns) noexcept
      : field_(field), ns_per_unit_(ns_per_unit), tsc_hz_(tsc_hz), tsc0_(tsc0),
        realtime0_ns_(realtime0_ns) {}

  // Nanoseconds since the epoch for `m`, received when the TSC read `now_tsc`.
  uint64_t stamp(const rte_mbuf* m, uint64_t now_tsc) const noexcept {
    if (field_.offset >= 0 && (m->ol_flags & field_.flag) != 0) {
      return *RTE_MBUF_DYNFIELD(m, field_.offset, const uint64_t*) * ns_per_unit_;
    }
    return tsc_to_ns(now_tsc);
  }

  // TSC ticks in `ns` nanoseconds (replay pacing).
  uint64_t ns_to_tsc(uint64_t ns) const noexcept {
    return (ns / 1'000'000'000ull) * tsc_hz_ + ((ns % 1'000'000'000ull) * tsc_hz_) / 1'000'000'000ull;
  }

  uint64_t tsc_to_ns(uint64_t tsc) const noexcept {
    const uint64_t d = tsc - tsc0_;
    // Split to avoid overflow of d * 1e9 for long uptimes.
    return realtime0_ns_ + (d / tsc_hz_) * 1'000'000'000ull +
           ((d % tsc_hz_) * 1'000'000'000ull) / tsc_hz_;
  }

 private:
  RxTimestampField field_;
  uint64_t ns_per_unit_ = 1;
  uint64_t tsc_hz_ = 1;
  uint64_t tsc0_ = 0;
  uint64_t realtime0_ns_ = 0;
};

// net_pcap stored microseconds in the dynfield until it learned nanosecond precision (after
// DPDK 25.03); Debian 12 ships 22.11.
constexpr uint64_t kPcapNsPerUnit = RTE_VERSION < RTE_VERSION_NUM(25, 7, 0, 0) ? 1000 : 1;

}  // namespace rv::dataplane
