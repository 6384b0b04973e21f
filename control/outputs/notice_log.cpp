#include "control/outputs/notice_log.hpp"

#include <string>

#include <fmt/format.h>

#include "control/logging/logging.hpp"

namespace rv::control {

void NoticeLog::on_notice(const dataplane::DataplaneNotice& n) {
  notices_.fetch_add(1, std::memory_order_relaxed);
  std::string drops;
  for (std::size_t i = 0; i < n.drops.size(); ++i) {
    if (n.drops[i] == 0) continue;
    drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ",
                         dataplane::to_string(static_cast<dataplane::NoticeDrop>(i)), n.drops[i]);
  }
  if (!drops.empty()) {
    component_logger("dataplane")->warn("lcore {} (shard {}) dropped in the last second: {}",
                                        n.lcore_id, n.shard, drops);
  }
}

}  // namespace rv::control
