#include "control/logging/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include <fmt/format.h>

namespace rv::control {
namespace {

constexpr std::size_t kQueueRecords = 8192;

// A file sink that reopens its path on request (logrotate renames the file, then sends SIGHUP):
// appends, as spdlog's basic_file_sink does, and creates the file anew when it was moved away.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path) : path_(path), file_(open(path)) {}
  // Thread-safe (the sink's mutex): lines written after it land in the file now at the path.
  // Throws spdlog_ex when the path cannot be opened; the old file then stays in use.
  void reopen() {
    auto fresh = open(path_);
    std::lock_guard lock(mutex_);
    file_->flush();
    file_.swap(fresh);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_->write(formatted);
  }
  void flush_() override { file_->flush(); }

 private:
  static std::unique_ptr<spdlog::details::file_helper> open(const std::string& path) {
    auto f = std::make_unique<spdlog::details::file_helper>();
    f->open(path, false);  // append
    return f;
  }

  std::string path_;
  std::unique_ptr<spdlog::details::file_helper> file_;  // guarded by mutex_
};

std::mutex g_mu;
spdlog::sink_ptr g_sink;  // guarded by g_mu; null before setup_logging()
std::shared_ptr<ReopenableFileSink> g_file_sink;  // guarded by g_mu; null unless output is a file

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
  std::shared_ptr<ReopenableFileSink> file_sink;
  try {
    if (cfg.output == "stderr") {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else if (cfg.output == "stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      file_sink = std::make_shared<ReopenableFileSink>(cfg.output);
      sink = file_sink;
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
  g_file_sink = file_sink;
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

Result<void> reopen_log_file() {
  std::shared_ptr<ReopenableFileSink> sink;
  {
    std::lock_guard lock(g_mu);
    sink = g_file_sink;
  }
  if (!sink) return {};
  try {
    sink->reopen();
  } catch (const spdlog::spdlog_ex& e) {
    return make_error(ErrorCode::kIo, fmt::format("logging.output: cannot reopen: {}", e.what()));
  }
  return {};
}

void shutdown_logging() {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  spdlog::shutdown();  // drains the queue and joins the async thread
  std::lock_guard lock(g_mu);
  g_sink.reset();
  g_file_sink.reset();
  // Anything logged later (static destructors) goes to stderr synchronously.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("rvoipd", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

}  // namespace rv::control
