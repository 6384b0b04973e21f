#pragma once
// The components rvoipd is made of and the state they share (Runtime). add_components()
// registers them with the lifecycle manager; the graph (DESIGN.md §6):
//
//   dataplane  EAL, ports, shards (the Appliance); on the main thread, the EAL's main lcore
//   tasks      the control task manager; stopping it joins every remaining control task; no
//              dependency: it starts in parallel with the EAL
//   admin      depends on dataplane, lcores, health; /metrics /health /ready (civetweb), when
//              control.metrics_enabled; binds last, so it answers only when (almost) Live
//   report     depends on dataplane; opens --report at init (an unwritable path fails the start);
//              its stop prints the summary and writes the report, once every event arrived
//   output     depends on dataplane, report, tasks; the control output: subscribes the control
//              group to the planes' events before the lcores launch, hands them to the report
//              and the notice log; its stop drains what the stopping lcores published last
//   lcores     depends on dataplane, report, output; launches the worker loops; stop drains
//              them (final call and stream events) and joins
//   health     depends on lcores, tasks; evaluates heartbeats, rings and drops periodically
//   reloader   depends on dataplane, tasks; SIGHUP and file changes -> validated hot reload
//   service    depends on health, tasks; the systemd watchdog task (control/service/
//              service_notifier.hpp): WATCHDOG=1 while no component's health is failed
//   remote     deployment.mode probe|analyzer (control/outputs/federation.hpp); a probe's
//              output depends on it (the bridge flushes after the output drained into it); an
//              analyzer's depends on lcores and output (it stops feeding them first)
//
// Levels on a typical run: {dataplane, tasks} {report, reloader} {output} {lcores} {health}
// {admin, service}; stop runs in reverse (admin first, dataplane last).
//
// Control-plane only.

#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "control/admin/admin_server.hpp"
#include "control/appliance/appliance.hpp"
#include "control/cli.hpp"
#include "control/lifecycle/config_reloader.hpp"
#include "control/health/health_monitor.hpp"
#include "control/lifecycle/lifecycle.hpp"
#include "control/metrics/metrics_registry.hpp"
#include "control/metrics/quality_metrics.hpp"
#include "control/outputs/call_extractor.hpp"
#include "control/outputs/cdr_writer.hpp"
#include "control/outputs/control_output.hpp"
#include "control/outputs/federation.hpp"
#include "control/outputs/hep_exporter.hpp"
#include "control/outputs/notice_log.hpp"
#include "control/report/progress.hpp"
#include "control/report/run_report.hpp"
#include "control/service/service_notifier.hpp"
#include "control/lifecycle/running_config.hpp"
#include "control/lifecycle/task_manager.hpp"

namespace rv::control {

// Everything one run of rvoipd owns. Members are destroyed in reverse order: the lifecycle
// first (it waits for calls still running on its arena), then the tasks, then what they use.
struct Runtime {
  Runtime(const CliOptions& o, const config::Config& cfg, RunPlan p)
      : options(o), config(cfg), plan(std::move(p)), lifecycle(timeouts_from(cfg)) {}

  static PhaseTimeouts timeouts_from(const config::Config& cfg) {
    PhaseTimeouts t;
    t.init = std::chrono::seconds(60);  // EAL memory set-up can be slow with large pools
    t.start = std::chrono::seconds(10);
    t.stop = std::chrono::milliseconds(cfg.control.shutdown_timeout_ms);
    return t;
  }

  const CliOptions& options;
  RunningConfig config;
  RunPlan plan;
  MetricsRegistry registry;
  std::unique_ptr<Appliance> app;
  std::unique_ptr<AdminServer> admin;
  std::unique_ptr<Progress> progress;
  std::chrono::steady_clock::time_point started_at;
  bool ran = false;  // the control loop ended normally: the summary and report are due
  bool interrupted = false;  // a replay ended by a signal before its last frame
  std::unique_ptr<RunReport> report;
  std::unique_ptr<NoticeLog> notice_log;
  std::unique_ptr<Federation> federation;  // deployment.mode probe or analyzer
  std::unique_ptr<CdrWriter> cdr;            // control.cdr.path set
  std::unique_ptr<CallExtractor> extractor;  // --extract
  std::unique_ptr<HepExporter> hep;          // control.hep.address set
  std::unique_ptr<QualityMetrics> quality;   // live quality and per-peer series
  std::unique_ptr<ControlOutput> output;
  std::unique_ptr<HealthMonitor> health;     // tasks below use these: declared before them
  std::unique_ptr<ConfigReloader> reloader;
  ServiceNotifier service;                   // systemd: READY, STOPPING, STATUS, WATCHDOG
  TaskManager tasks;
  LifecycleManager lifecycle;
};

// Registers every component of `rt` (see the graph above).
Result<void> add_components(Runtime& rt);

}  // namespace rv::control
