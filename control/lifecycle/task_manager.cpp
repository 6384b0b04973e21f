#include "control/lifecycle/task_manager.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace rv::control {

Result<TaskId> TaskManager::spawn(std::string name, TaskBody body) {
  std::lock_guard lock(mu_);
  if (!accepting_) {
    return make_error(ErrorCode::kState,
                      fmt::format("task '{}' refused: the task manager is shutting down", name));
  }
  auto& task = tasks_.emplace_back();
  task.name = std::move(name);
  task.id = spawned_ + 1;
  Task* self = &task;
  try {
    // The thread marks its entry done under the lock; the entry is only erased after joining.
    task.thread = std::jthread([this, self, b = std::move(body)](std::stop_token token) {
      pthread_setname_np(pthread_self(), self->name.substr(0, 15).c_str());
      try {
        b(token);
      } catch (const std::exception& e) {
        spdlog::error("task {} ended with an exception: {}", self->name, e.what());
      }
      std::lock_guard done_lock(mu_);
      self->done = true;
      finished_.notify_all();
    });
  } catch (const std::system_error& e) {
    const std::string failed = task.name;
    tasks_.pop_back();
    return make_error(ErrorCode::kResourceExhausted,
                      fmt::format("cannot start task '{}': {}", failed, e.what()));
  }
  ++spawned_;
  return task.id;
}

bool TaskManager::stop(TaskId id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) { return t.id == id; });
  if (it == tasks_.end()) return true;
  it->thread.request_stop();
  if (!finished_.wait_for(lock, timeout, [&] { return it->done; })) return false;
  std::list<Task> done;
  done.splice(done.end(), tasks_, it);
  lock.unlock();
  done.front().thread.join();
  return true;
}

ShutdownOutcome TaskManager::shutdown(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (shut_down_) return outcome_;
  shut_down_ = true;
  accepting_ = false;
  for (auto& t : tasks_) t.thread.request_stop();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  finished_.wait_until(lock, deadline, [&] {
    for (const auto& t : tasks_) {
      if (!t.done) return false;
    }
    return true;
  });
  // Join the finished ones outside the lock (their last act was to take it).
  std::list<Task> finished;
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->done) {
      finished.splice(finished.end(), tasks_, it++);
    } else {
      outcome_.still_running.push_back(it->name);
      ++it;
    }
  }
  lock.unlock();
  for (auto& t : finished) t.thread.join();
  lock.lock();
  outcome_.joined = finished.size();
  return outcome_;
}

TaskManager::~TaskManager() {
  const auto outcome = shutdown(std::chrono::seconds(5));
  for (const auto& name : outcome.still_running) {
    spdlog::error("task {} ignores its stop request; waiting for it", name);
  }
  // tasks_ is destroyed next: each std::jthread joins. mu_ and finished_ are declared before
  // tasks_, so they outlive the threads' last use of them.
}

std::size_t TaskManager::running() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& t : tasks_) n += t.done ? 0 : 1;
  return n;
}

std::vector<std::string> TaskManager::running_names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& t : tasks_) {
    if (!t.done) out.push_back(t.name);
  }
  return out;
}

uint64_t TaskManager::spawned_total() const {
  std::lock_guard lock(mu_);
  return spawned_;
}

bool TaskManager::accepting() const {
  std::lock_guard lock(mu_);
  return accepting_;
}

}  // namespace rv::control
