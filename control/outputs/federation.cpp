#include "control/outputs/federation.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "control/logging/logging.hpp"
#include "planes/routing/coordinator.hpp"

namespace rv::control {

using namespace planes;

// Probe: hands the events a probe ships to the bridge (on the control output's thread).
class Federation::ProbeConsumer final : public EventConsumer {
 public:
  explicit ProbeConsumer(remote::ProbeBridge& b) : bridge_(b) {}
  bool wants_sip_messages() const noexcept override { return true; }
  void on_sip_message(const signaling::SipMessageEvent& e) override { bridge_.add(e); }
  void on_registration(const signaling::RegistrationEvent& e) override { bridge_.add(e); }
  void on_stream_started(const media::StreamStarted& e) override { bridge_.add(e); }
  void on_stream_interval(const media::StreamInterval& e) override { bridge_.add(e); }
  void on_stream_ended(const media::StreamEnded& e) override { bridge_.add(e); }

 private:
  remote::ProbeBridge& bridge_;
};

namespace {

template <typename T>
Result<void> assign(std::optional<T>& slot, Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(Error(r.error()).with_context(std::string(what)));
  slot.emplace(std::move(*r));
  return {};
}

template <typename E>
bool publish(std::optional<events::Publisher<E>>& p, const E& e) {
  return p && p->accepting() && p->publish(e).value_or(0) != 0;
}

}  // namespace

Federation::~Federation() = default;

Result<std::unique_ptr<Federation>> Federation::create(const config::Config& cfg,
                                                       routing::PlaneRouter& router, bool replay,
                                                       std::vector<std::string> await_probes) {
  std::unique_ptr<Federation> f(new Federation());
  Federation* self = f.get();
  f->cfg_ = cfg.deployment;
  f->await_ = std::move(await_probes);
  f->shards_ = std::max<uint32_t>(1, router.shard_count());
  auto& coord = routing::global_coordinator();
  coord.set_mode(cfg.deployment.mode);
  if (cfg.deployment.mode == "probe") {
    for (const char* p : {"transport", "signaling", "media"}) coord.add_local_plane(p);
    if (auto r = assign(f->endpoints_out_, router.control_publisher<signaling::MediaEndpointEvent>(),
                        "the broadcast endpoint publisher");
        !r) {
      return std::unexpected(r.error());
    }
    auto bridge = remote::ProbeBridge::create(cfg.deployment, replay,
                                              [self](const signaling::MediaEndpointEvent& e) {
                                                if (!publish(self->endpoints_out_, e)) {
                                                  self->publish_failed_.fetch_add(1);
                                                }
                                              });
    if (!bridge) return std::unexpected(bridge.error());
    f->bridge_ = std::move(*bridge);
    f->probe_consumer_ = std::make_unique<ProbeConsumer>(*f->bridge_);
    return f;
  }
  f->analyzer_ = true;
  coord.add_local_plane("signaling");
  Result<void> r;
  if (r = assign(f->messages_out_, router.control_publisher<signaling::SipMessageEvent>(), "SIP summaries"); !r) return std::unexpected(r.error());
  if (r = assign(f->started_out_, router.control_publisher<media::StreamStarted>(), "stream starts"); !r) return std::unexpected(r.error());
  if (r = assign(f->intervals_out_, router.control_publisher<media::StreamInterval>(), "stream intervals"); !r) return std::unexpected(r.error());
  if (r = assign(f->ended_out_, router.control_publisher<media::StreamEnded>(), "stream ends"); !r) return std::unexpected(r.error());
  if (r = assign(f->ticks_out_, router.control_publisher<routing::SteeredPacket>(), "clock ticks"); !r) return std::unexpected(r.error());
  if (r = assign(f->calls_in_, router.subscribe_control<signaling::CallEvent>("federation"), "calls"); !r) return std::unexpected(r.error());
  if (r = assign(f->endpoints_in_, router.subscribe_control<signaling::MediaEndpointEvent>("broadcast"), "endpoints"); !r) return std::unexpected(r.error());
  remote::AnalyzerSinks sinks;
  auto count = [self](bool ok) {
    if (!ok) self->publish_failed_.fetch_add(1);
  };
  sinks.sip_message = [self, count](const auto& e) { count(publish(self->messages_out_, e)); };
  sinks.stream_started = [self, count](const auto& e) { count(publish(self->started_out_, e)); };
  sinks.stream_interval = [self, count](const auto& e) { count(publish(self->intervals_out_, e)); };
  sinks.stream_ended = [self, count](const auto& e) { count(publish(self->ended_out_, e)); };
  sinks.health = [](const remote::ProbeHealth& h) {
    const bool end = h.kind == remote::wire::Health::END_OF_REPLAY;
    routing::global_coordinator().on_probe_health(h.probe_id, h.sent_unix_ns, h.clock_ns,
                                                  h.events_dropped, end);
    if (h.kind == remote::wire::Health::ANNOUNCE) {
      component_logger("federation")->info("probe {} announced itself", h.probe_id);
    } else if (end) {
      component_logger("federation")->info("probe {} finished its replay", h.probe_id);
    }
  };
  sinks.batch = [](const std::string& probe, uint64_t events, uint64_t sent) {
    routing::global_coordinator().on_probe_events(probe, events, sent);
  };
  auto consumer = remote::AnalyzerConsumer::create(cfg.deployment, std::move(sinks), f->await_);
  if (!consumer) return std::unexpected(consumer.error());
  f->analyzer_consumer_ = std::move(*consumer);
  return f;
}

EventConsumer* Federation::consumer() noexcept { return probe_consumer_.get(); }

void Federation::analyzer_round() {
  analyzer_consumer_->poll(std::chrono::milliseconds(20));
  calls_in_->poll(4096, [this](const signaling::CallEvent& e) {
    if (e.kind == signaling::CallEventKind::kStarted) {
      call_ids_[e.call_id_hash] = std::string(e.record.call_id.view());
    } else if (signaling::is_final(e.kind)) {
      call_ids_.erase(e.call_id_hash);
    }
  });
  endpoints_in_->poll(4096, [this](const signaling::MediaEndpointEvent& e) {
    const auto it = call_ids_.find(e.call_id_hash);
    analyzer_consumer_->broadcast(e, it != call_ids_.end() ? std::string_view(it->second) : "");
  });
  const auto down = routing::global_coordinator().check_timeouts(
      std::chrono::seconds(cfg_.probe_timeout_s));
  for (const auto& p : down) {
    probes_down_.fetch_add(1);
    component_logger("federation")->warn("probe {} silent for more than {} s: marked down", p,
                                         cfg_.probe_timeout_s);
  }
}

Result<void> Federation::start(TaskManager& tasks) {
  auto id = tasks.spawn(analyzer_ ? "nats-consumer" : "nats-bridge", [this](std::stop_token t) {
    while (!t.stop_requested()) {
      if (analyzer_) {
        analyzer_round();
      } else if (bridge_->poll() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  });
  if (!id) return std::unexpected(std::move(id.error()));
  task_ = *id;
  return {};
}

void Federation::finish(TaskManager& tasks, std::chrono::milliseconds stop_timeout,
                        std::chrono::milliseconds drain) {
  if (task_) {
    (void)tasks.stop(*task_, stop_timeout);
    task_.reset();
  }
  if (bridge_) {
    const uint64_t lost = bridge_->finish(drain);
    const auto& c = bridge_->counters();
    auto log = component_logger("federation");
    log->info("probe {}: {} events acknowledged by JetStream in {} batches, {} dropped "
              "(buffer_full {}, unacknowledged {}); {} bytes serialized, {} on the wire",
              bridge_->probe_id(), c.events_acked.load(), c.batches_acked.load(),
              c.dropped[0].load() + c.dropped[1].load(), c.dropped[0].load(), lost,
              c.bytes_raw.load(), c.bytes_wire.load());
  }
  release();
}

void Federation::release() {
  // NATS first (its callback threads publish on the fabric), then every fabric handle: the
  // fabric is destroyed with the dataplane, after this component stopped.
  bridge_.reset();
  analyzer_consumer_.reset();
  endpoints_out_.reset();
  messages_out_.reset();
  started_out_.reset();
  intervals_out_.reset();
  ended_out_.reset();
  ticks_out_.reset();
  calls_in_.reset();
  endpoints_in_.reset();
}

bool Federation::awaited_done() const {
  return analyzer_consumer_ && !await_.empty() && analyzer_consumer_->awaited_done();
}

void Federation::advance_clock() {
  if (!ticks_out_ || !analyzer_consumer_) return;
  const uint64_t clock = analyzer_consumer_->fleet_clock_ns();
  if (clock == 0) return;
  for (uint32_t s = 0; s < shards_; ++s) {
    uint64_t key = 0;
    while (events::shard_of(key, shards_) != s) ++key;
    const routing::SteeredPacket tick{nullptr, clock, key, transport::PacketClass::kOther,
                                      dataplane::LinkType::kEthernet, 0, 0};
    if (!publish(ticks_out_, tick)) publish_failed_.fetch_add(1);
  }
}

void Federation::collect(MetricsWriter& w) const {
  constexpr auto kDropHelp = "Events the federation could not deliver, by reason";
  if (bridge_) {
    const auto& c = bridge_->counters();
    for (std::size_t r = 0; r < remote::kProbeDropCount; ++r) {
      w.counter("rvoip_remote_events_dropped_total", kDropHelp,
                {{"reason", remote::to_string(static_cast<remote::ProbeDrop>(r))}},
                double(c.dropped[r].load()));
    }
    w.counter("rvoip_remote_events_dropped_total", kDropHelp, {{"reason", "fabric_refused"}},
              double(publish_failed_.load()));
    w.counter("rvoip_remote_events_total", "Events handed to the NATS bridge", {}, double(c.events_in.load()));
    w.counter("rvoip_remote_events_acked_total", "Events in batches JetStream acknowledged", {},
              double(c.events_acked.load()));
    w.counter("rvoip_remote_batches_total", "Batches sealed for JetStream", {}, double(c.batches_sealed.load()));
    w.counter("rvoip_remote_resends_total", "Batches published again (no ack in time, or an error)", {},
              double(c.resends.load()));
    w.counter("rvoip_remote_bytes_total", "Batch bytes before and after compression",
              {{"stage", "raw"}}, double(c.bytes_raw.load()));
    w.counter("rvoip_remote_bytes_total", "Batch bytes before and after compression",
              {{"stage", "wire"}}, double(c.bytes_wire.load()));
    w.counter("rvoip_remote_reconnects_total", "NATS reconnections", {}, double(c.reconnects.load()));
    w.counter("rvoip_remote_disconnects_total", "NATS disconnections", {}, double(c.disconnects.load()));
    w.counter("rvoip_remote_broadcast_endpoints_total", "Endpoints received from the analyzer", {},
              double(c.endpoints_received.load()));
    w.gauge("rvoip_remote_buffered_events", "Events waiting for JetStream's acknowledgement", {},
            double(bridge_->buffered()));
    w.gauge("rvoip_remote_connected", "1 while the NATS connection is up", {},
            bridge_->connected() ? 1 : 0);
  }
  if (analyzer_consumer_) {
    const auto& c = analyzer_consumer_->counters();
    w.counter("rvoip_remote_events_dropped_total", kDropHelp, {{"reason", "fabric_refused"}},
              double(publish_failed_.load()));
    for (std::size_t r = 0; r < remote::kDecodeErrorCount; ++r) {
      w.counter("rvoip_remote_messages_rejected_total", "NATS messages that did not decode, by reason",
                {{"reason", remote::to_string(static_cast<remote::DecodeError>(r))}},
                double(c.rejected[r].load()));
    }
    w.counter("rvoip_remote_batches_received_total", "Batches handled from probes", {}, double(c.batches.load()));
    w.counter("rvoip_remote_events_received_total", "Events handled from probes", {}, double(c.events.load()));
    w.counter("rvoip_remote_duplicates_total", "Redelivered batches recognised by sequence number", {},
              double(c.duplicates.load()));
    w.counter("rvoip_remote_endpoints_broadcast_total", "Learned endpoints sent to every probe", {},
              double(c.endpoints_broadcast.load()));
    w.counter("rvoip_probes_marked_down_total", "Probes silent past deployment.probe_timeout_s", {},
              double(probes_down_.load()));
    for (const auto& p : routing::global_coordinator().probes()) {
      const Labels l{{"probe", p.probe_id}};
      w.gauge("rvoip_probe_up", "1 while the probe is heard from", l, p.up ? 1 : 0);
      w.gauge("rvoip_probe_last_seen_seconds", "Seconds since the probe was last heard from", l, p.last_seen_s);
      w.gauge("rvoip_probe_lag_seconds", "Receive time minus the probe's send time", l, p.lag_s);
      w.gauge("rvoip_probe_events_per_second", "Events handled from the probe per second", l, p.events_per_s);
      w.counter("rvoip_probe_events_total", "Events handled from the probe", l, double(p.events));
    }
  }
}

std::string Federation::health_json() const {
  nlohmann::json j = {{"mode", cfg_.mode}};
  if (bridge_) {
    j["nats_connected"] = bridge_->connected();
    j["buffered_events"] = bridge_->buffered();
  }
  if (analyzer_consumer_) {
    nlohmann::json probes = nlohmann::json::array();
    for (const auto& p : routing::global_coordinator().probes()) {
      probes.push_back({{"probe_id", p.probe_id}, {"up", p.up}, {"last_seen_s", p.last_seen_s},
                        {"lag_s", p.lag_s}, {"events_per_s", p.events_per_s},
                        {"events", p.events}, {"replay_done", p.replay_done}});
    }
    j["probes"] = probes;
  }
  return j.dump();
}

}  // namespace rv::control
