#include "control/logging/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include <fmt/format.h>

namespace rv::control {
namespace {

constexpr std::size_t kQueueRecords = 8192;

std::mutex g_mu;
spdlog::sink_ptr g_sink;  // guarded by g_mu; null before setup_logging()

// %j: the message as the inside of a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char ch : msg.payload) {
      switch (ch) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(ch) < 0x20) {
            fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<unsigned>(ch));
          } else {
            dest.push_back(ch);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  if (format == "json") {
    f->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":"%j"})");
  } else {
    f->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  }
  return f;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, const spdlog::sink_ptr& sink) {
  auto logger = std::make_shared<spdlog::async_logger>(name, sink, spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  logger->set_level(spdlog::get_level());
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

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
  sink->set_formatter(make_formatter(cfg.format));
  if (auto r = set_log_level(cfg.level); !r) return std::unexpected(r.error());
  spdlog::init_thread_pool(kQueueRecords, 1);
  auto logger = make_logger("rvoipd", sink);
  spdlog::set_default_logger(logger);
  std::lock_guard lock(g_mu);
  g_sink = sink;
  return logger;
}

std::shared_ptr<spdlog::logger> component_logger(std::string_view component) {
  const std::string name(component);
  std::lock_guard lock(g_mu);
  if (auto existing = spdlog::get(name)) return existing;
  std::shared_ptr<spdlog::logger> logger;
  if (g_sink) {
    logger = make_logger(name, g_sink);
  } else {
    logger = std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::get_level());
  }
  spdlog::register_logger(logger);
  return logger;
}

Result<void> set_log_level(const std::string& level) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown log level '{}'", level));
  }
  spdlog::set_level(lvl);  // every registered logger, and the default for new ones
  return {};
}

void shutdown_logging() {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  spdlog::shutdown();  // drains the queue and joins the async thread
  std::lock_guard lock(g_mu);
  g_sink.reset();
  // Anything logged later (static destructors) goes to stderr synchronously.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("rvoipd", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

}  // namespace rv::control
