#pragma once
// TaskManager: every control-plane thread or background job of rvoipd is spawned here, as a
// named std::jthread whose body receives a std::stop_token (DESIGN.md §6 "Tasks"). Nothing is
// fire-and-forget: shutdown() stops accepting new work, requests stop of every task, joins them
// against one deadline and names whatever is still running.
//
// A task body must return soon after its stop token is signalled (poll it, or wait on a
// std::condition_variable_any with the token). Thread-safety: every member is thread-safe;
// shutdown() may be called once from any thread (later calls return the same outcome).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "events/error.hpp"

namespace rv::control {

using TaskBody = std::function<void(std::stop_token)>;
using TaskId = uint64_t;

struct ShutdownOutcome {
  std::size_t joined = 0;
  std::vector<std::string> still_running;  // names of tasks that missed the deadline
  bool clean() const noexcept { return still_running.empty(); }
};

class TaskManager {
 public:
  TaskManager() = default;
  // Shuts down with a generous deadline, then joins whatever is left (blocking): a task never
  // outlives its manager.
  ~TaskManager();
  TaskManager(const TaskManager&) = delete;
  TaskManager& operator=(const TaskManager&) = delete;

  // Starts `body` on a new thread named `name` (also its OS thread name, truncated to 15 chars).
  // Error (kState) once shutdown has begun; (kResourceExhausted) when no thread can be created.
  Result<TaskId> spawn(std::string name, TaskBody body);

  // Stops one task: requests stop and joins it if it ends within `timeout`. False when it is
  // still running (it stays owned and is named by shutdown()). Unknown ids count as stopped.
  bool stop(TaskId id, std::chrono::milliseconds timeout);

  // Stop accepting, signal every task, join until `timeout` passes. Tasks that finished are
  // joined; the rest are named in the outcome and stay owned (joined by the destructor).
  ShutdownOutcome shutdown(std::chrono::milliseconds timeout);

  // Tasks not yet finished (running bodies).
  std::size_t running() const;
  std::vector<std::string> running_names() const;
  uint64_t spawned_total() const;
  bool accepting() const;

 private:
  struct Task {
    TaskId id = 0;
    std::string name;
    bool done = false;  // guarded by mu_
    std::jthread thread;
  };

  mutable std::mutex mu_;
  std::condition_variable finished_;
  std::list<Task> tasks_;  // stable addresses: each thread marks its own entry done
  bool accepting_ = true;
  bool shut_down_ = false;
  ShutdownOutcome outcome_;
  uint64_t spawned_ = 0;
};

}  // namespace rv::control
