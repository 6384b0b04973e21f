#include "config/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace rv::config {
namespace {

using Msg = std::optional<std::string>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

template <typename Get>
FieldSpec bool_field(std::string path, std::string help, bool reloadable, Get get) {
  FieldSpec f{std::move(path), FieldKind::kBool, std::move(help), reloadable};
  f.render = [get](const Config& c) { return std::string(get(c) ? "true" : "false"); };
  f.set = [get](Config& c, std::string_view v) -> Msg {
    v = trim(v);
    if (v == "true" || v == "yes" || v == "on" || v == "1") return get(c) = true, std::nullopt;
    if (v == "false" || v == "no" || v == "off" || v == "0") return get(c) = false, std::nullopt;
    return fmt::format("expected a boolean (true or false), got '{}'", v);
  };
  f.equal = [get](const Config& a, const Config& b) {
    return get(a) == get(b);
  };
  return f;
}

template <typename Get>
FieldSpec uint_field(std::string path, std::string help, bool reloadable, double min, double max,
                     Get get) {
  FieldSpec f{std::move(path), FieldKind::kUnsigned, std::move(help), reloadable, min, max};
  f.render = [get](const Config& c) { return std::to_string(get(c)); };
  f.set = [get, min, max](Config& c, std::string_view v) -> Msg {
    v = trim(v);
    uint64_t n = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) {
      return fmt::format("expected an integer in [{}, {}], got '{}'", min, max, v);
    }
    if (double(n) < min || double(n) > max) {
      return fmt::format("value {} out of range: expected an integer in [{}, {}]", n, min, max);
    }
    get(c) = static_cast<std::remove_reference_t<decltype(get(c))>>(n);
    return std::nullopt;
  };
  f.equal = [get](const Config& a, const Config& b) {
    return get(a) == get(b);
  };
  return f;
}

template <typename Get>
FieldSpec double_field(std::string path, std::string help, bool reloadable, double min,
                       double max, Get get) {
  FieldSpec f{std::move(path), FieldKind::kDouble, std::move(help), reloadable, min, max};
  f.render = [get](const Config& c) { return fmt::format("{}", get(c)); };
  f.set = [get, min, max](Config& c, std::string_view v) -> Msg {
    v = trim(v);
    double d = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || !std::isfinite(d)) {
      return fmt::format("expected a number in [{}, {}], got '{}'", min, max, v);
    }
    if (d < min || d > max) {
      return fmt::format("value {} out of range: expected a number in [{}, {}]", d, min, max);
    }
    get(c) = d;
    return std::nullopt;
  };
  f.equal = [get](const Config& a, const Config& b) {
    return get(a) == get(b);
  };
  return f;
}

template <typename Get>
FieldSpec string_field(std::string path, std::string help, bool reloadable,
                       std::vector<std::string> choices, Get get) {
  FieldSpec f{std::move(path), FieldKind::kString, std::move(help), reloadable};
  f.choices = std::move(choices);
  f.render = [get](const Config& c) { return quote(get(c)); };
  f.set = [get, ch = f.choices](Config& c, std::string_view v) -> Msg {
    v = trim(v);
    if (!ch.empty() && std::find(ch.begin(), ch.end(), v) == ch.end()) {
      return fmt::format("expected one of {}, got '{}'", fmt::join(ch, " | "), v);
    }
    get(c) = std::string(v);
    return std::nullopt;
  };
  f.equal = [get](const Config& a, const Config& b) {
    return get(a) == get(b);
  };
  return f;
}

template <typename Get>
FieldSpec list_field(std::string path, std::string help, bool reloadable, Get get) {
  FieldSpec f{std::move(path), FieldKind::kStringList, std::move(help), reloadable};
  f.render = [get](const Config& c) {
    std::vector<std::string> q;
    for (const auto& s : get(c)) q.push_back(quote(s));
    return fmt::format("[{}]", fmt::join(q, ", "));
  };
  f.set_list = [get](Config& c, std::span<const std::string> items) -> Msg {
    get(c).assign(items.begin(), items.end());
    return std::nullopt;
  };
  f.set = [get](Config& c, std::string_view v) -> Msg {
    std::vector<std::string> items;
    v = trim(v);
    while (!v.empty()) {
      const auto comma = v.find(',');
      const auto item = trim(v.substr(0, comma));
      if (!item.empty()) items.emplace_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
    get(c) = std::move(items);
    return std::nullopt;
  };
  f.equal = [get](const Config& a, const Config& b) {
    return get(a) == get(b);
  };
  return f;
}

#define RV_GET(member) [](auto& c) -> auto& { return c.member; }

std::vector<FieldSpec> build_schema() {
  constexpr double kU32 = 4294967295.0;
  std::vector<FieldSpec> s;
  // dataplane
  s.push_back(string_field("dataplane.mode", "monitor: inspect and free; forward: inspect, then transmit on the paired port", false, {"monitor", "forward"}, RV_GET(dataplane.mode)));
  s.push_back(string_field("dataplane.lcores", "worker lcores: auto (one per physical core left after the control core) or a list such as 1,2 or 2-5", false, {}, RV_GET(dataplane.lcores)));
  s.push_back(uint_field("dataplane.workers", "worker lcores (one shard each); 0 = one per physical core left after the control core; more than the machine has share CPUs", false, 0, 128, RV_GET(dataplane.workers)));
  s.push_back(list_field("dataplane.ports", "ports to poll: PCI addresses (0000:03:00.0) or vdev strings (net_pcap0,rx_pcap=x.pcap); empty = every port the EAL probed", false, RV_GET(dataplane.ports)));
  s.push_back(list_field("dataplane.eal_args", "extra EAL arguments, appended after the generated ones", false, RV_GET(dataplane.eal_args)));
  s.push_back(string_field("dataplane.replay_speed", "replay (--pcap) pace: max (as fast as the lcore goes) or realtime (the capture's own timing)", false, {"max", "realtime"}, RV_GET(dataplane.replay_speed)));
  s.push_back(bool_field("dataplane.hugepages", "use hugepages; false runs the EAL with --no-huge --no-shconf", false, RV_GET(dataplane.hugepages)));
  s.push_back(string_field("dataplane.file_prefix", "EAL --file-prefix: names this instance's DPDK runtime directory, shared memory files and telemetry socket; empty = rvoipd-<port of control.metrics_listen>, or rvoipd-<pid> with metrics disabled; a --file-prefix in the EAL arguments wins", false, {}, RV_GET(dataplane.file_prefix)));
  s.push_back(uint_field("dataplane.memory_mb", "EAL memory in MiB when hugepages are off", false, 64, 65536, RV_GET(dataplane.memory_mb)));
  s.push_back(uint_field("dataplane.rx_queues", "RX queues per port (RSS on IP/UDP when more than one)", false, 1, 64, RV_GET(dataplane.rx_queues)));
  s.push_back(uint_field("dataplane.rx_descriptors", "RX ring descriptors per queue", false, 64, 32768, RV_GET(dataplane.rx_descriptors)));
  s.push_back(uint_field("dataplane.tx_descriptors", "TX ring descriptors per queue", false, 64, 32768, RV_GET(dataplane.tx_descriptors)));
  s.push_back(uint_field("dataplane.mbufs", "mbufs in each port's pool", false, 1023, 16777215, RV_GET(dataplane.mbufs)));
  s.push_back(uint_field("dataplane.mbuf_cache", "per-lcore mbuf cache", false, 0, 512, RV_GET(dataplane.mbuf_cache)));
  s.push_back(uint_field("dataplane.burst_size", "packets per rx_burst", false, 1, 512, RV_GET(dataplane.burst_size)));
  s.push_back(uint_field("dataplane.housekeeping_interval", "lcore loop iterations between housekeeping ticks", false, 1, 1048576, RV_GET(dataplane.housekeeping_interval)));
  s.push_back(list_field("dataplane.sip_ports", "UDP/TCP ports checked first for SIP (SIP is still detected on any port)", true, RV_GET(dataplane.sip_ports)));
  s.push_back(uint_field("dataplane.rtp_port_min", "start of the configured RTP/RTCP port range (0 = none)", true, 0, 65535, RV_GET(dataplane.rtp_port_min)));
  s.push_back(uint_field("dataplane.rtp_port_max", "end of the configured RTP/RTCP port range", true, 0, 65535, RV_GET(dataplane.rtp_port_max)));
  s.push_back(bool_field("dataplane.rtp_heuristic", "classify unknown UDP flows as RTP/RTCP by a strict header check", true, RV_GET(dataplane.rtp_heuristic)));
  s.push_back(uint_field("dataplane.reassembly_max_datagrams", "IPv4/IPv6 datagrams being reassembled at once per lcore (0 = no reassembly: fragments are counted, not inspected)", false, 0, 1048576, RV_GET(dataplane.reassembly_max_datagrams)));
  s.push_back(uint_field("dataplane.reassembly_timeout_ms", "an incomplete datagram is dropped after this", false, 10, 60000, RV_GET(dataplane.reassembly_timeout_ms)));
  s.push_back(uint_field("dataplane.decap_max_depth", "tunnel layers opened to reach the packet inside (VXLAN, Geneve, GRE, ERSPAN, MPLS, PPPoE, IP-in-IP; VLAN tags aside); deeper frames are malformed (too_deep_encapsulation); 0 = no decapsulation", true, 0, 8, RV_GET(dataplane.decap_max_depth)));
  s.push_back(list_field("dataplane.decap_vxlan_ports", "UDP destination ports opened as VXLAN (at most 8)", true, RV_GET(dataplane.decap_vxlan_ports)));
  s.push_back(list_field("dataplane.decap_geneve_ports", "UDP destination ports opened as Geneve (at most 8)", true, RV_GET(dataplane.decap_geneve_ports)));
  s.push_back(list_field("dataplane.decap_gre_keys", "GRE keys opened (at most 8, decimal or 0x hex); empty = any key; a GRE packet with another key or none is malformed (gre_key_mismatch)", true, RV_GET(dataplane.decap_gre_keys)));
  s.push_back(list_field("dataplane.hep_ports", "UDP destination ports whose datagrams are HEP v1/v2/v3 (heplify, captagent): the SIP/RTCP inside is processed as if captured, with HEP's addresses and capture time (at most 8; empty = none)", true, RV_GET(dataplane.hep_ports)));
  // events
  s.push_back(string_field("events.implementation", "event fabric: static (events copied into ring slots) or zerocopy (refcounted mempool objects)", false, {"static", "zerocopy"}, RV_GET(events.implementation)));
  s.push_back(uint_field("events.channel_capacity", "slots per ring (a power of two)", false, 64, 1048576, RV_GET(events.channel_capacity)));
  s.push_back(bool_field("events.enable_priority", "separate rings per priority class, drained in priority order", false, RV_GET(events.enable_priority)));
  s.push_back(uint_field("events.batch_size", "events per burst enqueue/dequeue", false, 1, 1024, RV_GET(events.batch_size)));
  s.push_back(uint_field("events.shard_count", "event shards (0 = one per worker lcore)", false, 0, 1024, RV_GET(events.shard_count)));
  s.push_back(bool_field("events.enable_metrics", "per-type counters and sampled latency", false, RV_GET(events.enable_metrics)));
  s.push_back(uint_field("events.latency_sample_every", "TSC-stamp one event in N for latency histograms", false, 1, 1048576, RV_GET(events.latency_sample_every)));
  // planes
  s.push_back(uint_field("planes.signaling.max_calls", "calls tracked at once per shard (oldest evicted, counted)", false, 16, 16777216, RV_GET(planes.signaling.max_calls)));
  s.push_back(uint_field("planes.signaling.max_tcp_streams", "SIP-over-TCP connections reassembled at once per shard", false, 1, 1048576, RV_GET(planes.signaling.max_tcp_streams)));
  s.push_back(uint_field("planes.signaling.tcp_buffer_bytes", "reassembly buffer per TCP connection", false, 2048, 1048576, RV_GET(planes.signaling.tcp_buffer_bytes)));
  s.push_back(uint_field("planes.signaling.setup_timeout_s", "seconds an INVITE may wait for a final answer", false, 1, kU32, RV_GET(planes.signaling.setup_timeout_s)));
  s.push_back(uint_field("planes.signaling.call_timeout_s", "seconds an answered call may last without BYE", false, 1, kU32, RV_GET(planes.signaling.call_timeout_s)));
  s.push_back(uint_field("planes.signaling.linger_s", "seconds an ended call is kept to recognise retransmissions", false, 0, 3600, RV_GET(planes.signaling.linger_s)));
  s.push_back(uint_field("planes.media.max_streams", "RTP streams tracked at once per shard (oldest evicted, counted)", false, 16, 16777216, RV_GET(planes.media.max_streams)));
  s.push_back(uint_field("planes.media.interval_s", "seconds of capture time between media.stream_interval events of a running stream (0: none)", false, 0, 86400, RV_GET(planes.media.interval_s)));
  s.push_back(uint_field("planes.media.gap_ms", "an RTP inter-arrival delta of at least this many milliseconds is a media gap: counted (rvoip_rtp_gaps_total) and its time beyond the 20 ms spacing counts as loss in the MOS (0: no gap detection)", false, 0, 600000, RV_GET(planes.media.gap_ms)));
  s.push_back(uint_field("planes.media.media_timeout_s", "seconds without packets before a stream ends", false, 1, 86400, RV_GET(planes.media.media_timeout_s)));
  s.push_back(list_field("planes.peers", "peers for the per-peer metrics (label peer): name=match entries, match an IP prefix (192.0.2.0/24, 2001:db8::/32, one address) or a SIP host (sbc1.example.net, *.carrier.example); a call belongs to the first entry matching its INVITE's source or destination address or the host of its To or From URI, a stream to its call's peer (else to an entry matching its addresses); the rest is peer=\"other\"; at most 64 names", false, RV_GET(planes.peers)));
  // control
  s.push_back(bool_field("control.metrics_enabled", "serve /metrics, /health and /ready", false, RV_GET(control.metrics_enabled)));
  s.push_back(string_field("control.metrics_listen", "address:port of the admin HTTP endpoint (loopback unless you mean it)", false, {}, RV_GET(control.metrics_listen)));
  s.push_back(uint_field("control.shutdown_timeout_ms", "time allowed for a graceful stop", true, 100, 60000, RV_GET(control.shutdown_timeout_ms)));
  s.push_back(uint_field("control.heartbeat_timeout_ms", "an lcore silent this long is unhealthy", true, 10, 600000, RV_GET(control.heartbeat_timeout_ms)));
  s.push_back(double_field("control.health_ring_usage", "ring fill ratio that degrades health", true, 0.0, 1.0, RV_GET(control.health_ring_usage)));
  s.push_back(double_field("control.health_drop_rate", "drop ratio that degrades health", true, 0.0, 1.0, RV_GET(control.health_drop_rate)));
  s.push_back(string_field("control.progress", "live progress line on stderr: auto (when a terminal), on, off", true, {"auto", "on", "off"}, RV_GET(control.progress)));
  s.push_back(bool_field("control.config_watch", "reload the config file when it changes (inotify on its directory); SIGHUP always reloads", false, RV_GET(control.config_watch)));
  s.push_back(uint_field("control.config_max_bytes", "largest config file read, in bytes; the file is read under the limit from the environment or --set (default 4 MiB), so a value here may lower it, not raise it", true, 1024, 268435456, RV_GET(control.config_max_bytes)));
  s.push_back(uint_field("control.health_interval_ms", "period of the health evaluation (heartbeats, rings, drops)", true, 10, 60000, RV_GET(control.health_interval_ms)));
  s.push_back(string_field("control.auth_user", "user for HTTP basic auth on the admin endpoint; empty = no auth", false, {}, RV_GET(control.auth_user)));
  s.push_back(string_field("control.auth_password_sha256", "hex SHA-256 of the admin password (printf %s pw | sha256sum)", false, {}, RV_GET(control.auth_password_sha256)));
  s.push_back(string_field("control.auth_password_bcrypt", "bcrypt hash of the admin password, instead of control.auth_password_sha256 (htpasswd -nbBC 10 user pw prints user:hash); checks are cached, so scrapes do not pay for bcrypt each time", false, {}, RV_GET(control.auth_password_bcrypt)));
  s.push_back(bool_field("control.auth_probes_open", "with auth: /health and /ready answer without credentials (load balancer probes); /metrics and /help still need them", false, RV_GET(control.auth_probes_open)));
  s.push_back(string_field("control.tls_cert_file", "admin endpoint over HTTPS only (TLS 1.2 or later): PEM certificate, its chain after it; set with control.tls_key_file; empty = plain HTTP", false, {}, RV_GET(control.tls_cert_file)));
  s.push_back(string_field("control.tls_key_file", "PEM private key of control.tls_cert_file", false, {}, RV_GET(control.tls_key_file)));
  s.push_back(string_field("control.cdr.path", "call detail records: a JSON line per call as it ends (and for calls in progress at shutdown); empty = off", false, {}, RV_GET(control.cdr.path)));
  s.push_back(uint_field("control.cdr.max_bytes", "rotate the CDR file at this size in bytes (path.1 is the newest rotated file; 0 = never rotate)", false, 0, 1099511627776.0, RV_GET(control.cdr.max_bytes)));
  s.push_back(uint_field("control.cdr.max_files", "rotated CDR files kept", false, 1, 1000, RV_GET(control.cdr.max_files)));
  s.push_back(uint_field("control.cdr.max_pending", "ended calls held until their RTP streams end (beyond: written at once, without their running streams' final numbers)", false, 16, 16777216, RV_GET(control.cdr.max_pending)));
  s.push_back(uint_field("control.cdr.stream_wait_s", "longest wait, in capture seconds, for an ended call's streams to end before its record is written", false, 0, 86400, RV_GET(control.cdr.stream_wait_s)));
  s.push_back(string_field("control.hep.address", "HEPv3 export of every SIP message, RTCP and stream quality report to Homer/heplify-server: host:port; empty = off", false, {}, RV_GET(control.hep.address)));
  s.push_back(string_field("control.hep.transport", "HEP transport", false, {"udp", "tcp"}, RV_GET(control.hep.transport)));
  s.push_back(uint_field("control.hep.node_id", "HEP capture node id (capture agent id)", false, 0, kU32, RV_GET(control.hep.node_id)));
  s.push_back(string_field("control.hep.password", "HEP auth key (empty: none)", false, {}, RV_GET(control.hep.password)));
  s.push_back(uint_field("control.hep.queue_packets", "HEP packets queued for sending at most (beyond: dropped and counted)", false, 16, 16777216, RV_GET(control.hep.queue_packets)));
  // logging
  s.push_back(string_field("logging.level", "log level", true, {"trace", "debug", "info", "warn", "error", "critical", "off"}, RV_GET(logging.level)));
  s.push_back(string_field("logging.format", "text or json lines", false, {"text", "json"}, RV_GET(logging.format)));
  s.push_back(string_field("logging.output", "stderr, stdout or a file path", false, {}, RV_GET(logging.output)));
  // deployment
  s.push_back(string_field("deployment.mode", "monolithic: every plane here, NATS untouched; probe: capture and media planes here, SIP summaries, stream reports, registrations and health to NATS JetStream; analyzer: no ports, the fleet's signaling plane, report and metrics from every probe", false, {"monolithic", "probe", "analyzer"}, RV_GET(deployment.mode)));
  s.push_back(list_field("deployment.nats_url", "NATS servers (nats:// or tls://, user:password@ allowed); several for a cluster", false, RV_GET(deployment.nats_url)));
  s.push_back(string_field("deployment.nats_credentials", "NATS credentials file (.creds: JWT and nkey seed); empty = none", false, {}, RV_GET(deployment.nats_credentials)));
  s.push_back(string_field("deployment.nats_tls_ca", "CA certificates (PEM) that sign the tls:// servers; empty = the system's", false, {}, RV_GET(deployment.nats_tls_ca)));
  s.push_back(string_field("deployment.probe_id", "this probe's name in subjects rvoip.<probe_id>.<plane>.<event> (letters, digits, '-', '_'; default: the host name)", false, {}, RV_GET(deployment.probe_id)));
  s.push_back(uint_field("deployment.batch_max", "probe: events per published batch", false, 1, 65536, RV_GET(deployment.batch_max)));
  s.push_back(uint_field("deployment.batch_ms", "probe: a partial batch is published after this many milliseconds", false, 1, 60000, RV_GET(deployment.batch_ms)));
  s.push_back(uint_field("deployment.buffer_events", "probe: events kept while NATS is unreachable; beyond, dropped and counted", false, 0, 1e9, RV_GET(deployment.buffer_events)));
  s.push_back(uint_field("deployment.probe_timeout_s", "analyzer: a probe silent this long is marked down (alert logged and counted)", false, 1, 86400, RV_GET(deployment.probe_timeout_s)));
  s.push_back(uint_field("deployment.drain_timeout_s", "probe: at the end of a run, seconds to wait for JetStream to acknowledge what is buffered (then counted as dropped)", false, 0, 86400, RV_GET(deployment.drain_timeout_s)));
  return s;
}

#undef RV_GET

}  // namespace

const std::vector<FieldSpec>& schema() {
  static const std::vector<FieldSpec> kSchema = build_schema();
  return kSchema;
}

const FieldSpec* find_field(std::string_view path) {
  for (const auto& f : schema()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const auto& f : schema()) {
    if (f.path.size() > path.size() && f.path.starts_with(path) && f.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string expected_text(const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::kBool: return "a boolean";
    case FieldKind::kUnsigned: return fmt::format("an integer in [{}, {}]", f.min, f.max);
    case FieldKind::kDouble: return fmt::format("a number in [{}, {}]", f.min, f.max);
    case FieldKind::kString:
      return f.choices.empty() ? "a string" : fmt::format("one of {}", fmt::join(f.choices, " | "));
    case FieldKind::kStringList: return "a list of strings";
  }
  return "a value";
}

}  // namespace rv::config
