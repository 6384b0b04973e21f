#include "control/lifecycle/signals.hpp"

#include <atomic>
#include <csignal>

namespace rv::control {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int) { g_stop.store(true); }
extern "C" void on_hup_signal(int) { g_reload.store(true); }

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_hup_signal;
  sigaction(SIGHUP, &sa, nullptr);
}

bool stop_requested() noexcept { return g_stop.load(); }
bool take_reload_request() noexcept { return g_reload.exchange(false); }

}  // namespace rv::control
