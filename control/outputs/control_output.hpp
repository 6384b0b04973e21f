#pragma once
// ControlOutput: the one datapath -> control channel (DESIGN.md §1, grout's control output).
// Subscribes the control group to every InterPlane event type through the PlaneRouter, and one
// control task drains those subscriptions, Critical first, handing each event to every
// registered EventConsumer (report, health, log, outputs). Control never reads lcore tables.
//
// Lifecycle: create() before the lcores launch (nothing is published unheard), start() spawns
// the task, finish() -- once the lcores stopped -- drains what is left and joins it.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "control/outputs/event_consumer.hpp"
#include "control/lifecycle/task_manager.hpp"
#include "events/error.hpp"
#include "planes/routing/plane_router.hpp"

namespace rv::control {

class ControlOutput {
 public:
  // `consumers` must outlive this object.
  static Result<std::unique_ptr<ControlOutput>> create(planes::routing::PlaneRouter& router,
                                                       std::vector<EventConsumer*> consumers);
  ~ControlOutput();
  ControlOutput(const ControlOutput&) = delete;
  ControlOutput& operator=(const ControlOutput&) = delete;

  Result<void> start(TaskManager& tasks);
  // Stops the task after it drained everything queued, then drains again on the caller (the
  // lcores have stopped: nothing new arrives). Idempotent.
  void finish(TaskManager& tasks, std::chrono::milliseconds timeout);

  // Events handed to the consumers so far. Any thread.
  uint64_t handled() const noexcept { return handled_.load(std::memory_order_relaxed); }

  // Drains up to `budget` events per subscription; returns how many. The task's thread only
  // (or the caller of finish(), once the task ended).
  std::size_t poll(std::size_t budget);

 private:
  struct Subscriptions;
  explicit ControlOutput(std::vector<EventConsumer*> consumers);

  std::vector<EventConsumer*> consumers_;
  std::unique_ptr<Subscriptions> subs_;
  std::optional<TaskId> task_;
  std::atomic<uint64_t> handled_{0};
  bool finished_ = false;
};

}  // namespace rv::control
