#include "control/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

namespace rv::control {

Result<std::shared_ptr<spdlog::logger>> setup_logging(const config::LoggingConfig& cfg) {
  spdlog::sink_ptr sink;
  try {
    if (cfg.output == "stderr") {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else if (cfg.output == "stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.output);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return make_error(ErrorCode::kIo, fmt::format("logging.output: cannot open {}: {}",
                                                  cfg.output, e.what()));
  }
  if (cfg.format == "json") {
    sink->set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":"%v"})");
  } else {
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  }
  auto logger = std::make_shared<spdlog::logger>("rvoipd", sink);
  spdlog::set_default_logger(logger);
  set_log_level(cfg.level);
  return logger;
}

void set_log_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::default_logger()->flush_on(spdlog::level::warn);
}

}  // namespace rv::control
