#include "control/report/run_report.hpp"

#include <rapidjson/filewritestream.h>
#include <rapidjson/prettywriter.h>
#include <rte_cycles.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "control/report/json_text.hpp"
#include "planes/media/codec.hpp"
#include "planes/media/stream_report.hpp"
#include "rv_build_config.hpp"

namespace rv::control {
namespace {

using planes::media::StreamEnded;
using planes::signaling::CallRecord;
using planes::transport::PacketClass;
using Writer = rapidjson::PrettyWriter<rapidjson::FileWriteStream>;

using json::key;
using json::kv_d;
using json::kv_i;
using json::kv_opt;
using json::kv_s;
using json::str;
void kv(Writer& w, std::string_view k, uint64_t v) { json::kv_u(w, k, v); }
std::optional<double> seconds(uint64_t ns) {
  if (ns == 0) return std::nullopt;
  return static_cast<double>(ns) / 1e9;
}

void packets(Writer& w, const Appliance& app) {
  const TrafficTotals t = app.totals();
  w.StartObject();
  kv(w, "rx", t.rx_frames);
  kv(w, "bytes", t.rx_bytes);
  for (std::size_t i = 0; i < planes::transport::kPacketClassCount; ++i) {
    kv(w, planes::transport::to_string(static_cast<PacketClass>(i)), t.by_class[i]);
  }
  for (const bool malformed : {true, false}) {
    // not_inspected: well-formed frames no plane reads (ARP, ICMP, fragments).
    key(w, malformed ? "malformed" : "not_inspected");
    w.StartObject();
    for (std::size_t i = 1; i < dataplane::kParseStatusCount; ++i) {
      const auto st = static_cast<dataplane::ParseStatus>(i);
      if (t.by_status[i] != 0 && dataplane::is_malformed(st) == malformed) {
        kv(w, dataplane::to_string(st), t.by_status[i]);
      }
    }
    w.EndObject();
  }
  uint64_t nombuf = 0, missed = 0, ierrors = 0;
  for (const auto& port : app.ports()) {
    const auto s = dataplane::read_port_stats(port.port_id);
    nombuf += s.rx_nombuf;
    missed += s.imissed;
    ierrors += s.ierrors;
  }
  uint64_t steer_dropped = 0;
  for (const auto& s : app.shards()) steer_dropped += s->handler().event_counters().steer_dropped.load();
  key(w, "dropped");
  w.StartObject();
  kv(w, "rx_no_mbuf", nombuf);
  kv(w, "rx_missed", missed);
  kv(w, "rx_errors", ierrors);
  kv(w, "oversize_frame", t.oversize_frames);
  kv(w, "tx_full", t.tx_dropped);
  kv(w, "steer_dropped", steer_dropped);
  w.EndObject();
  if (t.tx_frames != 0) kv(w, "tx", t.tx_frames);
  kv(w, "pace_gaps_skipped", t.pace_gaps_skipped);
  key(w, "reassembly");
  w.StartObject();
  for (std::size_t i = 0; i < t.reassembly.size(); ++i) {
    if (t.reassembly[i] != 0) {
      kv(w, dataplane::to_string(static_cast<dataplane::ReassemblyCounter>(i)), t.reassembly[i]);
    }
  }
  w.EndObject();
  key(w, "encapsulation");  // frames per encapsulation layer they were carried in
  w.StartObject();
  for (std::size_t i = 0; i < t.decapsulated.size(); ++i) {
    if (t.decapsulated[i] != 0) {
      kv(w, dataplane::to_string(static_cast<dataplane::Encap>(i)), t.decapsulated[i]);
    }
  }
  w.EndObject();
  key(w, "hep");  // datagrams on HEP ports, by decode outcome
  w.StartObject();
  for (std::size_t i = 0; i < t.hep.size(); ++i) {
    if (t.hep[i] != 0) kv(w, dataplane::to_string(static_cast<dataplane::HepStatus>(i)), t.hep[i]);
  }
  w.EndObject();
  key(w, "sip_tls");  // TLS recognised on any TCP port, per connection; nothing is decrypted
  w.StartObject();
  kv(w, "connections", t.sip_tls_connections);
  kv(w, "server_hellos", t.sip_tls_server_hellos);
  w.EndObject();
  kv(w, "websocket_connections", t.websocket_upgrades);
  w.EndObject();
}

template <typename F>
uint64_t sum_signaling(const Appliance& app, F&& get) {
  uint64_t n = 0;
  for (const auto& s : app.shards()) n += get(s->handler().signaling().counters());
  return n;
}

void sip(Writer& w, const Appliance& app) {
  using namespace planes::signaling;
  w.StartObject();
  kv(w, "messages", sum_signaling(app, [](const auto& c) { return c.messages.load(); }));
  key(w, "requests");
  w.StartObject();
  for (std::size_t m = 0; m < kSipMethodCount; ++m) {
    const uint64_t n = sum_signaling(app, [m](const auto& c) { return c.requests[m].load(); });
    if (n != 0) kv(w, to_string(static_cast<SipMethod>(m)), n);
  }
  w.EndObject();
  key(w, "responses");
  w.StartObject();
  for (uint16_t code = kMinStatusCode; code <= kMaxStatusCode; ++code) {
    const uint64_t n = sum_signaling(app, [code](const auto& c) { return c.response_count(code); });
    if (n != 0) kv(w, std::to_string(code), n);
  }
  w.EndObject();
  kv(w, "retransmissions", sum_signaling(app, [](const auto& c) { return c.retransmissions.load(); }));
  key(w, "malformed");
  w.StartObject();
  for (std::size_t i = 0; i < kSipParseStatusCount; ++i) {
    const uint64_t n = sum_signaling(app, [i](const auto& c) { return c.malformed[i].load(); });
    if (n != 0) kv(w, to_string(static_cast<SipParseStatus>(i)), n);
  }
  w.EndObject();
  key(w, "sctp");  // SIP over SCTP (RFC 4168)
  w.StartObject();
  kv(w, "data_chunks", sum_signaling(app, [](const auto& c) { return c.sctp_data_chunks.load(); }));
  kv(w, "reassembled", sum_signaling(app, [](const auto& c) { return c.sctp_reassembled.load(); }));
  key(w, "dropped");
  w.StartObject();
  for (std::size_t i = 0; i < kSctpDropReasonCount; ++i) {
    const uint64_t n = sum_signaling(app, [i](const auto& c) { return c.sctp_dropped[i].load(); });
    if (n != 0) kv(w, to_string(static_cast<SctpDropReason>(i)), n);
  }
  w.EndObject();
  w.EndObject();
  key(w, "websocket");  // SIP over WebSocket (RFC 7118)
  w.StartObject();
  kv(w, "upgrades", sum_signaling(app, [](const auto& c) { return c.ws_upgrades.load(); }));
  kv(w, "frames", sum_signaling(app, [](const auto& c) { return c.ws_frames.load(); }));
  kv(w, "messages", sum_signaling(app, [](const auto& c) { return c.ws_messages.load(); }));
  key(w, "errors");
  w.StartObject();
  for (std::size_t i = 0; i < kWsErrorCount; ++i) {
    const uint64_t n = sum_signaling(app, [i](const auto& c) { return c.ws_errors[i].load(); });
    if (n != 0) kv(w, to_string(static_cast<WsError>(i)), n);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

// Per-call media summary: totals, the worst stream, and the verdict an operator wants —
// two_way, one_way (media towards one party only), no_media (answered, nothing flowed) or
// not_answered. Directions come from the endpoints each side announced in SDP.
void call_media(Writer& w, const CallRecord& c, const std::vector<const StreamEnded*>& streams) {
  uint64_t packets = 0;
  int64_t lost = 0;
  double mos_min = 0;
  double jitter_max = 0;
  bool to_caller = false;
  bool to_callee = false;
  for (const StreamEnded* s : streams) {
    packets += s->packets;
    lost += s->lost;
    const double mos = s->mos_x10 / 10.0;
    mos_min = (mos_min == 0 || mos < mos_min) ? mos : mos_min;
    jitter_max = std::max(jitter_max, double(s->jitter_max_ms));
    for (uint8_t i = 0; i < c.media_count; ++i) {
      const auto& m = c.media[i];
      if (s->packets == 0 || !(m.addr == s->flow.dst.addr) || m.port != s->flow.dst.port) continue;
      (m.from_caller ? to_caller : to_callee) = true;
    }
  }
  std::string_view verdict = "two_way";
  if (c.result != planes::signaling::CallResult::kAnswered) {
    verdict = "not_answered";
  } else if (packets == 0) {
    verdict = "no_media";
  } else if (to_caller != to_callee) {
    verdict = "one_way";
  } else if (!to_caller && !to_callee) {
    verdict = "unmatched";  // media tied by Call-ID but to endpoints no SDP of this call names
  }
  w.StartObject();
  kv_s(w, "verdict", verdict);
  kv(w, "streams", streams.size());
  kv(w, "packets", packets);
  kv_i(w, "lost", lost);
  kv_opt(w, "mos_min", streams.empty() ? std::nullopt : std::optional<double>(mos_min));
  kv_opt(w, "jitter_max_ms", streams.empty() ? std::nullopt : std::optional<double>(jitter_max));
  w.EndObject();
}

// Answer to BYE; without a BYE, to the end of the call's media (or its last message).
std::optional<double> duration_s(const CallRecord& c, const std::vector<const StreamEnded*>& streams) {
  if (c.answer_ns == 0) return std::nullopt;
  uint64_t end = 0;
  if (c.end_reason == planes::signaling::CallEndReason::kBye) {
    end = c.end_ns;
  } else {
    for (const StreamEnded* s : streams) end = std::max(end, s->last_ns);
    if (end == 0) end = c.state == planes::signaling::CallState::kTerminated ? c.end_ns : c.last_ns;
  }
  return end > c.answer_ns ? double(end - c.answer_ns) / 1e9 : 0.0;
}

void call(Writer& w, const CallRecord& c, const std::vector<const StreamEnded*>& streams) {
  using planes::signaling::CallState;
  w.StartObject();
  kv_s(w, "call_id", c.call_id.view());
  kv_s(w, "from", c.from.view());
  kv_s(w, "to", c.to.view());
  kv_s(w, "state", to_string(c.state));
  kv_s(w, "result", to_string(c.result));
  key(w, "final_code");
  if (c.final_code != 0) {
    w.Uint(c.final_code);
  } else {
    w.Null();
  }
  kv_opt(w, "start_ts", seconds(c.invite_ns));
  kv_opt(w, "answer_ts", seconds(c.answer_ns));
  kv_opt(w, "end_ts", seconds(c.state == CallState::kTerminated ? c.end_ns : 0));
  kv_opt(w, "setup_ms", c.answer_ns ? std::optional<double>(double(c.answer_ns - c.invite_ns) / 1e6)
                                    : std::nullopt);
  kv_opt(w, "post_dial_delay_ms",
         c.first_provisional_ns ? std::optional<double>(double(c.first_provisional_ns - c.invite_ns) / 1e6)
                                : std::nullopt);
  kv_opt(w, "duration_s", duration_s(c, streams));
  kv_s(w, "end_reason", to_string(c.end_reason));
  key(w, "streams");
  w.StartArray();
  for (const StreamEnded* s : streams) {
    w.StartObject();
    kv_s(w, "src", planes::media::format_endpoint(s->flow.src));
    kv_s(w, "dst", planes::media::format_endpoint(s->flow.dst));
    kv_s(w, "ssrc", planes::media::format_ssrc(s->ssrc));
    w.EndObject();
  }
  w.EndArray();
  key(w, "media");
  call_media(w, c, streams);
  w.EndObject();
}

void stream(Writer& w, const StreamEnded& s, const CallRecord* c) {
  w.StartObject();
  kv_s(w, "src", planes::media::format_endpoint(s.flow.src));
  kv_s(w, "dst", planes::media::format_endpoint(s.flow.dst));
  kv_s(w, "ssrc", planes::media::format_ssrc(s.ssrc));
  kv(w, "payload_type", s.payload_type);
  kv_s(w, "codec", planes::media::codec_name(static_cast<planes::media::Codec>(s.codec)));
  kv(w, "packets", s.packets);
  kv(w, "bytes", s.bytes);
  kv_i(w, "expected", s.expected);
  kv_i(w, "lost", s.lost);
  kv(w, "duplicates", s.duplicates);
  kv(w, "reordered", s.reordered);
  kv_d(w, "jitter_mean_ms", s.jitter_mean_ms);
  kv_d(w, "jitter_max_ms", s.jitter_max_ms);
  kv_d(w, "max_delta_ms", s.max_delta_ms);
  kv(w, "gaps", s.gaps);
  kv_d(w, "gap_ms", s.gap_ms);
  kv_opt(w, "rtt_ms", s.rtt_ms >= 0 ? std::optional<double>(s.rtt_ms) : std::nullopt);
  kv_d(w, "mos", s.mos_x10 / 10.0);
  kv_opt(w, "first_ts", seconds(s.first_ns));
  kv_opt(w, "last_ts", seconds(s.last_ns));
  kv_s(w, "end_reason", planes::media::to_string(s.reason));
  key(w, "call_id");
  if (c != nullptr) {
    str(w, c->call_id.view());
  } else {
    w.Null();
  }
  w.EndObject();
}

void events_section(Writer& w, const Appliance& app) {
  w.StartObject();
  if (const auto* f = app.fabric()) {
    const auto m = f->metrics();
    for (const auto& t : m.types) {
      uint64_t subscribers = 0;
      for (const auto& s : m.subscriptions) subscribers += s.type == t.name ? 1 : 0;
      key(w, t.name);
      w.StartObject();
      kv(w, "subscribers", subscribers);
      kv(w, "published", t.published);
      kv(w, "copies", t.copies);
      kv(w, "delivered", t.delivered);
      kv(w, "delivered_inline", t.delivered_inline);
      kv(w, "filtered", t.filtered);
      key(w, "dropped");
      w.StartObject();
      for (std::size_t r = 0; r < events::kDropReasonCount; ++r) {
        if (t.dropped[r] != 0) kv(w, events::to_string(static_cast<events::DropReason>(r)), t.dropped[r]);
      }
      w.EndObject();
      kv(w, "in_flight", t.in_flight);
      w.EndObject();
    }
  }
  w.EndObject();
}

uint64_t dropped_events(const Appliance& app, std::string_view type) {
  const auto* f = app.fabric();
  if (f == nullptr) return 0;
  for (const auto& t : f->metrics().types) {
    if (t.name == type) return std::accumulate(t.dropped.begin(), t.dropped.end(), uint64_t{0});
  }
  return 0;
}

bool stream_order(const StreamEnded* a, const StreamEnded* b) {
  if (a->first_ns != b->first_ns) return a->first_ns < b->first_ns;
  const int c = std::memcmp(&a->flow, &b->flow, sizeof(a->flow));
  if (c != 0) return c < 0;
  if (a->ssrc != b->ssrc) return a->ssrc < b->ssrc;
  return a->last_ns < b->last_ns;
}

}  // namespace

RunReport::RunReport(bool keep_records) : keep_(keep_records) {
  if (!keep_) return;
  call_index_.reserve(1 << 14);
}

RunReport::~RunReport() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(partial_.c_str());
  }
}

Result<void> RunReport::open(const std::string& path) {
  path_ = path;
  partial_ = path + ".partial";
  file_ = std::fopen(partial_.c_str(), "w");
  if (file_ == nullptr) {
    return make_error(ErrorCode::kIo, fmt::format("cannot write report {}: {} (check that the "
                                                  "directory exists and is writable)",
                                                  path, std::strerror(errno)));
  }
  return {};
}

void RunReport::on_call(const planes::signaling::CallEvent& e) {
  if (!keep_) {
    if (planes::signaling::is_final(e.kind)) {
      ++final_calls_;
      ++results_[to_string(e.record.result)];
    }
    return;
  }
  const CallKey k{e.record.key_hash, e.record.invite_ns};
  const auto [it, fresh] = call_index_.try_emplace(k, calls_.size());
  if (fresh) {
    calls_.push_back(e.record);
  } else {
    calls_[it->second] = e.record;
  }
}

void RunReport::on_registration(const planes::signaling::RegistrationEvent& e) {
  if (e.is_request) {
    ++registration_requests_;
  } else {
    ++registration_responses_[e.status_code];
  }
}

void RunReport::on_stream_ended(const planes::media::StreamEnded& e) {
  if (!keep_) {
    ++ended_streams_;
    return;
  }
  streams_.push_back(e);
}

void RunReport::associate_by_endpoint() {
  // endpoint -> (invite time, call hash) of every call that announced it, by start time.
  struct Announced {
    uint64_t invite_ns;
    uint64_t hash;
  };
  std::map<std::pair<std::array<uint8_t, 16>, uint16_t>, std::vector<Announced>> by_ep;
  for (const CallRecord& c : calls_) {
    for (uint8_t i = 0; i < c.media_count; ++i) {
      by_ep[{c.media[i].addr.bytes, c.media[i].port}].push_back({c.invite_ns, c.key_hash});
    }
  }
  for (auto& [ep, v] : by_ep) {
    std::sort(v.begin(), v.end(), [](const Announced& a, const Announced& b) {
      return a.invite_ns != b.invite_ns ? a.invite_ns < b.invite_ns : a.hash < b.hash;
    });
  }
  auto find = [&](const dataplane::Endpoint& ep, uint64_t first_ns) -> uint64_t {
    const auto it = by_ep.find({ep.addr.bytes, ep.port});
    if (it == by_ep.end()) return 0;
    uint64_t pick = 0;
    for (const Announced& a : it->second) {
      if (a.invite_ns <= first_ns || pick == 0) pick = a.hash;
    }
    return pick;
  };
  for (StreamEnded& s : streams_) {
    s.call_hash = find(s.flow.dst, s.first_ns);
    if (s.call_hash == 0) s.call_hash = find(s.flow.src, s.first_ns);
  }
}

Result<void> RunReport::write(const Appliance& app, const RunInfo& run) {
  if (file_ == nullptr) return make_error(ErrorCode::kState, "the report file is not open");
  if (by_endpoint_) associate_by_endpoint();
  // Calls in start order; streams by first packet; each stream to the call instance of its
  // Call-ID that started last before the stream did.
  std::vector<std::size_t> call_order(calls_.size());
  std::iota(call_order.begin(), call_order.end(), 0);
  std::sort(call_order.begin(), call_order.end(), [&](std::size_t a, std::size_t b) {
    const CallRecord& x = calls_[a];
    const CallRecord& y = calls_[b];
    if (x.invite_ns != y.invite_ns) return x.invite_ns < y.invite_ns;
    return x.call_id.view() < y.call_id.view();
  });
  std::unordered_map<uint64_t, std::vector<std::size_t>> instances;  // hash -> calls, by start
  for (const std::size_t i : call_order) instances[calls_[i].key_hash].push_back(i);
  std::vector<const StreamEnded*> stream_order_v(streams_.size());
  for (std::size_t i = 0; i < streams_.size(); ++i) stream_order_v[i] = &streams_[i];
  std::sort(stream_order_v.begin(), stream_order_v.end(), stream_order);
  std::vector<const CallRecord*> stream_call(streams_.size(), nullptr);
  std::vector<std::vector<const StreamEnded*>> call_streams(calls_.size());
  for (std::size_t si = 0; si < stream_order_v.size(); ++si) {
    const StreamEnded& s = *stream_order_v[si];
    if (s.call_hash == 0) continue;
    const auto it = instances.find(s.call_hash);
    if (it == instances.end()) continue;
    std::size_t pick = it->second.front();
    for (const std::size_t c : it->second) {
      if (calls_[c].invite_ns <= s.first_ns) pick = c;
    }
    stream_call[si] = &calls_[pick];
    call_streams[pick].push_back(&s);
  }

  std::array<char, 1 << 16> buf;
  rapidjson::FileWriteStream os(file_, buf.data(), buf.size());
  Writer w(os);
  w.SetIndent(' ', 2);
  w.StartObject();
  kv(w, "version", 1);
  kv_s(w, "rvoipd", RV_VERSION);
  kv_s(w, "mode", run.mode);
  key(w, "interrupted");
  w.Bool(run.interrupted);
  kv_d(w, "wall_seconds", run.wall_seconds);
  key(w, "inputs");
  w.StartArray();
  for (const auto& c : run.captures) {
    w.StartObject();
    kv_s(w, "file", c.path);
    kv(w, "frames", c.frames);
    kv(w, "bytes", c.bytes);
    kv_d(w, "duration_s", double(c.last_ns - c.first_ns) / 1e9);
    key(w, "truncated");
    w.Bool(c.truncated);
    w.EndObject();
  }
  w.EndArray();
  key(w, "packets");
  packets(w, app);
  key(w, "ports");
  w.StartArray();
  for (const auto& port : app.ports()) {
    const auto s = dataplane::read_port_stats(port.port_id);
    w.StartObject();
    kv_s(w, "name", port.name);
    kv_s(w, "driver", port.driver);
    kv(w, "rx_packets", s.ipackets);
    kv(w, "rx_bytes", s.ibytes);
    kv(w, "rx_missed", s.imissed);
    kv(w, "rx_errors", s.ierrors);
    kv(w, "rx_no_mbuf", s.rx_nombuf);
    kv(w, "tx_packets", s.opackets);
    w.EndObject();
  }
  w.EndArray();
  key(w, "lcores");  // time the loops spent working vs polling empty queues (run-dependent)
  w.StartArray();
  const double hz = double(rte_get_tsc_hz());
  for (const auto& l : app.lcore_loads()) {
    w.StartObject();
    kv(w, "lcore", l.lcore_id);
    kv_d(w, "busy_s", double(l.busy_cycles) / hz);
    kv_d(w, "idle_s", double(l.idle_cycles) / hz);
    w.EndObject();
  }
  w.EndArray();
  key(w, "sip");
  sip(w, app);
  key(w, "registrations");
  w.StartObject();
  kv(w, "requests", registration_requests_);
  key(w, "responses");
  w.StartObject();
  for (const auto& [code, n] : registration_responses_) kv(w, std::to_string(code), n);
  w.EndObject();
  w.EndObject();
  key(w, "calls");
  w.StartArray();
  for (const std::size_t i : call_order) call(w, calls_[i], call_streams[i]);
  w.EndArray();
  kv(w, "calls_not_reported", dropped_events(app, "signaling.call"));
  key(w, "streams");
  w.StartArray();
  for (std::size_t si = 0; si < stream_order_v.size(); ++si) {
    stream(w, *stream_order_v[si], stream_call[si]);
  }
  w.EndArray();
  kv(w, "streams_not_reported", dropped_events(app, "media.stream_ended"));
  key(w, "events");
  events_section(w, app);
  key(w, "steering");  // packets handed to the shard owning their session (several workers)
  w.StartObject();
  uint64_t out = 0, in = 0, dropped = 0, sync_timeouts = 0;
  for (const auto& s : app.shards()) {
    const auto& c = s->handler().event_counters();
    out += c.steered_out.load();
    in += c.steered_in.load();
    dropped += c.steer_dropped.load();
    sync_timeouts += c.sync_timeouts.load();
  }
  kv(w, "workers", app.shards().size());
  kv(w, "steered_out", out);
  kv(w, "steered_in", in);
  kv(w, "steer_dropped", dropped);
  kv(w, "sync_timeouts", sync_timeouts);
  w.EndObject();
  w.EndObject();
  os.Put('\n');
  os.Flush();
  const bool failed = std::ferror(file_) != 0;
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (failed || closed != 0) {
    std::remove(partial_.c_str());
    return make_error(ErrorCode::kIo, fmt::format("writing the report {} failed: {}", path_,
                                                  std::strerror(errno)));
  }
  if (std::rename(partial_.c_str(), path_.c_str()) != 0) {
    return make_error(ErrorCode::kIo, fmt::format("cannot rename {} to {}: {}", partial_, path_,
                                                  std::strerror(errno)));
  }
  return {};
}

std::string RunReport::summary(const Appliance& app, const RunInfo& run) const {
  const TrafficTotals t = app.totals();
  uint64_t malformed = 0;
  for (std::size_t i = 0; i < t.by_status.size(); ++i) {
    if (dataplane::is_malformed(static_cast<dataplane::ParseStatus>(i))) malformed += t.by_status[i];
  }
  const auto cls = [&](PacketClass c) { return t.by_class[static_cast<std::size_t>(c)]; };
  const double pps = run.wall_seconds > 0 ? double(t.rx_frames) / run.wall_seconds : 0;
  std::string s = fmt::format("rvoipd {} summary ({}{})\n", RV_VERSION, run.mode,
                              run.interrupted ? ", interrupted" : "");
  s += fmt::format("  packets   {} read in {:.3f} s ({:.0f} pps), {} bytes\n", t.rx_frames,
                   run.wall_seconds, pps, t.rx_bytes);
  s += fmt::format("  classes   sip {}  rtp {}  rtcp {}  other {}\n", cls(PacketClass::kSip),
                   cls(PacketClass::kRtp), cls(PacketClass::kRtcp), cls(PacketClass::kOther));
  s += fmt::format("  malformed {}\n", malformed);
  for (const auto& c : run.captures) {
    if (c.truncated) {
      s += fmt::format("  truncated {}: {} complete frames replayed, damaged after ({})\n", c.path,
                       c.frames, c.damage);
    }
  }
  std::map<std::string_view, uint64_t> results = results_;
  for (const auto& c : calls_) ++results[to_string(c.result)];
  std::string by_result;
  for (const auto& [k, v] : results) {
    by_result += fmt::format("{}{} {}", by_result.empty() ? "" : ", ", v, k);
  }
  s += fmt::format("  calls     {}{}\n", calls(), calls() == 0 ? "" : " (" + by_result + ")");
  s += fmt::format("  streams   {} RTP streams\n", streams());
  return s;
}

}  // namespace rv::control
