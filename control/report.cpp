#include "control/report.hpp"

#include <nlohmann/json.hpp>
#include <rte_cycles.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "control/fabric_metrics.hpp"
#include "rv_build_config.hpp"

namespace rv::control {
namespace {

using nlohmann::json;
using planes::transport::PacketClass;

uint64_t cls(const TrafficTotals& t, PacketClass c) {
  return t.by_class[static_cast<std::size_t>(c)];
}

json packets_json(const Appliance& app) {
  const TrafficTotals t = app.totals();
  json p;
  p["rx"] = t.rx_frames;
  p["bytes"] = t.rx_bytes;
  for (std::size_t i = 0; i < planes::transport::kPacketClassCount; ++i) {
    p[std::string(to_string(static_cast<PacketClass>(i)))] = t.by_class[i];
  }
  json malformed = json::object();
  json skipped = json::object();
  for (std::size_t i = 1; i < dataplane::kParseStatusCount; ++i) {
    const auto st = static_cast<dataplane::ParseStatus>(i);
    if (t.by_status[i] == 0) continue;
    (dataplane::is_malformed(st) ? malformed : skipped)[std::string(to_string(st))] = t.by_status[i];
  }
  p["malformed"] = malformed;
  p["not_inspected"] = skipped;  // well-formed frames no plane reads (ARP, ICMP, fragments)
  json dropped = json::object();
  uint64_t nombuf = 0;
  uint64_t missed = 0;
  uint64_t ierrors = 0;
  for (const auto& port : app.ports()) {
    const auto s = dataplane::read_port_stats(port.port_id);
    nombuf += s.rx_nombuf;
    missed += s.imissed;
    ierrors += s.ierrors;
  }
  dropped["rx_no_mbuf"] = nombuf;
  dropped["rx_missed"] = missed;
  dropped["rx_errors"] = ierrors;
  dropped["oversize_frame"] = t.oversize_frames;
  dropped["tx_full"] = t.tx_dropped;
  p["dropped"] = dropped;
  if (t.tx_frames != 0) p["tx"] = t.tx_frames;
  json reasm = json::object();
  for (std::size_t i = 0; i < t.reassembly.size(); ++i) {
    if (t.reassembly[i] != 0) reasm[std::string(dataplane::to_string(static_cast<dataplane::ReassemblyCounter>(i)))] = t.reassembly[i];
  }
  p["reassembly"] = reasm;
  return p;
}

json sip_json(const Appliance& app) {
  using namespace planes::signaling;
  json requests = json::object();
  json responses = json::object();
  json malformed = json::object();
  uint64_t retrans = 0;
  uint64_t messages = 0;
  for (std::size_t m = 0; m < kSipMethodCount; ++m) {
    uint64_t n = 0;
    for (const auto& s : app.shards()) n += s->handler().signaling().counters().requests[m].load();
    if (n != 0) requests[std::string(to_string(static_cast<SipMethod>(m)))] = n;
  }
  for (uint16_t code = kMinStatusCode; code <= kMaxStatusCode; ++code) {
    uint64_t n = 0;
    for (const auto& s : app.shards()) n += s->handler().signaling().counters().response_count(code);
    if (n != 0) responses[std::to_string(code)] = n;
  }
  for (std::size_t i = 0; i < kSipParseStatusCount; ++i) {
    uint64_t n = 0;
    for (const auto& s : app.shards()) n += s->handler().signaling().counters().malformed[i].load();
    if (n != 0) malformed[std::string(to_string(static_cast<SipParseStatus>(i)))] = n;
  }
  for (const auto& s : app.shards()) {
    retrans += s->handler().signaling().counters().retransmissions.load();
    messages += s->handler().signaling().counters().messages.load();
  }
  return {{"messages", messages}, {"requests", requests}, {"responses", responses},
          {"retransmissions", retrans}, {"malformed", malformed}};
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

struct StreamRef {
  std::string src;
  std::string dst;
  std::string ssrc;
  uint64_t packets = 0;
  int64_t lost = 0;
  double mos = 0;
  double jitter_max_ms = 0;
};

// Per-call media summary: totals, the worst stream, and the verdict an operator wants —
// two_way, one_way (media towards one party only), no_media (answered, nothing flowed) or
// not_answered. Directions come from the endpoints each side announced in SDP.
json call_media(const planes::signaling::CallSnapshot& c, const std::vector<StreamRef>& streams) {
  uint64_t packets = 0;
  int64_t lost = 0;
  double mos_min = 0;
  double jitter_max = 0;
  bool to_caller = false;
  bool to_callee = false;
  for (const auto& s : streams) {
    packets += s.packets;
    lost += s.lost;
    mos_min = (mos_min == 0 || s.mos < mos_min) ? s.mos : mos_min;
    jitter_max = std::max(jitter_max, s.jitter_max_ms);
    for (const auto& m : c.media) {
      if (m.endpoint != s.dst || s.packets == 0) continue;
      (m.side == "caller" ? to_caller : to_callee) = true;
    }
  }
  std::string verdict = "two_way";
  if (c.result != "answered") {
    verdict = "not_answered";
  } else if (packets == 0) {
    verdict = "no_media";
  } else if (to_caller != to_callee) {
    verdict = "one_way";
  } else if (!to_caller && !to_callee) {
    verdict = "unmatched";  // media tied by Call-ID but to endpoints no SDP of this call names
  }
  return {{"verdict", verdict}, {"streams", streams.size()}, {"packets", packets}, {"lost", lost},
          {"mos_min", streams.empty() ? json(nullptr) : json(mos_min)},
          {"jitter_max_ms", streams.empty() ? json(nullptr) : json(jitter_max)}};
}

// calls[] and streams[]: streams are tied to calls by the Call-ID hash both planes share.
void calls_and_streams(const Appliance& app, json& calls_out, json& streams_out) {
  std::unordered_map<uint64_t, std::string> call_ids;
  std::vector<planes::signaling::CallSnapshot> calls;
  for (const auto& s : app.shards()) {
    auto c = s->handler().signaling().snapshot_calls();
    for (auto& call : c) call_ids.emplace(call.call_id_hash, call.call_id);
    calls.insert(calls.end(), std::make_move_iterator(c.begin()), std::make_move_iterator(c.end()));
  }
  std::unordered_map<uint64_t, std::vector<StreamRef>> streams_of_call;
  streams_out = json::array();
  for (const auto& ev : app.ended_streams()) {
    std::optional<std::string> id;
    if (const auto it = call_ids.find(ev.call_hash); ev.call_hash != 0 && it != call_ids.end()) {
      id = it->second;
    }
    const auto r = planes::media::make_report(ev, id);
    streams_out.push_back({{"src", r.src}, {"dst", r.dst}, {"ssrc", r.ssrc},
                           {"payload_type", r.payload_type}, {"codec", r.codec},
                           {"packets", r.packets}, {"expected", r.expected}, {"lost", r.lost},
                           {"duplicates", r.duplicates}, {"reordered", r.reordered},
                           {"jitter_mean_ms", r.jitter_mean_ms}, {"jitter_max_ms", r.jitter_max_ms},
                           {"mos", r.mos}, {"call_id", id ? json(*id) : json(nullptr)}});
    if (id) {
      streams_of_call[ev.call_hash].push_back(
          {r.src, r.dst, r.ssrc, r.packets, r.lost, r.mos, r.jitter_max_ms});
    }
  }
  std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
  calls_out = json::array();
  for (const auto& c : calls) {
    json streams = json::array();
    for (const auto& ref : streams_of_call[c.call_id_hash]) {
      streams.push_back({{"src", ref.src}, {"dst", ref.dst}, {"ssrc", ref.ssrc}});
    }
    calls_out.push_back({{"call_id", c.call_id}, {"from", c.from}, {"to", c.to},
                         {"state", c.state}, {"result", c.result},
                         {"final_code", c.final_code != 0 ? json(c.final_code) : json(nullptr)},
                         {"setup_ms", optional_number(c.setup_ms)},
                         {"post_dial_delay_ms", optional_number(c.post_dial_delay_ms)},
                         {"duration_s", optional_number(c.duration_s)},
                         {"end_reason", c.end_reason}, {"streams", streams},
                         {"media", call_media(c, streams_of_call[c.call_id_hash])}});
  }
}

}  // namespace

std::string build_report_json(const Appliance& app, const RunInfo& run) {
  json r;
  r["version"] = 1;
  r["rvoipd"] = RV_VERSION;
  r["mode"] = run.mode;
  r["wall_seconds"] = run.wall_seconds;
  json inputs = json::array();
  for (const auto& c : run.captures) {
    inputs.push_back({{"file", c.path}, {"frames", c.frames}, {"bytes", c.bytes},
                      {"duration_s", double(c.last_ns - c.first_ns) / 1e9}});
  }
  r["inputs"] = inputs;
  r["packets"] = packets_json(app);
  json ports = json::array();
  for (const auto& port : app.ports()) {
    const auto s = dataplane::read_port_stats(port.port_id);
    ports.push_back({{"name", port.name}, {"driver", port.driver}, {"rx_packets", s.ipackets},
                     {"rx_bytes", s.ibytes}, {"rx_missed", s.imissed}, {"rx_errors", s.ierrors},
                     {"rx_no_mbuf", s.rx_nombuf}, {"tx_packets", s.opackets}});
  }
  r["ports"] = ports;
  json lcores = json::array();
  const double hz = double(rte_get_tsc_hz());
  for (const auto& l : app.lcore_loads()) {
    lcores.push_back({{"lcore", l.lcore_id}, {"busy_s", double(l.busy_cycles) / hz},
                      {"idle_s", double(l.idle_cycles) / hz}});
  }
  r["lcores"] = lcores;  // time the loops spent working vs polling empty queues
  r["sip"] = sip_json(app);
  json calls;
  json streams;
  calls_and_streams(app, calls, streams);
  r["calls"] = calls;
  uint64_t not_kept = 0;
  for (const auto& sh : app.shards()) {
    not_kept += sh->handler().signaling().counters().completed_records_dropped.load();
  }
  if (not_kept != 0) r["calls_not_reported"] = not_kept;  // ended calls beyond the kept window
  r["streams"] = streams;
  if (app.ended_streams_not_kept() != 0) r["streams_not_reported"] = app.ended_streams_not_kept();
  r["events"] = fabric_report(app);
  return r.dump(2) + "\n";
}

Result<void> write_report(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out || !(out << text) || !out.flush()) {
    return make_error(ErrorCode::kIo, fmt::format("cannot write report {} (check the directory "
                                                  "exists and is writable)", path));
  }
  return {};
}

std::string human_summary(const Appliance& app, const RunInfo& run) {
  const TrafficTotals t = app.totals();
  uint64_t malformed = 0;
  for (std::size_t i = 0; i < t.by_status.size(); ++i) {
    if (dataplane::is_malformed(static_cast<dataplane::ParseStatus>(i))) malformed += t.by_status[i];
  }
  const double pps = run.wall_seconds > 0 ? double(t.rx_frames) / run.wall_seconds : 0;
  std::string s = fmt::format("rvoipd {} summary ({})\n", RV_VERSION, run.mode);
  s += fmt::format("  packets   {} read in {:.3f} s ({:.0f} pps), {} bytes\n", t.rx_frames,
                   run.wall_seconds, pps, t.rx_bytes);
  s += fmt::format("  classes   sip {}  rtp {}  rtcp {}  other {}\n", cls(t, PacketClass::kSip),
                   cls(t, PacketClass::kRtp), cls(t, PacketClass::kRtcp),
                   cls(t, PacketClass::kOther));
  s += fmt::format("  malformed {}\n", malformed);
  // Results from the counters (every call, also those no longer held for the report), calls
  // still setting up from the table.
  std::map<std::string, uint64_t> results;
  uint64_t calls = 0;
  for (const auto& sh : app.shards()) {
    const auto& c = sh->handler().signaling().counters();
    for (std::size_t i = 0; i < planes::signaling::kCallResultCount; ++i) {
      const auto r = static_cast<planes::signaling::CallResult>(i);
      if (r == planes::signaling::CallResult::kInProgress) continue;
      results[std::string(to_string(r))] += c.calls[i].load();
      calls += c.calls[i].load();
    }
    for (const auto& call : sh->handler().signaling().snapshot_calls()) {
      if (call.result == "in_progress") {
        ++results["in_progress"];
        ++calls;
      }
    }
  }
  std::string by_result;
  for (const auto& [k, v] : results) {
    if (v != 0) by_result += fmt::format("{}{} {}", by_result.empty() ? "" : ", ", v, k);
  }
  s += fmt::format("  calls     {}{}\n", calls, calls ? " (" + by_result + ")" : "");
  s += fmt::format("  streams   {} RTP streams\n", app.ended_streams().size());
  return s;
}

}  // namespace rv::control
