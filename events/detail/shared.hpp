#pragma once
// State every publisher and subscriber of one EventSystem reads on the hot path.

#include <rte_cycles.h>
#include <rte_pause.h>

#include <atomic>
#include <cstdint>

#include "events/options.hpp"

namespace rv::events::detail {

__extension__ using Uint128 = unsigned __int128;

enum class State : uint8_t {
  kBuilt,     // rings can be created, nothing flows yet
  kRunning,   // start() called
  kStopping,  // shutdown(): publishes refused, consumers still drain
  kStopped,   // consumers refused; remaining events drained and counted
};

struct SystemShared {
  FabricOptions opts;          // cp: wo at build, dp: ro
  std::atomic<State> state{State::kBuilt};  // cp: wo, dp: ro
  uint64_t tsc_hz = 1;         // ro
  uint64_t wait_cycles = 0;    // ro: control_wait in TSC cycles
  uint64_t ns_per_cycle_q32 = 0;  // ro: (1e9 << 32) / tsc_hz
  uint32_t sample_mask = 0;    // ro: latency_sample_every - 1
  bool metrics = true;         // ro
  bool priority = true;        // ro
  // Lossless mode (replay, end-of-run drain): a producer facing a full ring or an empty pool
  // waits for the consumer instead of dropping, up to lossless_wait, yielding the CPU so that a
  // consumer sharing it makes progress. cp: wo (set_lossless), dp: ro.
  std::atomic<bool> lossless{false};
  uint64_t lossless_cycles = 0;  // ro: lossless_wait in TSC cycles

  void init_clock() noexcept {
    tsc_hz = rte_get_tsc_hz();
    if (tsc_hz == 0) tsc_hz = 1;
    wait_cycles = static_cast<uint64_t>(opts.control_wait.count()) * tsc_hz / 1000000;
    lossless_cycles = static_cast<uint64_t>(opts.lossless_wait.count()) * tsc_hz / 1000;
    lossless.store(opts.lossless, std::memory_order_relaxed);
    ns_per_cycle_q32 = static_cast<uint64_t>((static_cast<Uint128>(1000000000) << 32) /
                                             tsc_hz);
    sample_mask = opts.latency_sample_every - 1;
    metrics = opts.enable_metrics;
    priority = opts.enable_priority;
  }
  uint64_t cycles_to_ns(uint64_t c) const noexcept {
    return static_cast<uint64_t>((static_cast<Uint128>(c) * ns_per_cycle_q32) >> 32);
  }
  bool waits_when_full() const noexcept { return lossless.load(std::memory_order_relaxed); }
  bool accepting() const noexcept {
    return state.load(std::memory_order_relaxed) == State::kRunning;
  }
};

}  // namespace rv::events::detail
