#include "control/lifecycle/config_reloader.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "control/logging/logging.hpp"
#include "control/lifecycle/signals.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(50);
// Editors write in several steps (truncate, write, rename, chmod): wait for quiet first.
constexpr auto kDebounce = std::chrono::milliseconds(150);

// True when the inotify events in `buf` name `file`.
bool names_file(const char* buf, ssize_t len, const std::string& file) {
  for (ssize_t off = 0; off < len;) {
    const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
    if (ev->len > 0 && file == ev->name) return true;
    off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
  }
  return false;
}

}  // namespace

ConfigReloader::ConfigReloader(config::LoadRequest request, RunningConfig& running,
                               CanApply can_apply, Apply apply)
    : request_(std::move(request)),
      running_(running),
      can_apply_(std::move(can_apply)),
      apply_(std::move(apply)) {}

ReloadOutcome ConfigReloader::reload(std::string_view trigger) {
  std::lock_guard lock(mu_);
  auto log = component_logger("config");
  ReloadOutcome out;
  auto loaded = config::load_config(request_);
  if (!loaded) {
    for (const auto& issue : loaded.error()) out.errors.push_back(issue.to_string());
    failures_.fetch_add(1, std::memory_order_relaxed);
    log->error("reload ({}) rejected, still running the previous config: {}", trigger,
               fmt::join(out.errors, "; "));
    return out;
  }
  const auto running = running_.get();
  const auto diff = config::diff_config(*running, *loaded);
  config::ConfigDiff live;
  for (const auto& c : diff.reloadable) {
    (can_apply_(c.field->path) ? live.reloadable : live.restart_only).push_back(c);
  }
  live.restart_only.insert(live.restart_only.end(), diff.restart_only.begin(),
                           diff.restart_only.end());
  const auto next = config::apply_changes(*running, live.reloadable);
  apply_(next, live);
  running_.set(next);
  for (const auto& c : live.reloadable) out.applied.push_back(config::describe(c));
  for (const auto& c : live.restart_only) out.needs_restart.push_back(config::describe(c));
  out.ok = true;
  successes_.fetch_add(1, std::memory_order_relaxed);
  if (out.applied.empty() && out.needs_restart.empty()) {
    log->info("reload ({}): no change", trigger);
  }
  for (const auto& a : out.applied) log->info("reload ({}): applied {}", trigger, a);
  for (const auto& r : out.needs_restart) {
    log->warn("reload ({}): {} changed but needs a restart; not applied", trigger, r);
  }
  return out;
}

Result<void> ConfigReloader::start(TaskManager& tasks, bool watch_file) {
  int fd = -1;
  if (watch_file && request_.file) {
    const std::filesystem::path file(*request_.file);
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
                                                         IN_ATTRIB) < 0) {
      const int err = errno;
      if (fd >= 0) close(fd);
      return make_error(ErrorCode::kIo, fmt::format("cannot watch {} for changes: {}",
                                                    dir.string(), std::strerror(err)));
    }
  }
  auto id = tasks.spawn("config-reloader", [this, fd](std::stop_token t) { run(t, fd); });
  if (!id) {
    if (fd >= 0) close(fd);
    return std::unexpected(std::move(id.error()));
  }
  task_ = *id;
  return {};
}

void ConfigReloader::run(std::stop_token token, int inotify_fd) {
  const std::string file =
      request_.file ? std::filesystem::path(*request_.file).filename().string() : std::string();
  bool pending = false;  // a change seen, reload due at `due` (no optional: g++ 12 -Wmaybe-uninitialized)
  Clock::time_point due{};
  alignas(inotify_event) std::array<char, 4096> buf{};
  while (!token.stop_requested()) {
    if (inotify_fd >= 0) {
      pollfd p{inotify_fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(kPoll.count())) > 0) {
        ssize_t n = 0;
        while ((n = read(inotify_fd, buf.data(), buf.size())) > 0) {
          if (names_file(buf.data(), n, file)) {
            pending = true;
            due = Clock::now() + kDebounce;
          }
        }
      }
    } else {
      std::this_thread::sleep_for(kPoll);
    }
    if (take_reload_request()) {
      pending = false;  // SIGHUP reloads the same file now; a pending change is covered by it
      // SIGHUP is also logrotate's "reopen your log": first the file, so the reload's lines
      // land in the new one.
      if (auto r = reopen_log_file(); !r) component_logger("config")->error("{}", r.error().message());
      (void)reload("SIGHUP");
    } else if (pending && Clock::now() >= due) {
      pending = false;
      (void)reload("file change");
    }
  }
  if (inotify_fd >= 0) close(inotify_fd);
}

bool ConfigReloader::stop(TaskManager& tasks, std::chrono::milliseconds timeout) {
  if (!task_) return true;
  const bool stopped = tasks.stop(*task_, timeout);
  task_.reset();
  return stopped;
}

}  // namespace rv::control
