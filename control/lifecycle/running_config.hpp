#pragma once
// RunningConfig: the configuration rvoipd runs with right now. Hot reload replaces it with a new
// immutable snapshot; readers (health monitor, admin handlers, shutdown) take a shared_ptr and
// keep reading their snapshot while a reload publishes the next one. Thread-safe.

#include <memory>
#include <mutex>
#include <utility>

#include "config/config.hpp"

namespace rv::control {

class RunningConfig {
 public:
  explicit RunningConfig(config::Config cfg)
      : current_(std::make_shared<const config::Config>(std::move(cfg))) {}

  std::shared_ptr<const config::Config> get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void set(config::Config cfg) {
    auto next = std::make_shared<const config::Config>(std::move(cfg));
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const config::Config> current_;
};

}  // namespace rv::control
