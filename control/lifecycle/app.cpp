#include "control/lifecycle/app.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "control/admin/admin_server.hpp"
#include "control/lifecycle/app_components.hpp"
#include "control/exit_code.hpp"
#include "control/logging/logging.hpp"
#include "control/lifecycle/signals.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

std::expected<config::Config, int> load(const CliOptions& o) {
  config::LoadRequest req{o.config_file, config::environment_overrides(), o.sets};
  auto cfg = config::load_config(req);
  if (!cfg) {
    for (const auto& issue : cfg.error()) std::cerr << "rvoipd: config: " << issue.to_string() << "\n";
    return std::unexpected(kExitUsage);
  }
  return *cfg;
}

std::expected<std::vector<CaptureInfo>, int> inspect_captures(const std::vector<std::string>& paths) {
  std::vector<CaptureInfo> out;
  for (const auto& p : paths) {
    if (p.find(',') != std::string::npos) {
      std::cerr << "rvoipd: capture path " << p << " contains a comma, which EAL device strings "
                << "cannot carry; rename or link the file\n";
      return std::unexpected(kExitUsage);
    }
    auto info = inspect_capture(p);
    if (!info) {
      std::cerr << "rvoipd: " << info.error().to_string() << "\n";
      return std::unexpected(kExitUsage);
    }
    out.push_back(*info);
  }
  return out;
}

// Replay ends once every frame of every capture was taken from the ports: read by an lcore, or
// dropped by the port (counted there).
bool replay_complete(const Appliance& app, uint64_t expected) {
  uint64_t seen = app.totals().rx_frames;
  for (const auto& p : app.ports()) {
    const auto s = dataplane::read_port_stats(p.port_id);
    seen += s.rx_nombuf + s.ierrors + s.imissed;
  }
  return seen >= expected;
}

// The control loop (main thread): waits for the end of the replay or a stop signal, refreshing
// progress and moving ended streams out of the shards.
void control_loop(Runtime& rt) {
  Appliance& app = *rt.app;
  uint64_t expected = 0;
  for (const auto& c : rt.plan.captures) expected += c.frames;
  const bool replay = !rt.plan.captures.empty();
  uint64_t last_seen = 0;
  auto last_change = Clock::now();
  rt.interrupted = replay;  // until the replay is seen complete
  while (!stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (rt.progress) rt.progress->tick(app);
    if (rt.federation && rt.federation->awaited_done()) {  // analyzer --await-probes
      rt.federation->advance_clock();
      break;
    }
    if (!replay) continue;
    if (replay_complete(app, expected)) {
      rt.interrupted = false;
      break;
    }
    // A capture that yields fewer frames than libpcap counted (a PMD error) must not hang us.
    const uint64_t seen = app.totals().rx_frames;
    if (seen != last_seen || app.frames_waiting() != 0) {  // a paced replay holds frames
      last_seen = seen;
      last_change = Clock::now();
    } else if (Clock::now() - last_change > std::chrono::seconds(3)) {
      spdlog::warn("replay stalled at {} of {} frames; ending the run", seen, expected);
      rt.interrupted = false;
      break;
    }
  }
}

// Stops every component and every task; the exit code of the run.
int shut_down(Runtime& rt, bool ran) {
  rt.ran = ran;
  rt.service.stopping(ran ? "stopping: draining the lcores, flushing outputs" : "stopping");
  const auto cfg = rt.config.get();
  const auto budget = std::chrono::milliseconds(cfg->control.shutdown_timeout_ms);
  rt.lifecycle.set_stop_timeout(budget);
  auto stopped = rt.lifecycle.stop();
  if (!stopped) spdlog::error("{}", stopped.error().to_string());
  const auto tasks = rt.tasks.shutdown(budget);
  auto stragglers = rt.lifecycle.stragglers();
  stragglers.insert(stragglers.end(), tasks.still_running.begin(), tasks.still_running.end());
  if (!stragglers.empty()) {
    // Destroying what they use would be undefined; name them and leave at once.
    spdlog::critical("still running after the {} ms shutdown budget: {}", budget.count(),
                     fmt::join(stragglers, ", "));
    shutdown_logging();
    std::_Exit(kExitRuntime);
  }
  return stopped ? kExitOk : kExitRuntime;
}

int run(const CliOptions& o, const config::Config& cfg, const RunPlan& plan) {
  Runtime rt(o, cfg, plan);
  if (auto r = add_components(rt); !r) {
    spdlog::error("{}", r.error().to_string());
    return kExitRuntime;
  }
  if (auto r = rt.lifecycle.start(); !r) {
    spdlog::error("{}", r.error().to_string());
    rt.service.status("start failed: " + r.error().to_string());
    (void)shut_down(rt, false);  // the lifecycle rolled back; this reaps the tasks
    return kExitRuntime;
  }
  const std::string running =
      fmt::format("running: {} port(s), {} worker lcore(s), {}", rt.app->ports().size(),
                  rt.app->shards().size(), plan.captures.empty() ? "live" : "replay");
  spdlog::info("{}", running);
  rt.service.ready(running);  // Live: every component started
  control_loop(rt);
  return shut_down(rt, true);
}

}  // namespace

int run_app(const CliOptions& o) {
  if (o.print_default_config) {
    std::cout << config::render_default_config();
    return kExitOk;
  }
  auto cfg = load(o);
  if (!cfg) return cfg.error();
  auto captures = inspect_captures(o.pcaps);
  if (!captures) return captures.error();
  if (o.check_config) {
    std::cout << "rvoipd: config OK\n";
    return kExitOk;
  }
  if (auto log = setup_logging(cfg->logging); !log) {
    std::cerr << "rvoipd: " << log.error().to_string() << "\n";
    return kExitUsage;
  }
  for (const auto& c : *captures) {
    if (c.truncated) component_logger("replay")->warn("{}", truncation_warning(c));
  }
  install_signal_handlers();
  const int code = run(o, *cfg, RunPlan{*captures, o.eal_args});
  shutdown_logging();
  return code;
}

}  // namespace rv::control
