#pragma once
// SIGINT/SIGTERM request a graceful stop; SIGHUP requests a config reload. The handlers only set
// lock-free flags; the control loop polls them.

namespace rv::control {

void install_signal_handlers();
bool stop_requested() noexcept;
// True once per SIGHUP received since the last call.
bool take_reload_request() noexcept;

}  // namespace rv::control
