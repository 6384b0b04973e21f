#include "control/lifecycle/app_components.hpp"

#include "control/metrics/appliance_telemetry.hpp"

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <rte_cycles.h>

#include "control/metrics/appliance_metrics.hpp"
#include "control/metrics/control_metrics.hpp"
#include "control/logging/logging.hpp"
#include "control/outputs/output_metrics.hpp"
#include "control/metrics/quality_metrics.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds stop_budget(const Runtime& rt) {
  return std::chrono::milliseconds(rt.config.get()->control.shutdown_timeout_ms);
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
    register_telemetry(*rt.app);
    return {};
  };
  c.stop = [&rt]() -> Result<void> {
    unregister_telemetry();
    rt.app.reset();  // ports stopped, EAL cleaned up
    return {};
  };
  return c;
}

// /health: the lifecycle state, every component's state and reason, and the health checks.
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
  nlohmann::json checks = nlohmann::json::array();
  if (rt.health) {
    for (const auto& c : rt.health->last().checks) {
      checks.push_back({{"name", c.name}, {"status", to_string(c.level)}, {"reason", c.reason}});
    }
  }
  const std::string status = state != LifecycleState::kLive ? std::string(to_string(state))
                                                            : std::string(to_string(worst));
  nlohmann::json body = {{"status", status},
                         {"lifecycle", to_string(state)},
                         {"components", components},
                         {"checks", checks}};
  if (rt.federation) body["federation"] = nlohmann::json::parse(rt.federation->health_json());
  // 200 while serving (ok or degraded), 503 when failed or not Live.
  const bool serving = state == LifecycleState::kLive && worst != HealthLevel::kFailed;
  return {serving ? 200 : 503, body.dump()};
}

ComponentSpec admin(Runtime& rt) {
  ComponentSpec c;
  c.name = "admin";
  // Serves last: bound only once everything else started, so /ready turns 200 right after the
  // first answer (and it stops serving first).
  c.depends_on = {"dataplane", "lcores", "health"};
  c.start = [&rt]() -> Result<void> {
    const auto cfg = rt.config.get();
    AdminHandlers h{&rt.registry, [&rt] { return health_report(rt); },
                    [&rt] { return rt.lifecycle.state() == LifecycleState::kLive; }};
    if (!cfg->control.auth_user.empty()) {
      h.auth = BasicAuth{cfg->control.auth_user, cfg->control.auth_password_sha256,
                         cfg->control.auth_probes_open, cfg->control.auth_password_bcrypt};
    }
    if (!cfg->control.tls_cert_file.empty()) {
      h.tls = AdminTls{cfg->control.tls_cert_file, cfg->control.tls_key_file};
    }
    const bool tls = h.tls.has_value();
    auto s = AdminServer::start(cfg->control.metrics_listen, std::move(h));
    if (!s) return std::unexpected(std::move(s.error()));
    rt.admin = std::move(*s);
    component_logger("admin")->info("metrics on {}://{}/metrics", tls ? "https" : "http",
                                    cfg->control.metrics_listen);
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
    const auto outcome = rt.tasks.shutdown(stop_budget(rt));
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

RunInfo run_info(const Runtime& rt) {
  return RunInfo{rt.plan.captures.empty() ? "live" : "replay",
                 std::chrono::duration<double>(Clock::now() - rt.started_at).count(),
                 rt.interrupted, rt.plan.captures};
}

ComponentSpec report(Runtime& rt) {
  ComponentSpec c;
  c.name = "report";
  c.depends_on = {"dataplane"};
  c.caller_thread = true;
  c.stop_timeout = std::chrono::milliseconds(0);  // writing a large report takes what it takes
  c.init = [&rt]() -> Result<void> {
    rt.report = std::make_unique<RunReport>(rt.options.report.has_value() || !rt.plan.captures.empty());
    if (rt.options.report) return rt.report->open(*rt.options.report);  // unwritable: fail now
    return {};
  };
  c.start = [&rt]() -> Result<void> {
    rt.progress = std::make_unique<Progress>(rt.plan, rt.config);
    rt.started_at = Clock::now();
    return {};
  };
  // Runs after the lcores stopped and the control output drained every event.
  c.stop = [&rt]() -> Result<void> {
    if (!rt.ran || !rt.report) return {};
    if (rt.progress) rt.progress->finish(*rt.app);
    const RunInfo run = run_info(rt);
    std::cout << rt.report->summary(*rt.app, run) << std::flush;
    if (!rt.options.report) return {};
    if (auto r = rt.report->write(*rt.app, run); !r) return r;
    std::cout << "  report    " << *rt.options.report << "\n";
    return {};
  };
  return c;
}

ComponentSpec remote(Runtime& rt) {
  ComponentSpec c;
  c.name = "remote";
  const bool analyzer = rt.config.get()->deployment.mode == "analyzer";
  c.depends_on = analyzer ? std::vector<std::string>{"dataplane", "report", "tasks", "lcores", "output"}
                          : std::vector<std::string>{"dataplane", "report", "tasks"};
  c.stop_timeout = std::chrono::milliseconds(0);  // a probe waits for JetStream's acks
  c.init = [&rt]() -> Result<void> {
    auto f = Federation::create(*rt.config.get(), rt.app->router(), !rt.plan.captures.empty(),
                                rt.options.await_probes);
    if (!f) return std::unexpected(std::move(f.error()));
    rt.federation = std::move(*f);
    if (rt.report && rt.config.get()->deployment.mode == "analyzer") {
      rt.report->associate_streams_by_endpoint(true);  // probes' call hashes are their own
    }
    rt.registry.add([&rt](MetricsWriter& w) {
      if (rt.federation) rt.federation->collect(w);
    });
    return {};
  };
  c.start = [&rt]() -> Result<void> { return rt.federation->start(rt.tasks); };
  c.stop = [&rt]() -> Result<void> {
    if (rt.federation) {
      const auto cfg = rt.config.get();
      rt.federation->finish(rt.tasks, stop_budget(rt),
                            std::chrono::seconds(cfg->deployment.drain_timeout_s));
    }
    return {};
  };
  return c;
}

// The per-call outputs the config asks for, as consumers of the control output.
Result<void> open_outputs(Runtime& rt, std::vector<EventConsumer*>& consumers) {
  const auto cfg = rt.config.get();
  auto peers = PeerMap::create(cfg->planes.peers);
  if (!peers) return std::unexpected(std::move(peers.error()));
  rt.quality = std::make_unique<QualityMetrics>(std::move(*peers));
  consumers.push_back(rt.quality.get());
  rt.registry.add([&rt](MetricsWriter& w) {
    if (rt.quality) rt.quality->collect(w);
  });
  if (!cfg->control.cdr.path.empty()) {
    auto cdr = CdrWriter::open(cfg->control.cdr);
    if (!cdr) return std::unexpected(std::move(cdr.error()));
    rt.cdr = std::move(*cdr);
    consumers.push_back(rt.cdr.get());
    component_logger("output")->info("call detail records to {}", cfg->control.cdr.path);
  }
  if (!cfg->control.hep.address.empty()) {
    auto hep = HepExporter::open(cfg->control.hep);
    if (!hep) return std::unexpected(std::move(hep.error()));
    rt.hep = std::move(*hep);
    consumers.push_back(rt.hep.get());
    component_logger("output")->info("HEPv3 export over {} to {} (node id {})",
                                     cfg->control.hep.transport, cfg->control.hep.address,
                                     cfg->control.hep.node_id);
  }
  if (!rt.options.extract.empty()) {
    rt.extractor = std::make_unique<CallExtractor>(rt.options.extract, *rt.options.out_dir);
    if (auto r = rt.extractor->prepare(); !r) return r;
    consumers.push_back(rt.extractor.get());
  }
  rt.registry.add([&rt](MetricsWriter& w) { collect_output_metrics(w, rt.cdr.get(), rt.hep.get()); });
  return {};
}

// After the replay: the second pass over the captures for --extract.
Result<void> write_extracts(Runtime& rt) {
  if (!rt.extractor || !rt.ran) return {};
  auto calls = rt.extractor->write(rt.plan.captures);
  if (!calls) return std::unexpected(std::move(calls.error()));
  for (const auto& c : *calls) {
    std::cout << fmt::format("  extract   {} ({} frames, {} SIP)\n", c.file, c.frames, c.sip_frames);
    if (c.frames == 0) component_logger("output")->warn("--extract: no frame of Call-ID {}", c.call_id);
  }
  return {};
}

ComponentSpec output(Runtime& rt) {
  ComponentSpec c;
  c.name = "output";
  c.depends_on = {"dataplane", "report", "tasks"};
  if (rt.config.get()->deployment.mode == "probe") c.depends_on.push_back("remote");
  // Subscribes before the lcores launch: every event has its consumer from the first packet.
  c.init = [&rt]() -> Result<void> {
    rt.notice_log = std::make_unique<NoticeLog>();
    std::vector<EventConsumer*> consumers{rt.report.get(), rt.notice_log.get()};
    if (rt.federation && rt.federation->consumer() != nullptr) {
      consumers.push_back(rt.federation->consumer());
    }
    if (auto r = open_outputs(rt, consumers); !r) return r;
    auto out = ControlOutput::create(rt.app->router(), std::move(consumers));
    if (!out) return std::unexpected(std::move(out.error()));
    rt.output = std::move(*out);
    return {};
  };
  c.start = [&rt]() -> Result<void> { return rt.output->start(rt.tasks); };
  c.stop = [&rt]() -> Result<void> {
    if (rt.output) rt.output->finish(rt.tasks, stop_budget(rt));
    if (rt.cdr) {
      rt.cdr->finish();  // calls still waiting for their streams
      const auto& n = rt.cdr->counters();
      component_logger("output")->info(
          "call detail records: {} written, {} dropped ({} write errors), {} rotations",
          n.records.load(), n.dropped_io.load() + n.dropped_full.load(), n.write_errors.load(),
          n.rotations.load());
    }
    if (rt.hep) {
      rt.hep->finish(std::chrono::milliseconds(500));
      const auto& n = rt.hep->counters();
      component_logger("output")->info(
          "HEP: {} packets sent ({} SIP, {} stream reports), {} dropped ({} queue full, {} too "
          "large, {} send errors)",
          n.packets.load(), n.sip.load(), n.reports.load(),
          n.dropped_queue.load() + n.dropped_size.load() + n.dropped_error.load(),
          n.dropped_queue.load(), n.dropped_size.load(), n.send_errors.load());
    }
    rt.output.reset();  // its subscriptions go before the fabric they belong to
    if (rt.app) rt.app->stop_fabric();
    return write_extracts(rt);
  };
  return c;
}

ComponentSpec lcores(Runtime& rt) {
  ComponentSpec c;
  c.name = "lcores";
  c.depends_on = {"dataplane", "report", "output"};
  c.caller_thread = true;  // remote launch and join belong to the main lcore
  c.start = [&rt]() -> Result<void> { return rt.app->start(); };
  c.stop = [&rt]() -> Result<void> {
    if (!rt.app) return {};
    rt.app->request_stop();  // the loops publish what they still track, then return
    rt.app->wait();
    return {};
  };
  c.health = [&rt]() -> HealthStatus {
    if (rt.app->running()) return {};
    return {HealthLevel::kFailed, "worker loops are not running"};
  };
  return c;
}

// Reloadable keys with a live consumer: the classifier snapshot, the log level, and every
// control.* key (read from RunningConfig where used).
bool classifier_key(std::string_view path) {
  return path == "dataplane.sip_ports" || path == "dataplane.rtp_port_min" ||
         path == "dataplane.rtp_port_max" || path == "dataplane.rtp_heuristic" ||
         path.starts_with("dataplane.decap_") || path == "dataplane.hep_ports";
}

bool applied_live(std::string_view path) {
  if (path == "logging.level" || classifier_key(path)) return true;
  return path.starts_with("control.");
}

void apply_reload(Runtime& rt, const config::Config& next, const config::ConfigDiff& diff) {
  bool classifier = false;
  for (const auto& c : diff.reloadable) {
    if (c.field->path == "logging.level") (void)set_log_level(next.logging.level);
    classifier = classifier || classifier_key(c.field->path);
  }
  if (classifier && rt.app) rt.app->publish_classifier(next.dataplane);
}

ComponentSpec reloader(Runtime& rt) {
  ComponentSpec c;
  c.name = "reloader";
  c.depends_on = {"dataplane", "tasks"};
  c.init = [&rt]() -> Result<void> {
    config::LoadRequest req{rt.options.config_file, config::environment_overrides(), rt.options.sets};
    rt.reloader = std::make_unique<ConfigReloader>(
        std::move(req), rt.config, applied_live,
        [&rt](const config::Config& next, const config::ConfigDiff& d) { apply_reload(rt, next, d); });
    return {};
  };
  c.start = [&rt]() -> Result<void> {
    return rt.reloader->start(rt.tasks, rt.config.get()->control.config_watch);
  };
  c.stop = [&rt]() -> Result<void> {
    if (!rt.reloader || rt.reloader->stop(rt.tasks, stop_budget(rt))) return {};
    return make_error(ErrorCode::kTimeout, "the reloader task did not stop");
  };
  return c;
}

ComponentSpec health(Runtime& rt) {
  ComponentSpec c;
  c.name = "health";
  c.depends_on = {"lcores", "tasks"};
  // Objects read by scrapes are created in init: every init ends before the admin starts serving.
  c.init = [&rt]() -> Result<void> {
    rt.health = std::make_unique<HealthMonitor>(*rt.app, rt.config);
    return {};
  };
  c.start = [&rt]() -> Result<void> {
    (void)rt.health->tick();
    return rt.health->start(rt.tasks);
  };
  c.stop = [&rt]() -> Result<void> {
    if (!rt.health || rt.health->stop(rt.tasks, stop_budget(rt))) return {};
    return make_error(ErrorCode::kTimeout, "the health task did not stop");
  };
  c.health = [&rt]() -> HealthStatus {
    const auto e = rt.health->last();
    return {e.status, e.summary()};
  };
  return c;
}

// The failed component (the health monitor's checks included, as /health has them), once Live.
// Before Live a component not started yet reads as failed; systemd bounds that phase with
// TimeoutStartSec= (its watchdog runs from READY=1 on) and the stop with TimeoutStopSec=.
std::optional<std::string> health_failure(const Runtime& rt) {
  if (rt.lifecycle.state() != LifecycleState::kLive) return std::nullopt;
  for (const auto& s : rt.lifecycle.snapshot()) {
    if (s.health.level == HealthLevel::kFailed) return s.name + ": " + s.health.reason;
  }
  return std::nullopt;
}

std::string service_status(const Runtime& rt) {
  const auto state = rt.lifecycle.state();
  const auto evaluation = rt.health ? rt.health->last() : HealthEvaluation{};
  if (state != LifecycleState::kLive || evaluation.status == HealthLevel::kOk) {
    return fmt::format("{}: {} port(s), {} worker lcore(s)", to_string(state),
                       rt.app ? rt.app->ports().size() : 0, rt.app ? rt.app->shards().size() : 0);
  }
  return fmt::format("{}, {}: {}", to_string(state), to_string(evaluation.status),
                     evaluation.summary());
}

ComponentSpec service(Runtime& rt) {
  ComponentSpec c;
  c.name = "service";
  c.depends_on = {"health", "tasks"};
  c.start = [&rt]() -> Result<void> {
    return rt.service.start_watchdog(
        rt.tasks, {[&rt] { return health_failure(rt); }, [&rt] { return service_status(rt); }});
  };
  c.stop = [&rt]() -> Result<void> {
    if (rt.service.stop_watchdog(rt.tasks, stop_budget(rt))) return {};
    return make_error(ErrorCode::kTimeout, "the watchdog task did not stop");
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
  specs.push_back(output(rt));
  specs.push_back(lcores(rt));
  specs.push_back(reloader(rt));
  specs.push_back(health(rt));
  specs.push_back(service(rt));
  if (cfg->deployment.mode != "monolithic") specs.push_back(remote(rt));
  for (auto& s : specs) {
    if (auto r = rt.lifecycle.add(std::move(s)); !r) return r;
  }
  register_control_metrics(rt);
  rt.lifecycle.set_observer([](std::string_view component, std::string_view what) {
    component_logger("lifecycle")->debug("{}: {}", component, what);
  });
  return {};
}

}  // namespace rv::control
