#include "config/config_issue.hpp"

#include <fmt/format.h>

namespace rv::config {

std::string ConfigIssue::to_string() const {
  if (line > 0) return fmt::format("{}: {} (line {}, column {})", path, message, line, column);
  if (!origin.empty()) return fmt::format("{}: {} (from {})", path, message, origin);
  return fmt::format("{}: {}", path, message);
}

Error to_error(const ConfigIssues& issues) {
  std::string msg;
  for (const auto& i : issues) {
    if (!msg.empty()) msg += '\n';
    msg += i.to_string();
  }
  return Error(ErrorCode::kConfig, msg);
}

}  // namespace rv::config
