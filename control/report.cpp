#include "control/report.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

#include <fmt/format.h>

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
  return p;
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
  r["sip"] = {{"requests", json::object()}, {"responses", json::object()}};
  r["calls"] = json::array();
  r["streams"] = json::array();
  r["events"] = json::object();
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
  return s;
}

}  // namespace rv::control
