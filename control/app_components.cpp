#include "control/app_components.hpp"

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "control/appliance_metrics.hpp"
#include "control/report.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

bool progress_enabled(const config::Config& cfg) {
  if (cfg.control.progress == "on") return true;
  if (cfg.control.progress == "off") return false;
  return isatty(STDERR_FILENO) != 0;
}

ComponentSpec dataplane(Runtime& rt) {
  ComponentSpec c;
  c.name = "dataplane";
  c.caller_thread = true;  // rte_eal_init makes its calling thread the main lcore
  c.init = [&rt]() -> Result<void> {
    auto app = Appliance::create(*rt.config.get(), rt.plan);
    if (!app) return std::unexpected(std::move(app.error()));
    rt.app = std::move(*app);
    return {};
  };
  c.start = [&rt]() -> Result<void> {
    register_appliance_metrics(rt.registry, *rt.app);
    return {};
  };
  c.stop = [&rt]() -> Result<void> {
    rt.app.reset();  // ports stopped, EAL cleaned up
    return {};
  };
  return c;
}

// /health: the lifecycle state and every component's state and reason.
HealthReport health_report(const Runtime& rt) {
  const auto state = rt.lifecycle.state();
  HealthLevel worst = HealthLevel::kOk;
  nlohmann::json components = nlohmann::json::object();
  for (const auto& s : rt.lifecycle.snapshot()) {
    components[s.name] = {{"state", to_string(s.state)},
                          {"health", to_string(s.health.level)},
                          {"reason", s.health.reason}};
    worst = std::max(worst, s.health.level);
  }
  std::string status = state != LifecycleState::kLive ? std::string(to_string(state))
                       : worst == HealthLevel::kOk     ? "ok"
                                                       : std::string(to_string(worst));
  const nlohmann::json body = {{"status", status},
                               {"lifecycle", to_string(state)},
                               {"components", components}};
  const bool serving = state == LifecycleState::kLive && worst != HealthLevel::kFailed;
  return {serving ? 200 : 503, body.dump()};
}

ComponentSpec admin(Runtime& rt) {
  ComponentSpec c;
  c.name = "admin";
  c.depends_on = {"dataplane"};  // its collectors read the appliance
  c.start = [&rt]() -> Result<void> {
    const auto cfg = rt.config.get();
    AdminHandlers h{&rt.registry, [&rt] { return health_report(rt); },
                    [&rt] { return rt.lifecycle.state() == LifecycleState::kLive; }};
    auto s = AdminServer::start(cfg->control.metrics_listen, std::move(h));
    if (!s) return std::unexpected(std::move(s.error()));
    rt.admin = std::move(*s);
    spdlog::info("metrics on http://{}/metrics", cfg->control.metrics_listen);
    return {};
  };
  c.stop = [&rt]() -> Result<void> {
    rt.admin.reset();
    return {};
  };
  return c;
}

ComponentSpec tasks(Runtime& rt) {
  ComponentSpec c;
  c.name = "tasks";
  c.stop = [&rt]() -> Result<void> {
    const auto cfg = rt.config.get();
    const auto outcome = rt.tasks.shutdown(std::chrono::milliseconds(cfg->control.shutdown_timeout_ms));
    if (outcome.clean()) return {};
    return make_error(ErrorCode::kTimeout, fmt::format("tasks still running: {}",
                                                       fmt::join(outcome.still_running, ", ")));
  };
  c.health = [&rt]() -> HealthStatus {
    if (rt.tasks.accepting()) return {};
    return {HealthLevel::kDegraded, "shutting down"};
  };
  return c;
}

ComponentSpec report(Runtime& rt) {
  ComponentSpec c;
  c.name = "report";
  c.depends_on = {"dataplane"};
  c.caller_thread = true;
  c.stop_timeout = std::chrono::milliseconds(0);  // writing a large report takes what it takes
  c.start = [&rt]() -> Result<void> {
    if (progress_enabled(*rt.config.get())) rt.progress = std::make_unique<Progress>(rt.plan);
    rt.started_at = Clock::now();
    return {};
  };
  c.stop = [&rt]() -> Result<void> {
    if (!rt.ran) return {};
    if (rt.progress) rt.progress->finish(*rt.app);
    RunInfo run{rt.plan.captures.empty() ? "live" : "replay",
                std::chrono::duration<double>(Clock::now() - rt.started_at).count(),
                rt.plan.captures};
    std::cout << human_summary(*rt.app, run) << std::flush;
    if (!rt.options.report) return {};
    if (auto r = write_report(*rt.options.report, build_report_json(*rt.app, run)); !r) return r;
    std::cout << "  report    " << *rt.options.report << "\n";
    return {};
  };
  return c;
}

ComponentSpec lcores(Runtime& rt) {
  ComponentSpec c;
  c.name = "lcores";
  c.depends_on = {"dataplane", "report"};
  c.caller_thread = true;  // remote launch and join belong to the main lcore
  c.start = [&rt]() -> Result<void> { return rt.app->start(); };
  c.stop = [&rt]() -> Result<void> {
    if (!rt.app) return {};
    rt.app->request_stop();
    rt.app->wait();
    rt.app->finish_streams();
    return {};
  };
  c.health = [&rt]() -> HealthStatus {
    if (rt.app->running()) return {};
    return {HealthLevel::kFailed, "worker loops are not running"};
  };
  return c;
}

}  // namespace

Result<void> add_components(Runtime& rt) {
  const auto cfg = rt.config.get();
  std::vector<ComponentSpec> specs;
  specs.push_back(dataplane(rt));
  if (cfg->control.metrics_enabled) specs.push_back(admin(rt));
  specs.push_back(tasks(rt));
  specs.push_back(report(rt));
  specs.push_back(lcores(rt));
  for (auto& s : specs) {
    if (auto r = rt.lifecycle.add(std::move(s)); !r) return r;
  }
  rt.lifecycle.set_observer([](std::string_view component, std::string_view what) {
    spdlog::debug("lifecycle: {}: {}", component, what);
  });
  return {};
}

}  // namespace rv::control
