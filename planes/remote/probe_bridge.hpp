#pragma once
// ProbeBridge: the Remote route of a probe (DESIGN.md §5). A control-group consumer hands it
// the plane events a probe ships (SIP message summaries, registrations, stream starts,
// intervals and ends); it batches them per subject rvoip.<probe_id>.<plane>.<event>
// (deployment.batch_max events or deployment.batch_ms), seals each batch (wire_format.hpp,
// zstd) with the next per-probe sequence number, and publishes it asynchronously to JetStream
// with a message id (probe, run, seq), so that the stream drops what a resend duplicates.
// A batch stays in the outbox until JetStream acknowledged it: while NATS is unreachable the
// outbox holds up to deployment.buffer_events events, beyond which events are dropped and
// counted (rvoip_remote_events_dropped_total{reason="buffer_full"}). Unacknowledged batches are
// sent again after a reconnect or an ack timeout. Announce at start, heartbeat every second, and
// for a replay an end-of-replay marker naming the last sequence number before it.
// It also listens on rvoip.broadcast.> and hands the analyzer's endpoints to `on_endpoint`.
//
// Threads: add() from one consumer thread; poll() from one control task; finish() on the
// control thread after the consumer stopped; NATS callbacks on libnats threads. Counters: any
// thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.hpp"
#include "events/error.hpp"
#include "planes/media/media_events.hpp"
#include "planes/remote/nats_link.hpp"
#include "planes/remote/wire_format.hpp"
#include "planes/signaling/signaling_events.hpp"

namespace rv::planes::remote {

enum class ProbeDrop : uint8_t {
  kBufferFull,      // NATS unreachable and the outbox full
  kUnacknowledged,  // still unacknowledged when the run ended (drain timeout)
};
inline constexpr std::size_t kProbeDropCount = 2;
const char* to_string(ProbeDrop r) noexcept;

struct ProbeCounters {
  std::atomic<uint64_t> events_in{0};       // handed to the bridge
  std::atomic<uint64_t> events_acked{0};    // in batches JetStream acknowledged
  std::atomic<uint64_t> batches_sealed{0};
  std::atomic<uint64_t> batches_acked{0};
  std::atomic<uint64_t> publishes{0};       // js_PublishAsync calls (resends included)
  std::atomic<uint64_t> resends{0};
  std::atomic<uint64_t> bytes_raw{0};       // serialized batches before compression
  std::atomic<uint64_t> bytes_wire{0};      // envelopes as published
  std::atomic<uint64_t> disconnects{0};
  std::atomic<uint64_t> reconnects{0};
  std::atomic<uint64_t> endpoints_received{0};  // broadcast endpoints applied
  std::atomic<uint64_t> broadcast_rejected{0};  // broadcast messages that did not decode
  std::array<std::atomic<uint64_t>, kProbeDropCount> dropped{};
};

class ProbeBridge {
 public:
  using EndpointHandler = std::function<void(const signaling::MediaEndpointEvent&)>;

  // Connects in the background (a probe starts while NATS is down). `replay`: send the
  // end-of-replay marker in finish().
  static Result<std::unique_ptr<ProbeBridge>> create(const config::DeploymentConfig& cfg,
                                                     bool replay, EndpointHandler on_endpoint);
  ~ProbeBridge();
  ProbeBridge(const ProbeBridge&) = delete;
  ProbeBridge& operator=(const ProbeBridge&) = delete;

  void add(const signaling::SipMessageEvent& e);
  void add(const signaling::RegistrationEvent& e);
  void add(const media::StreamStarted& e);
  void add(const media::StreamInterval& e);
  void add(const media::StreamEnded& e);
  // The probe's newest capture/arrival time (heartbeats carry it).
  void observe_clock(uint64_t ns) noexcept;

  // Seals due batches, publishes what waits (when connected), resends what timed out,
  // heartbeats. Returns batches published.
  std::size_t poll();

  // End of run: seals everything, waits up to `timeout` for JetStream to acknowledge it, then
  // (replay) publishes the end-of-replay marker and waits for its ack. What is still
  // unacknowledged is counted dropped{unacknowledged}. Returns that count.
  uint64_t finish(std::chrono::milliseconds timeout);

  const ProbeCounters& counters() const noexcept { return counters_; }
  bool connected() const noexcept { return link_->connected(); }
  uint64_t buffered() const;
  const std::string& probe_id() const noexcept { return probe_id_; }

 private:
  enum Kind : uint8_t { kSip, kRegistration, kStarted, kInterval, kEnded, kHealth, kKindCount };
  struct Pending {
    wire::Batch batch;
    uint32_t events = 0;
    std::chrono::steady_clock::time_point opened;
  };
  struct Sealed {
    Kind kind;
    std::shared_ptr<const std::string> bytes;  // shared with a publish in progress
    uint32_t events = 0;
    bool published = false;
    std::chrono::steady_clock::time_point sent;
  };

  ProbeBridge(const config::DeploymentConfig& cfg, bool replay);
  wire::Event* slot(Kind k);  // mu_ held; nullptr when the outbox is full (counted)
  void seal_locked(Kind k);
  void add_health(wire::Health::Kind kind, uint64_t last_seq);
  bool wait_acked(std::chrono::steady_clock::time_point deadline);
  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  static void on_broadcast(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  config::DeploymentConfig cfg_;
  bool replay_;
  std::string probe_id_;
  uint64_t run_;  // start time (unix ns): tells this run's sequence numbers from a previous one's
  std::array<std::string, kKindCount> subjects_;
  EndpointHandler on_endpoint_;
  ProbeCounters counters_;
  std::atomic<uint64_t> clock_ns_{0};
  mutable std::mutex mu_;  // guards everything below
  std::array<Pending, kKindCount> pending_;
  std::map<uint64_t, Sealed> outbox_;  // sealed, not yet acknowledged, by seq
  uint64_t buffered_ = 0;              // events in pending_ and outbox_
  uint64_t seq_ = 0;
  std::chrono::steady_clock::time_point next_heartbeat_;
  bool stream_ready_ = false;  // poll()'s thread: the RVOIP stream exists
  std::unique_ptr<NatsLink> link_;     // after what its callbacks touch: destroyed first
  natsSubscription* broadcast_sub_ = nullptr;
};

}  // namespace rv::planes::remote
