#pragma once
// LcoreLog: how lcores log without logging (DESIGN.md §6, STYLE.md 1). An lcore formats a
// fixed-size record into its own stack and enqueues it on an rte_ring (multi-producer, single
// consumer); it never blocks, never allocates and never calls spdlog. Each lcore has a token
// bucket (control.lcore_log_rate records/s, bursts up to `burst`): records over the rate, or
// that find the ring full, are dropped and counted as suppressed. A control task drains the ring
// into the "lcore" spdlog logger.
//
// Thread-safety: log() from any lcore, one thread per lcore_id; drain() from one control thread;
// counters from any thread.

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "control/task_manager.hpp"
#include "dataplane/lcore_logger.hpp"
#include "events/error.hpp"

struct rte_ring;

namespace rv::control {

using LcoreLogLevel = dataplane::LcoreLogLevel;

struct LcoreLogRecord {
  uint64_t tsc = 0;
  uint16_t lcore_id = 0;
  LcoreLogLevel level = LcoreLogLevel::kInfo;
  uint8_t length = 0;
  char text[116] = {};
};
static_assert(sizeof(LcoreLogRecord) == 128);
static_assert(std::is_trivially_copyable_v<LcoreLogRecord>);

class LcoreLog final : public dataplane::LcoreLogger {
 public:
  static constexpr unsigned kMaxLcores = 256;

  struct Options {
    uint32_t capacity = 4096;  // records in the ring (a power of two)
    uint32_t rate_per_s = 100;
    uint32_t burst = 32;
    uint64_t tsc_hz = 0;  // required
  };

  static Result<std::unique_ptr<LcoreLog>> create(const Options& options);
  ~LcoreLog() override;
  LcoreLog(const LcoreLog&) = delete;
  LcoreLog& operator=(const LcoreLog&) = delete;

  // Lcore side. False when the record was suppressed (rate or ring full).
  bool log(unsigned lcore_id, LcoreLogLevel level, uint64_t now_tsc,
           std::string_view text) noexcept override;
  template <typename... Args>
  bool logf(unsigned lcore_id, LcoreLogLevel level, uint64_t now_tsc,
            fmt::format_string<Args...> format, Args&&... args) noexcept {
    char buf[sizeof(LcoreLogRecord::text)];
    const auto r = fmt::format_to_n(buf, sizeof(buf), format, std::forward<Args>(args)...);
    return log(lcore_id, level, now_tsc, std::string_view(buf, std::min(r.size, sizeof(buf))));
  }

  // Control side: moves up to `max` records into the "lcore" logger. Returns how many.
  std::size_t drain(std::size_t max = 256);

  uint64_t suppressed() const noexcept;  // summed over lcores
  uint64_t enqueued() const noexcept;
  uint64_t drained() const noexcept { return drained_.load(std::memory_order_relaxed); }

  // A task draining every 20 ms (and once more when it stops).
  Result<void> start(TaskManager& tasks);
  bool stop(TaskManager& tasks, std::chrono::milliseconds timeout);

 private:
  struct alignas(64) Bucket {  // lcore: rw (one writer), cp: ro (counters)
    double tokens = 0;
    uint64_t last_tsc = 0;
    std::atomic<uint64_t> enqueued{0};
    std::atomic<uint64_t> suppressed{0};
  };

  LcoreLog() = default;

  Options options_;
  void* memory_ = nullptr;
  rte_ring* ring_ = nullptr;
  std::unique_ptr<Bucket[]> buckets_;
  std::atomic<uint64_t> drained_{0};
  std::optional<TaskId> task_;
};

}  // namespace rv::control
