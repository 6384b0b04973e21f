#pragma once
// Federation: the control side of deployment.mode (DESIGN.md §5).
//  probe     an EventConsumer of the control output that hands SIP summaries, registrations
//            and stream reports to the ProbeBridge; a task that publishes the bridge's batches;
//            broadcast endpoints from the analyzer published on the fabric to every shard.
//  analyzer  a task that drains the durable JetStream consumer and publishes what probes sent
//            on the fabric (SIP summaries to the signaling shards, stream reports to the control
//            group), broadcasts the endpoints the shards learn, and keeps the coordinator's
//            view of every probe (marked down after deployment.probe_timeout_s).
// Monolithic mode creates none of this: NATS is neither linked into a code path nor touched.
//
// Lifecycle: create() before the router starts (publishers and subscriptions exist before the
// first event), start() spawns the task, finish() ends it (probe: after the control output
// drained, flushes and waits for JetStream's acks, then the end-of-replay marker).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "control/metrics/metrics_registry.hpp"
#include "control/outputs/event_consumer.hpp"
#include "control/lifecycle/task_manager.hpp"
#include "events/error.hpp"
#include "planes/remote/analyzer_consumer.hpp"
#include "planes/remote/probe_bridge.hpp"
#include "planes/routing/plane_router.hpp"

namespace rv::control {

class Federation {
 public:
  static Result<std::unique_ptr<Federation>> create(const config::Config& cfg,
                                                    planes::routing::PlaneRouter& router,
                                                    bool replay,
                                                    std::vector<std::string> await_probes);
  ~Federation();
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;

  // Probe: the consumer to register with the control output (nullptr in an analyzer).
  EventConsumer* consumer() noexcept;

  Result<void> start(TaskManager& tasks);
  // Probe: after the control output finished. Stops the task, flushes, waits up to `drain`
  // for JetStream's acks (and the end-of-replay marker's). Analyzer: stops the task.
  void finish(TaskManager& tasks, std::chrono::milliseconds stop_timeout,
              std::chrono::milliseconds drain);

  // Analyzer with --await-probes: every named probe finished and was handled.
  bool awaited_done() const;
  // Analyzer: moves every shard's clock to the fleet's newest capture time (their timers then
  // end the run as a replay of the whole capture would).
  void advance_clock();

  void collect(MetricsWriter& w) const;
  // The fleet for /health (probe: the link; analyzer: every probe).
  std::string health_json() const;

 private:
  class ProbeConsumer;
  Federation() = default;
  void release();
  void analyzer_round();

  config::DeploymentConfig cfg_;
  bool analyzer_ = false;
  std::vector<std::string> await_;
  std::unique_ptr<planes::remote::ProbeBridge> bridge_;
  std::unique_ptr<ProbeConsumer> probe_consumer_;
  std::unique_ptr<planes::remote::AnalyzerConsumer> analyzer_consumer_;
  std::optional<events::Publisher<planes::signaling::MediaEndpointEvent>> endpoints_out_;
  std::optional<events::Publisher<planes::signaling::SipMessageEvent>> messages_out_;
  std::optional<events::Publisher<planes::media::StreamStarted>> started_out_;
  std::optional<events::Publisher<planes::media::StreamInterval>> intervals_out_;
  std::optional<events::Publisher<planes::media::StreamEnded>> ended_out_;
  std::optional<events::Publisher<planes::routing::SteeredPacket>> ticks_out_;
  std::optional<events::Subscriber<planes::signaling::CallEvent>> calls_in_;
  std::optional<events::Subscriber<planes::signaling::MediaEndpointEvent>> endpoints_in_;
  std::unordered_map<uint64_t, std::string> call_ids_;  // analyzer task: hash -> Call-ID
  uint32_t shards_ = 1;
  std::atomic<uint64_t> publish_failed_{0};  // analyzer: fabric refused an event (counted)
  std::atomic<uint64_t> probes_down_{0};
  std::optional<TaskId> task_;
};

}  // namespace rv::control
