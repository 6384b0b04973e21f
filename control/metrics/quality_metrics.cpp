#include "control/metrics/quality_metrics.hpp"

#include <algorithm>
#include <string>

#include "planes/media/codec.hpp"
#include "planes/media/mos.hpp"

namespace rv::control {
namespace {

using planes::signaling::CallEvent;
using planes::signaling::CallRecord;
using planes::signaling::CallResult;

using MosHistogram = dataplane::Histogram<8>;
constexpr std::array<double, 8> kMosBuckets = {1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5};
using JitterHistogram = dataplane::Histogram<10>;
constexpr std::array<double, 10> kJitterBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01,
                                                   0.02,   0.05,  0.1,   0.2,   0.5};
using LossHistogram = dataplane::Histogram<9>;
constexpr std::array<double, 9> kLossBuckets = {0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
using SetupHistogram = planes::signaling::SetupHistogram;

constexpr uint16_t kMinCode = 100;
constexpr uint16_t kMaxCode = 699;
// Written as 0 for every peer before the first such call: the codes SER/SEER name.
constexpr std::array<uint16_t, 9> kZeroCodes = {200, 300, 301, 302, 480, 486, 487, 600, 603};
constexpr std::array<CallResult, 4> kResults = {CallResult::kAnswered, CallResult::kFailed,
                                                CallResult::kCancelled, CallResult::kTimedOut};

template <std::size_t N>
void write_histogram(MetricsWriter& w, std::string_view name, std::string_view help,
                     const Labels& labels, const dataplane::Histogram<N>& h) {
  std::array<uint64_t, N> buckets{};
  for (std::size_t i = 0; i < N; ++i) buckets[i] = h.buckets[i].load();
  w.histogram(name, help, labels, h.bounds, buckets, h.count.load(), h.sum());
}

bool has_clock(uint8_t codec) {
  const auto c = static_cast<planes::media::Codec>(codec);
  return c != planes::media::Codec::kUnknown && c != planes::media::Codec::kTelephoneEvent;
}

}  // namespace

struct QualityMetrics::PeerSeries {
  std::array<dataplane::Counter, 4> calls;  // by kResults
  std::array<dataplane::Counter, kMaxCode - kMinCode + 1> final_codes;
  SetupHistogram setup{planes::signaling::kSetupBucketsSeconds, 1e9};  // ns
  dataplane::Counter rtp_expected;
  dataplane::Counter rtp_lost;
  dataplane::Counter gaps;
  MosHistogram interval_mos{kMosBuckets, 1e3};
  MosHistogram mos{kMosBuckets, 1e3};
};

struct QualityMetrics::Global {
  dataplane::Counter reports;
  dataplane::Counter untracked;
  JitterHistogram interval_jitter{kJitterBuckets, 1e6};  // µs
  LossHistogram interval_loss{kLossBuckets, 1e6};
  MosHistogram interval_mos{kMosBuckets, 1e3};
};

std::size_t QualityMetrics::StreamKeyHash::operator()(const StreamKey& k) const noexcept {
  return static_cast<std::size_t>(dataplane::hash_flow_with(k.first, k.second));
}

QualityMetrics::QualityMetrics(PeerMap peers)
    : peers_(std::move(peers)), global_(std::make_unique<Global>()) {
  for (std::size_t i = 0; i < peers_.names().size(); ++i) {
    series_.push_back(std::make_unique<PeerSeries>());
  }
}

QualityMetrics::~QualityMetrics() = default;

// Once per call, when the plane counted its result (CallRecord::kCounted: at the 2xx, or at the
// end of a call never answered), so per-peer sums equal rvoip_calls_total and
// rvoip_call_final_responses_total.
void QualityMetrics::count_call(const CallEvent& e, std::size_t peer) {
  PeerSeries& s = *series_[peer];
  const CallRecord& r = e.record;
  const auto it = std::find(kResults.begin(), kResults.end(), r.result);
  if (it != kResults.end()) s.calls[static_cast<std::size_t>(it - kResults.begin())].add();
  if (r.final_code >= kMinCode && r.final_code <= kMaxCode) {
    s.final_codes[r.final_code - kMinCode].add();
  }
  if (r.answer_ns != 0 && r.answer_ns >= r.invite_ns) s.setup.observe_units(r.answer_ns - r.invite_ns);
}

void QualityMetrics::on_call(const CallEvent& e) {
  const uint64_t hash = e.record.key_hash;
  auto it = calls_.find(hash);
  if (it == calls_.end()) {
    if (calls_.size() >= kMaxTracked) {
      global_->untracked.add();
      if (e.record.has(CallRecord::kCounted) && planes::signaling::is_final(e.kind)) {
        count_call(e, peers_.peer_of_call(e.record));
      }
      return;
    }
    it = calls_.emplace(hash, CallState{static_cast<uint32_t>(peers_.peer_of_call(e.record))}).first;
  }
  if (!it->second.counted && e.record.has(CallRecord::kCounted)) {
    it->second.counted = true;
    count_call(e, it->second.peer);
  }
  if (planes::signaling::is_final(e.kind)) calls_.erase(it);
}

std::size_t QualityMetrics::peer_of_stream(const dataplane::FlowKey& f, uint64_t call_hash) const {
  if (call_hash != 0) {
    if (const auto it = calls_.find(call_hash); it != calls_.end()) return it->second.peer;
  }
  return peers_.peer_of_flow(f);
}

QualityMetrics::StreamState* QualityMetrics::stream(const dataplane::FlowKey& f, uint32_t ssrc,
                                                    uint64_t call_hash) {
  const StreamKey key{f, ssrc};
  if (auto it = streams_.find(key); it != streams_.end()) return &it->second;
  if (streams_.size() >= kMaxTracked) {
    global_->untracked.add();
    return nullptr;
  }
  StreamState s;
  s.peer = static_cast<uint32_t>(peer_of_stream(f, call_hash));
  return &streams_.emplace(key, s).first->second;
}

QualityMetrics::Delta QualityMetrics::advance(StreamState& s, int64_t expected, int64_t lost,
                                              uint32_t gaps, float gap_ms) {
  Delta d;
  d.expected = std::max<int64_t>(0, expected - s.expected);
  d.lost = std::max<int64_t>(0, lost - s.lost);
  d.gaps = gaps > s.gaps ? gaps - s.gaps : 0;
  d.gap_ms = std::max(0.0, double(gap_ms) - double(s.gap_ms));
  PeerSeries& p = *series_[s.peer];
  p.rtp_expected.add(static_cast<uint64_t>(d.expected));
  p.rtp_lost.add(static_cast<uint64_t>(d.lost));
  p.gaps.add(d.gaps);
  s.expected = std::max(s.expected, expected);
  s.lost = std::max(s.lost, lost);
  s.gaps = std::max(s.gaps, gaps);
  s.gap_ms = std::max(s.gap_ms, gap_ms);
  return d;
}

void QualityMetrics::on_stream_started(const planes::media::StreamStarted& e) {
  if (StreamState* s = stream(e.flow, e.ssrc, e.call_hash)) {
    s->last_ns = e.first_ns;
    s->timed = true;
  }
}

void QualityMetrics::on_stream_interval(const planes::media::StreamInterval& e) {
  Global& g = *global_;
  g.reports.add();
  if (has_clock(e.codec)) g.interval_jitter.observe(e.jitter_ms / 1000.0);
  StreamState* s = stream(e.flow, e.ssrc, e.call_hash);
  if (s == nullptr) return;
  const uint64_t since = s->last_ns;
  const bool timed = s->timed;
  const Delta d = advance(*s, e.expected, e.lost, e.gaps, e.gap_ms);
  s->last_ns = std::max(s->last_ns, e.timestamp_ns);
  s->timed = true;
  if (d.expected == 0) return;  // no packet in the interval: no loss ratio, no MOS for it
  g.interval_loss.observe(std::min(1.0, double(d.lost) / double(d.expected)));
  double mos = e.mos_x10 / 10.0;  // start unknown: the stream's MOS so far
  if (timed && e.timestamp_ns > since) {
    planes::media::QualityInput q;
    q.codec = static_cast<planes::media::Codec>(e.codec);
    q.loss_percent = planes::media::effective_loss_percent(
        d.expected, d.lost, d.gap_ms, double(e.timestamp_ns - since) / 1e6);
    q.jitter_ms = e.jitter_ms;
    mos = planes::media::estimate_mos(q);
  }
  g.interval_mos.observe(mos);
  series_[s->peer]->interval_mos.observe(mos);
}

void QualityMetrics::on_stream_ended(const planes::media::StreamEnded& e) {
  const StreamKey key{e.flow, e.ssrc};
  auto it = streams_.find(key);
  std::size_t peer = 0;
  if (it != streams_.end()) {
    advance(it->second, e.expected, e.lost, e.gaps, e.gap_ms);
    peer = it->second.peer;
    streams_.erase(it);
  } else {
    StreamState fresh;
    fresh.peer = static_cast<uint32_t>(peer_of_stream(e.flow, e.call_hash));
    advance(fresh, e.expected, e.lost, e.gaps, e.gap_ms);
    peer = fresh.peer;
  }
  series_[peer]->mos.observe(e.mos_x10 / 10.0);
}

void QualityMetrics::collect(MetricsWriter& w) const {
  const Global& g = *global_;
  w.counter("rvoip_rtp_interval_reports_total",
            "media.stream_interval reports of running streams (every planes.media.interval_s)", {},
            double(g.reports.load()));
  write_histogram(w, "rvoip_rtp_interval_jitter_seconds",
                  "Interarrival jitter of running streams at each interval report", {},
                  g.interval_jitter);
  write_histogram(w, "rvoip_rtp_interval_loss_ratio",
                  "RTP loss (lost / expected) of running streams over each interval", {},
                  g.interval_loss);
  write_histogram(w, "rvoip_rtp_interval_mos",
                  "Estimated MOS of running streams over each interval (loss and media gaps of "
                  "the interval, current jitter)",
                  {}, g.interval_mos);
  w.counter("rvoip_quality_untracked_total",
            "Calls or streams the live quality metrics could not track (table bound)", {},
            double(g.untracked.load()));
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const PeerSeries& s = *series_[i];
    const Labels peer{{"peer", peers_.names()[i]}};
    for (std::size_t r = 0; r < kResults.size(); ++r) {
      w.counter("rvoip_peer_calls_total", "Calls ended, by peer and result (as rvoip_calls_total)",
                {{"peer", peers_.names()[i]}, {"result", std::string(to_string(kResults[r]))}},
                double(s.calls[r].load()));
    }
    for (uint16_t code = kMinCode; code <= kMaxCode; ++code) {
      const uint64_t v = s.final_codes[code - kMinCode].load();
      if (v == 0 && std::find(kZeroCodes.begin(), kZeroCodes.end(), code) == kZeroCodes.end()) {
        continue;
      }
      w.counter("rvoip_peer_call_final_responses_total",
                "Final responses to initial INVITEs, once per call, by peer (RFC 6076 SER/SEER)",
                {{"peer", peers_.names()[i]}, {"code", std::to_string(code)}}, double(v));
    }
    write_histogram(w, "rvoip_peer_call_setup_seconds", "INVITE to 2xx, by peer", peer, s.setup);
    w.counter("rvoip_peer_rtp_expected_packets_total",
              "RTP packets expected (extended sequence range), by peer, growing with each interval "
              "report",
              peer, double(s.rtp_expected.load()));
    w.counter("rvoip_peer_rtp_lost_packets_total",
              "RTP packets lost (expected - received), by peer, growing with each interval report",
              peer, double(s.rtp_lost.load()));
    w.counter("rvoip_peer_rtp_gaps_total", "Media gaps (planes.media.gap_ms), by peer", peer,
              double(s.gaps.load()));
    write_histogram(w, "rvoip_peer_rtp_interval_mos",
                    "Estimated MOS of running streams over each interval, by peer", peer,
                    s.interval_mos);
    write_histogram(w, "rvoip_peer_rtp_mos", "Estimated MOS of ended streams, by peer", peer,
                    s.mos);
  }
}

}  // namespace rv::control
