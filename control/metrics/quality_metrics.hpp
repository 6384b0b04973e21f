#pragma once
// QualityMetrics: live quality and per-peer series, computed on the control side from the
// planes' events (a consumer of the ControlOutput, DESIGN.md §1), never on lcores.
//
//  - From media.stream_interval: each running stream's quality over its last interval
//    (planes.media.interval_s) while it runs: rvoip_rtp_interval_jitter_seconds,
//    rvoip_rtp_interval_loss_ratio, rvoip_rtp_interval_mos (the E-model over the interval's
//    loss and media gaps and the current jitter), rvoip_rtp_interval_reports_total.
//  - Per peer (planes.peers, label `peer`, "other" for the rest; see PeerMap): calls by result
//    and final response once per call (as rvoip_calls_total and
//    rvoip_call_final_responses_total count them), setup time, RTP expected/lost packets and
//    media gaps (from interval and end reports, so they grow while streams run), MOS of the
//    intervals and of ended streams.
//
// Threading: the on_* methods run on the control output's thread (one writer); collect() runs
// on the scraping thread and reads only single-writer counters allocated at construction.
// Memory: one entry per running call and per running stream, at most kMaxTracked each (beyond,
// counted in rvoip_quality_untracked_total and handled without their deltas).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "control/metrics/metrics_registry.hpp"
#include "control/metrics/peer_map.hpp"
#include "control/outputs/event_consumer.hpp"
#include "dataplane/counter.hpp"
#include "dataplane/histogram.hpp"
#include "planes/signaling/signaling_counters.hpp"

namespace rv::control {

class QualityMetrics final : public EventConsumer {
 public:
  static constexpr std::size_t kMaxTracked = 1u << 20;

  explicit QualityMetrics(PeerMap peers);
  ~QualityMetrics() override;

  void on_call(const planes::signaling::CallEvent& e) override;
  void on_stream_started(const planes::media::StreamStarted& e) override;
  void on_stream_interval(const planes::media::StreamInterval& e) override;
  void on_stream_ended(const planes::media::StreamEnded& e) override;

  // Scrape thread. Every peer's series exist from the start (zero), so rules and dashboards
  // find them before the first call.
  void collect(MetricsWriter& w) const;

  const PeerMap& peers() const noexcept { return peers_; }

 private:
  struct PeerSeries;
  struct Global;
  struct StreamState {
    uint64_t last_ns = 0;  // capture time of the previous report (or of the first packet)
    bool timed = false;    // last_ns is known (the stream's start or a report was seen)
    int64_t expected = 0;
    int64_t lost = 0;
    uint32_t gaps = 0;
    float gap_ms = 0;
    uint32_t peer = 0;
  };
  struct StreamKeyHash {
    std::size_t operator()(const std::pair<dataplane::FlowKey, uint32_t>& k) const noexcept;
  };
  using StreamKey = std::pair<dataplane::FlowKey, uint32_t>;

  void count_call(const planes::signaling::CallEvent& e, std::size_t peer);
  std::size_t peer_of_stream(const dataplane::FlowKey& f, uint64_t call_hash) const;
  StreamState* stream(const dataplane::FlowKey& f, uint32_t ssrc, uint64_t call_hash);
  // Adds the growth since `s` to the peer's RTP counters; returns the deltas.
  struct Delta {
    int64_t expected = 0;
    int64_t lost = 0;
    uint32_t gaps = 0;
    double gap_ms = 0;
  };
  Delta advance(StreamState& s, int64_t expected, int64_t lost, uint32_t gaps, float gap_ms);

  PeerMap peers_;
  std::vector<std::unique_ptr<PeerSeries>> series_;  // one per peers_.names()
  std::unique_ptr<Global> global_;
  // Control output thread only.
  struct CallState {
    uint32_t peer = 0;
    bool counted = false;
  };
  std::unordered_map<uint64_t, CallState> calls_;  // by call hash, until the call's final record
  std::unordered_map<StreamKey, StreamState, StreamKeyHash> streams_;
};

}  // namespace rv::control
