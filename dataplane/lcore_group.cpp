#include "dataplane/lcore_group.hpp"

#include <fmt/format.h>
#include <rte_errno.h>
#include <rte_launch.h>

namespace rv::dataplane {

Result<void> LcoreGroup::launch(const std::vector<LcoreLoop*>& loops) {
  args_.clear();
  args_.reserve(loops.size());  // launch args must not move once an lcore holds a pointer
  group_.members.store(static_cast<unsigned>(loops.size()));
  for (LcoreLoop* loop : loops) {
    args_.push_back({loop, &group_});
    const int rc = rte_eal_remote_launch(&LcoreLoop::launch_entry, &args_.back(), loop->lcore_id());
    if (rc != 0) {
      group_.members.store(launched_);  // only the launched loops take part in the stop
      request_stop();
      wait();
      return make_error(ErrorCode::kDpdk,
                        fmt::format("cannot launch lcore {}: {}", loop->lcore_id(), rte_strerror(-rc)));
    }
    ++launched_;
  }
  return {};
}

void LcoreGroup::wait() noexcept {
  if (launched_ == 0 || joined_) return;
  for (const auto& a : args_) rte_eal_wait_lcore(a.loop->lcore_id());
  joined_ = true;
}

}  // namespace rv::dataplane
