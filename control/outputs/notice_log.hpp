#pragma once
// NoticeLog: logs every dataplane.notice (drops an lcore saw in the last second, by reason) as
// a warning, and keeps the totals for /health and the report. Runs on the ControlOutput task.

#include <array>
#include <atomic>
#include <cstdint>

#include "control/outputs/event_consumer.hpp"

namespace rv::control {

class NoticeLog final : public EventConsumer {
 public:
  void on_notice(const dataplane::DataplaneNotice& n) override;
  // Notices received so far. Any thread.
  uint64_t notices() const noexcept { return notices_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> notices_{0};
};

}  // namespace rv::control
