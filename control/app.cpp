#include "control/app.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "control/admin_server.hpp"
#include "control/appliance.hpp"
#include "control/appliance_metrics.hpp"
#include "control/exit_code.hpp"
#include "control/logging.hpp"
#include "control/progress.hpp"
#include "control/report.hpp"
#include "control/signals.hpp"

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

bool progress_enabled(const config::Config& cfg) {
  if (cfg.control.progress == "on") return true;
  if (cfg.control.progress == "off") return false;
  return isatty(STDERR_FILENO) != 0;
}

// The control loop: waits for the end of the replay or a stop signal, refreshing progress.
void control_loop(Appliance& app, const RunPlan& plan, Progress* progress) {
  uint64_t expected = 0;
  for (const auto& c : plan.captures) expected += c.frames;
  const bool replay = !plan.captures.empty();
  uint64_t last_seen = 0;
  auto last_change = Clock::now();
  while (!stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (progress) progress->tick(app);
    app.collect_ended_streams();
    if (!replay) continue;
    if (replay_complete(app, expected)) break;
    // A capture that yields fewer frames than libpcap counted (a PMD error) must not hang us.
    const uint64_t seen = app.totals().rx_frames;
    if (seen != last_seen) {
      last_seen = seen;
      last_change = Clock::now();
    } else if (Clock::now() - last_change > std::chrono::seconds(3)) {
      spdlog::warn("replay stalled at {} of {} frames; ending the run", seen, expected);
      break;
    }
  }
}

int run(const CliOptions& o, const config::Config& cfg, const RunPlan& plan) {
  auto app = Appliance::create(cfg, plan);
  if (!app) {
    spdlog::error("{}", app.error().to_string());
    return kExitRuntime;
  }
  std::atomic<bool> live{false};
  MetricsRegistry registry;
  register_appliance_metrics(registry, **app);
  std::unique_ptr<AdminServer> admin;
  if (cfg.control.metrics_enabled) {
    AdminHandlers h{&registry,
                    [&] { return HealthReport{live ? 200 : 503, fmt::format(R"({{"status":"{}"}})", live ? "ok" : "starting")}; },
                    [&] { return live.load(); }};
    auto s = AdminServer::start(cfg.control.metrics_listen, std::move(h));
    if (!s) {
      spdlog::error("{}", s.error().to_string());
      return kExitRuntime;
    }
    admin = std::move(*s);
    spdlog::info("metrics on http://{}/metrics", cfg.control.metrics_listen);
  }
  const auto t0 = Clock::now();
  if (auto r = (*app)->start(); !r) {
    spdlog::error("{}", r.error().to_string());
    return kExitRuntime;
  }
  live = true;
  spdlog::info("running: {} port(s), {} worker lcore(s), {}", (*app)->ports().size(),
               (*app)->shards().size(), plan.captures.empty() ? "live" : "replay");
  std::unique_ptr<Progress> progress;
  if (progress_enabled(cfg)) progress = std::make_unique<Progress>(plan);
  control_loop(**app, plan, progress.get());
  live = false;
  (*app)->request_stop();
  (*app)->wait();
  (*app)->finish_streams();
  if (progress) progress->finish(**app);
  RunInfo run{plan.captures.empty() ? "live" : "replay",
              std::chrono::duration<double>(Clock::now() - t0).count(), plan.captures};
  std::cout << human_summary(**app, run) << std::flush;
  if (o.report) {
    if (auto r = write_report(*o.report, build_report_json(**app, run)); !r) {
      spdlog::error("{}", r.error().to_string());
      return kExitRuntime;
    }
    std::cout << "  report    " << *o.report << "\n";
  }
  return kExitOk;
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
  install_signal_handlers();
  return run(o, *cfg, RunPlan{*captures, o.eal_args});
}

}  // namespace rv::control
