#pragma once
// spdlog setup from config: level, text or JSON lines, stderr/stdout/file. Control-plane only;
// lcores never log.

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "config/config.hpp"
#include "events/error.hpp"

namespace rv::control {

// Creates the default logger ("rvoipd") and returns it. Error when a file cannot be opened.
Result<std::shared_ptr<spdlog::logger>> setup_logging(const config::LoggingConfig& cfg);

// Applies a new level (hot reload).
void set_log_level(const std::string& level);

}  // namespace rv::control
