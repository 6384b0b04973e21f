#include "control/service/service_notifier.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace rv::control {
namespace {

// One line: STATUS= ends at the first newline.
std::string one_line(std::string_view s) {
  std::string out(s.substr(0, s.find('\n')));
  return out;
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  notifying_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (notifying_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec);
  }
}

void ServiceNotifier::send(const std::string& state) const {
  if (!notifying_) return;
  // 0: the environment stays (the watchdog task and later messages read it).
  if (const int rc = sd_notify(0, state.c_str()); rc < 0) {
    spdlog::warn("sd_notify({}): {}", state.substr(0, state.find('\n')), std::strerror(-rc));
  }
}

void ServiceNotifier::ready(std::string_view status) const {
  send(fmt::format("READY=1\nSTATUS={}", one_line(status)));
}

void ServiceNotifier::stopping(std::string_view status) const {
  send(fmt::format("STOPPING=1\nSTATUS={}", one_line(status)));
}

void ServiceNotifier::status(std::string_view status) const {
  send(fmt::format("STATUS={}", one_line(status)));
}

Result<void> ServiceNotifier::start_watchdog(TaskManager& tasks, Probe probe) {
  if (!watchdog_) return {};
  auto id = tasks.spawn("watchdog", [this, probe = std::move(probe)](std::stop_token token) {
    watch(std::move(token), probe);
  });
  if (!id) return std::unexpected(std::move(id.error()));
  task_ = *id;
  spdlog::info("systemd watchdog: WATCHDOG=1 every {} ms while health is not failed",
               watchdog_->count() / 2000);
  return {};
}

bool ServiceNotifier::stop_watchdog(TaskManager& tasks, std::chrono::milliseconds timeout) {
  if (!task_) return true;
  const bool stopped = tasks.stop(*task_, timeout);
  if (stopped) task_.reset();
  return stopped;
}

// Half the interval, as sd_watchdog_enabled(3) recommends, so one late ping is not fatal.
void ServiceNotifier::watch(std::stop_token token, const Probe& probe) {
  const auto period = *watchdog_ / 2;
  std::mutex mu;
  std::condition_variable_any wake;
  std::string last_status;
  std::optional<std::string> last_failure;
  while (!token.stop_requested()) {
    const auto failure = probe.failure();
    if (!failure) {
      send("WATCHDOG=1");
      pings_.fetch_add(1, std::memory_order_relaxed);
    } else if (failure != last_failure) {
      spdlog::error(
          "health failed ({}): WATCHDOG=1 withheld, systemd's WatchdogSec= will end rvoipd",
          *failure);
    }
    last_failure = failure;
    const std::string status = failure ? "health failed: " + *failure : probe.status();
    if (status != last_status) {
      this->status(status);
      last_status = status;
    }
    std::unique_lock lock(mu);
    wake.wait_for(lock, token, period, [] { return false; });
  }
}

}  // namespace rv::control
