#pragma once
// AnalyzerConsumer: the analyzer's side of the federation (DESIGN.md §5). A durable JetStream
// pull consumer (rvoip-analyzer) over every probe's subjects; each batch is unsealed (a batch
// that does not decode is counted by reason, acknowledged and skipped: the consumer never
// stops), recognised by (probe, run, seq) so that a redelivery is never handled twice, and its
// events handed to the sinks: SIP summaries to the central signaling plane, stream reports to
// the control group. Health batches feed the fleet coordinator. Endpoints the signaling plane
// learns go back to every probe on rvoip.broadcast.media_endpoint (core NATS).
//
// On start the durable consumer is created anew from the stream's first message: the analyzer
// rebuilds its state from the retained stream, so a restarted analyzer writes the same report
// (duplicates are recognised by sequence numbers).
//
// Threads: poll() and broadcast() from one control task; the rest from any thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "events/error.hpp"
#include "planes/media/media_events.hpp"
#include "planes/remote/nats_link.hpp"
#include "planes/remote/wire_format.hpp"
#include "planes/signaling/signaling_events.hpp"

namespace rv::planes::remote {

inline constexpr const char* kDurableName = "rvoip-analyzer";

struct AnalyzerCounters {
  std::atomic<uint64_t> messages{0};    // NATS messages fetched
  std::atomic<uint64_t> batches{0};     // decoded and handled
  std::atomic<uint64_t> events{0};      // events handled
  std::atomic<uint64_t> duplicates{0};  // redelivered batches recognised and skipped
  std::atomic<uint64_t> registrations{0};  // received (the central tracker derives its own)
  std::atomic<uint64_t> endpoints_broadcast{0};
  std::array<std::atomic<uint64_t>, kDecodeErrorCount> rejected{};  // by DecodeError
};

// What a health batch said, for the coordinator.
struct ProbeHealth {
  std::string probe_id;
  wire::Health::Kind kind = wire::Health::HEARTBEAT;
  uint64_t sent_unix_ns = 0;
  uint64_t clock_ns = 0;
  uint64_t events_sent = 0;
  uint64_t events_dropped = 0;
};

struct AnalyzerSinks {
  std::function<void(const signaling::SipMessageEvent&)> sip_message;
  std::function<void(const media::StreamStarted&)> stream_started;
  std::function<void(const media::StreamInterval&)> stream_interval;
  std::function<void(const media::StreamEnded&)> stream_ended;
  std::function<void(const ProbeHealth&)> health;
  std::function<void(const std::string& probe_id, uint64_t events, uint64_t sent_unix_ns)> batch;
};

class AnalyzerConsumer {
 public:
  // Connects now: an unreachable server is an error naming the URLs.
  static Result<std::unique_ptr<AnalyzerConsumer>> create(const config::DeploymentConfig& cfg,
                                                          AnalyzerSinks sinks,
                                                          std::vector<std::string> await_probes);
  ~AnalyzerConsumer();
  AnalyzerConsumer(const AnalyzerConsumer&) = delete;
  AnalyzerConsumer& operator=(const AnalyzerConsumer&) = delete;

  // Fetches and handles up to one batch of messages, waiting up to `wait`. Returns messages.
  std::size_t poll(std::chrono::milliseconds wait);
  // Handles one message's bytes (tests: no server needed). Returns false when it was rejected
  // or a duplicate.
  bool handle(std::span<const uint8_t> data);

  // Sends an endpoint the signaling plane learned to every probe.
  void broadcast(const signaling::MediaEndpointEvent& e, std::string_view call_id);

  // Every probe named in --await-probes sent its end-of-replay marker and every batch before it
  // was handled.
  bool awaited_done() const;
  // The newest capture time the probes reported (their clocks at the end of their replays).
  uint64_t fleet_clock_ns() const noexcept { return fleet_clock_ns_.load(std::memory_order_relaxed); }
  const AnalyzerCounters& counters() const noexcept { return counters_; }

 private:
  struct RunState {
    uint64_t contiguous = 0;  // every seq <= contiguous was handled
    std::set<uint64_t> above; // handled seqs > contiguous + 1
    uint64_t end_seq = 0;     // the end-of-replay marker's last_seq (0: none yet)
    bool ended = false;
  };
  explicit AnalyzerConsumer(std::vector<std::string> await_probes)
      : await_(std::move(await_probes)) {}
  bool first_time(RunState& r, uint64_t seq);
  void dispatch(const wire::Batch& b);

  AnalyzerSinks sinks_;
  std::vector<std::string> await_;
  AnalyzerCounters counters_;
  std::atomic<uint64_t> fleet_clock_ns_{0};
  mutable std::mutex mu_;  // guards runs_
  std::map<std::pair<std::string, uint64_t>, RunState> runs_;  // (probe, run)
  wire::Batch scratch_;
  wire::Batch endpoints_;
  std::unique_ptr<NatsLink> link_;
  natsSubscription* sub_ = nullptr;
};

}  // namespace rv::planes::remote
