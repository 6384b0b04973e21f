#include "control/plane_metrics.hpp"

#include <array>
#include <vector>

namespace rv::control {
namespace {

using planes::media::MediaCounters;
using planes::signaling::SignalingCounters;

// Sums one counter over the shards' planes.
template <typename Get>
uint64_t sum_signaling(const Appliance& app, Get get) {
  uint64_t n = 0;
  for (const auto& s : app.shards()) n += get(s->handler().signaling().counters());
  return n;
}

template <typename Get>
uint64_t sum_media(const Appliance& app, Get get) {
  uint64_t n = 0;
  for (const auto& s : app.shards()) n += get(s->handler().media().counters());
  return n;
}

// Sums signaling histograms (bucket counts per bound, count, sum in ns) over shards.
template <typename Select>
void signaling_histogram(MetricsWriter& w, const Appliance& app, std::string_view name,
                         std::string_view help, Select select) {
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;
  uint64_t count = 0;
  uint64_t sum_ns = 0;
  for (const auto& s : app.shards()) {
    const auto& h = select(s->handler().signaling().counters());
    if (bounds.empty()) {
      bounds.assign(h.bounds_seconds.begin(), h.bounds_seconds.end());
      buckets.assign(bounds.size(), 0);
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) buckets[i] += h.buckets[i].load();
    count += h.count.load();
    sum_ns += h.sum_ns.load();
  }
  w.histogram(name, help, {}, bounds, buckets, count, double(sum_ns) / 1e9);
}

template <typename Select>
void media_histogram(MetricsWriter& w, const Appliance& app, std::string_view name,
                     std::string_view help, Select select) {
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;
  uint64_t count = 0;
  double sum = 0;
  for (const auto& s : app.shards()) {
    const auto& h = select(s->handler().media().histograms());
    if (bounds.empty()) {
      bounds.assign(h.bounds.begin(), h.bounds.end());
      buckets.assign(bounds.size(), 0);
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) buckets[i] += h.buckets[i].load();
    count += h.count.load();
    sum += h.sum();
  }
  w.histogram(name, help, {}, bounds, buckets, count, sum);
}

void collect_sip(MetricsWriter& w, const Appliance& app) {
  using namespace planes::signaling;
  for (std::size_t m = 0; m < kSipMethodCount; ++m) {
    w.counter("rvoip_sip_requests_total", "SIP requests seen, by method",
              {{"method", std::string(to_string(static_cast<SipMethod>(m)))}},
              double(sum_signaling(app, [m](const SignalingCounters& c) { return c.requests[m].load(); })));
  }
  for (uint16_t code = kMinStatusCode; code <= kMaxStatusCode; ++code) {
    const uint64_t n = sum_signaling(app, [code](const SignalingCounters& c) { return c.response_count(code); });
    if (n != 0) w.counter("rvoip_sip_responses_total", "SIP responses seen, by status code", {{"code", std::to_string(code)}}, double(n));
  }
  w.counter("rvoip_sip_retransmissions_total", "SIP retransmissions detected", {},
            double(sum_signaling(app, [](const SignalingCounters& c) { return c.retransmissions.load(); })));
  for (std::size_t i = 0; i < kSipParseStatusCount; ++i) {
    const auto st = static_cast<SipParseStatus>(i);
    if (st == SipParseStatus::kOk) continue;
    w.counter("rvoip_sip_malformed_total", "SIP messages rejected as malformed, by reason",
              {{"reason", std::string(to_string(st))}},
              double(sum_signaling(app, [i](const SignalingCounters& c) { return c.malformed[i].load(); })));
  }
  w.counter("rvoip_sip_tcp_gaps_total", "SIP-over-TCP holes given up (capture loss)", {},
            double(sum_signaling(app, [](const SignalingCounters& c) { return c.tcp_gaps.load(); })));
}

void collect_calls(MetricsWriter& w, const Appliance& app) {
  using namespace planes::signaling;
  for (std::size_t r = 0; r < kCallResultCount; ++r) {
    const auto res = static_cast<CallResult>(r);
    if (res == CallResult::kInProgress) continue;
    w.counter("rvoip_calls_total", "Calls ended, by result", {{"result", std::string(to_string(res))}},
              double(sum_signaling(app, [r](const SignalingCounters& c) { return c.calls[r].load(); })));
  }
  for (uint16_t code = kMinStatusCode; code <= kMaxStatusCode; ++code) {
    const uint64_t n = sum_signaling(app, [code](const SignalingCounters& c) { return c.call_final_count(code); });
    if (n != 0) w.counter("rvoip_call_final_responses_total", "Final responses to initial INVITEs, once per call (RFC 6076 ASR/NER)", {{"code", std::to_string(code)}}, double(n));
  }
  w.gauge("rvoip_calls_active", "Calls in progress", {},
          double(sum_signaling(app, [](const SignalingCounters& c) { return c.calls_active.load(); })));
  w.counter("rvoip_calls_evicted_total", "Calls pushed out of a full call table", {},
            double(sum_signaling(app, [](const SignalingCounters& c) { return c.calls_evicted.load(); })));
  signaling_histogram(w, app, "rvoip_call_setup_seconds", "INVITE to 2xx", [](const SignalingCounters& c) -> const auto& { return c.setup; });
  signaling_histogram(w, app, "rvoip_call_post_dial_delay_seconds", "INVITE to first 18x", [](const SignalingCounters& c) -> const auto& { return c.post_dial_delay; });
  signaling_histogram(w, app, "rvoip_call_duration_seconds", "2xx to BYE", [](const SignalingCounters& c) -> const auto& { return c.duration; });
}

void collect_media(MetricsWriter& w, const Appliance& app) {
  using namespace planes::media;
  w.counter("rvoip_rtp_packets_total", "RTP packets accounted to a stream", {},
            double(sum_media(app, [](const MediaCounters& c) { return c.rtp_packets.load(); })));
  w.counter("rvoip_rtp_lost_packets_total", "RTP packets lost (growth of expected - received)", {},
            double(sum_media(app, [](const MediaCounters& c) { return c.rtp_lost.load(); })));
  w.gauge("rvoip_rtp_streams_active", "RTP streams being tracked", {},
          double(sum_media(app, [](const MediaCounters& c) { return c.streams_active.load(); })));
  w.counter("rvoip_rtp_streams_total", "RTP streams created", {},
            double(sum_media(app, [](const MediaCounters& c) { return c.streams_total.load(); })));
  w.counter("rvoip_rtp_streams_evicted_total", "RTP streams pushed out of a full table", {},
            double(sum_media(app, [](const MediaCounters& c) { return c.streams_evicted.load(); })));
  for (std::size_t i = 0; i < kRtpParseStatusCount; ++i) {
    const auto st = static_cast<RtpParseStatus>(i);
    if (st == RtpParseStatus::kOk) continue;
    w.counter("rvoip_rtp_invalid_total", "RTP packets rejected, by reason", {{"reason", to_string(st)}},
              double(sum_media(app, [i](const MediaCounters& c) { return c.rtp_invalid[i].load(); })));
  }
  for (std::size_t t = 0; t < kRtcpTypeCount; ++t) {
    w.counter("rvoip_rtcp_packets_total", "RTCP packets, by type", {{"type", to_string(static_cast<RtcpType>(t))}},
              double(sum_media(app, [t](const MediaCounters& c) { return c.rtcp_packets[t].load(); })));
  }
  media_histogram(w, app, "rvoip_rtp_jitter_seconds", "Mean interarrival jitter of ended streams", [](const MediaHistograms& h) -> const auto& { return h.jitter_seconds; });
  media_histogram(w, app, "rvoip_rtp_mos", "Estimated MOS of ended streams", [](const MediaHistograms& h) -> const auto& { return h.mos; });
}

}  // namespace

void register_plane_metrics(MetricsRegistry& registry, const Appliance& app) {
  registry.add([&app](MetricsWriter& w) { collect_sip(w, app); });
  registry.add([&app](MetricsWriter& w) { collect_calls(w, app); });
  registry.add([&app](MetricsWriter& w) { collect_media(w, app); });
}

}  // namespace rv::control
