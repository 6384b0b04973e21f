#pragma once
// ReplayPacer: releases a replayed capture at its own pace (dataplane.replay_speed=realtime).
// A frame is due when the wall clock since the first frame reaches its capture offset; frames
// read early wait here, held, until a later poll. A jump in capture time of more than
// kMaxGapNs from the last frame released (a far-future timestamp, a long silence, a clock
// stepped back) is not waited for: the pace restarts at that frame, counted in `gaps`.
// One per rx queue, owned by its lcore (dp: rw). A plain value: its owner frees what it holds
// (drop_pending) when the loop ends.

#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "dataplane/counter.hpp"
#include "dataplane/rx_clock.hpp"

namespace rv::planes::transport {

inline constexpr uint16_t kMaxBurst = 512;

class ReplayPacer {
 public:
  static constexpr uint64_t kMaxGapNs = 5'000'000'000ull;

  // Frames held back by an earlier due(): moved to `bufs`; how many (0 when none).
  uint16_t take_pending(rte_mbuf** bufs) noexcept {
    const uint16_t n = pending_count_;
    std::copy_n(pending_.begin(), n, bufs);
    pending_count_ = 0;
    return n;
  }

  // How many of bufs[0, n) are due at `now_tsc`; the rest are held for a later poll.
  uint16_t due(const dataplane::RxClock& clock, rte_mbuf** bufs, uint16_t n, uint64_t now_tsc,
               dataplane::Counter& gaps) noexcept {
    for (uint16_t i = 0; i < n; ++i) {
      const uint64_t ts = clock.stamp(bufs[i], now_tsc);
      const bool jump = origin_ns_ != 0 &&
                        (ts > last_ns_ + kMaxGapNs || ts + kMaxGapNs < last_ns_);
      if (origin_ns_ == 0 || jump) {
        if (jump) gaps.add();
        origin_ns_ = ts;
        origin_tsc_ = now_tsc;
        last_ns_ = ts;
      }
      const uint64_t offset = ts > origin_ns_ ? ts - origin_ns_ : 0;
      if (origin_tsc_ + clock.ns_to_tsc(offset) > now_tsc) {
        pending_count_ = static_cast<uint16_t>(n - i);
        std::copy(bufs + i, bufs + n, pending_.begin());
        return i;
      }
      last_ns_ = std::max(last_ns_, ts);
    }
    return n;
  }

  // Frees the frames still held (the loop stopped before they were due).
  void drop_pending() noexcept {
    rte_pktmbuf_free_bulk(pending_.data(), pending_count_);
    pending_count_ = 0;
  }

  uint16_t pending() const noexcept { return pending_count_; }

 private:
  uint64_t origin_ns_ = 0;   // capture time of the first frame (0 = not started)
  uint64_t origin_tsc_ = 0;  // TSC when the first frame was released
  uint64_t last_ns_ = 0;     // capture time of the last frame released
  uint16_t pending_count_ = 0;
  std::array<rte_mbuf*, kMaxBurst> pending_{};
};

}  // namespace rv::planes::transport
