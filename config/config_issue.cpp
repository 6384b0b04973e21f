#include "config/config_issue.hpp"

#include <fmt/format.h>

namespace rv::config {

std::string ConfigIssue::to_string() const {
  if (line > 0) return fmt::format("{}: {} (line {}, column {})", path, message, line, column);
  if (!origin.empty()) return fmt::format("{}: {} (from {})", path, message, origin);
  if (path.empty()) return message;
  return fmt::format("{}: {}", path, message);
}

void IssueSink::add(ConfigIssue issue) {
  if (listed_.size() < kMaxListedIssues) {
    listed_.push_back(std::move(issue));
  } else {
    ++unlisted_;
  }
}

ConfigIssues IssueSink::take() && {
  if (unlisted_ != 0) {
    listed_.push_back({"", fmt::format("and {} more error{} (only the first {} are listed)",
                                       unlisted_, unlisted_ == 1 ? "" : "s", kMaxListedIssues)});
  }
  return std::move(listed_);
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
