#pragma once
// Logging (DESIGN.md §6): spdlog async loggers, one per component ("lifecycle", "config",
// "admin", "dataplane", "health", "tasks", ...) plus the default logger "rvoipd", all sharing one
// sink (stderr, stdout or a file) and one background thread. Text or JSON lines (one object per
// line, message escaped). The level is reloadable. Control-plane only: lcores never log, they
// publish dataplane.notice events (control/outputs/notice_log.hpp logs them).

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "config/config.hpp"
#include "events/error.hpp"

namespace rv::control {

// Creates the sink, the async thread pool and the default logger ("rvoipd"). Error when the
// output file cannot be opened. Call once, before any component_logger().
Result<std::shared_ptr<spdlog::logger>> setup_logging(const config::LoggingConfig& cfg);

// The logger named `component`, created on first use with the shared sink and the current
// level. Thread-safe. Before setup_logging(), a synchronous stderr logger.
std::shared_ptr<spdlog::logger> component_logger(std::string_view component);

// Applies a level to every logger (hot reload). Error for an unknown level name.
Result<void> set_log_level(const std::string& level);

// With logging.output a file: closes it and opens the path again (created when logrotate moved
// the file away), so the lines that follow land in the file now at the path. A no-op for
// stderr/stdout. Thread-safe; called on SIGHUP. Error when the path cannot be opened: the file
// open before stays in use.
Result<void> reopen_log_file();

// Flushes every logger and stops the async thread. Call before the process exits.
void shutdown_logging();

}  // namespace rv::control
