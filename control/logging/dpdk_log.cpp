#include "control/logging/dpdk_log.hpp"

#include <rte_log.h>

#include <atomic>
#include <string>

#include <spdlog/logger.h>

#include "control/logging/logging.hpp"

namespace rv::control {
namespace {

std::atomic<FILE*> g_stream{nullptr};

// A message may reach the cookie in pieces (rte_log flushes after each call, and a caller may
// build a line with several calls): the pieces of a line wait here until its newline. The level
// is the one of the line's first piece.
struct PendingLine {
  std::string text;
  unsigned level = 0;
};
thread_local PendingLine t_pending;

void emit(std::string_view line, unsigned rte_level) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return;
  auto lvl = spdlog_level_of_dpdk(rte_level);
  if (lvl == spdlog::level::warn && is_benign_dpdk_warning(line)) lvl = spdlog::level::debug;
  // component_logger: after shutdown_logging() (rte_eal_cleanup runs late) a plain stderr logger.
  component_logger("dpdk")->log(lvl, "{}", line);
}

ssize_t cookie_write(void*, const char* buf, size_t size) {
  std::string_view data(buf, size);
  auto& pending = t_pending;
  while (!data.empty()) {
    if (pending.text.empty()) pending.level = static_cast<unsigned>(rte_log_cur_msg_loglevel());
    const auto nl = data.find('\n');
    if (nl == std::string_view::npos) {
      pending.text.append(data);
      break;
    }
    if (pending.text.empty()) {
      emit(data.substr(0, nl), pending.level);
    } else {
      pending.text.append(data.substr(0, nl));
      emit(pending.text, pending.level);
      pending.text.clear();
    }
    data.remove_prefix(nl + 1);
  }
  return static_cast<ssize_t>(size);
}

}  // namespace

spdlog::level::level_enum spdlog_level_of_dpdk(unsigned rte_level) {
  switch (rte_level) {
    case RTE_LOG_EMERG:
    case RTE_LOG_ALERT:
    case RTE_LOG_CRIT: return spdlog::level::critical;
    case RTE_LOG_ERR: return spdlog::level::err;
    case RTE_LOG_WARNING: return spdlog::level::warn;
    case RTE_LOG_NOTICE: return spdlog::level::info;
    case RTE_LOG_INFO: return spdlog::level::debug;
    default: return spdlog::level::trace;
  }
}

bool is_benign_dpdk_warning(std::string_view line) {
  return line.starts_with("TELEMETRY: No legacy callbacks, legacy socket not created");
}

bool route_dpdk_log_to_spdlog() {
  if (g_stream.load() != nullptr) return true;
  cookie_io_functions_t io{};
  io.write = cookie_write;
  FILE* f = fopencookie(nullptr, "w", io);
  if (f == nullptr) return false;
  // Line buffering would split a message without a final newline from its end; rte_log flushes
  // after every message anyway.
  setvbuf(f, nullptr, _IOFBF, 4096);
  if (rte_openlog_stream(f) != 0) {
    fclose(f);
    return false;
  }
  g_stream.store(f);  // lives as long as the process: DPDK may log until its last atexit handler
  return true;
}

}  // namespace rv::control
