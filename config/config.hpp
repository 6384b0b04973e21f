#pragma once
// The appliance configuration: plain structs with defaults (DESIGN.md §7). No YAML here: the
// schema (config/schema.hpp) describes every key, the loader (config/loader.hpp) fills them.
// Defaults are the values a fresh `rvoipd` runs with; `rvoipd --print-default-config` prints them.

#include <cstdint>
#include <string>
#include <vector>

namespace rv::config {

// The host name up to its first dot, with characters a NATS subject token cannot hold replaced
// by '-' ("probe" when the host has no name).
std::string default_probe_id();

struct DataplaneConfig {
  std::string mode = "monitor";         // monitor | forward
  std::string lcores = "auto";          // "auto" or a list ("1,2", "2-5")
  uint32_t workers = 0;                 // worker lcores (shards); 0 = one per free physical core
  std::vector<std::string> ports;       // PCI addresses or vdev strings; empty = every probed port
  std::vector<std::string> eal_args;    // extra EAL arguments
  std::string replay_speed = "max";     // max | realtime (replay at the capture's pace)
  bool hugepages = false;               // false: --no-huge --no-shconf (tests, laptops)
  uint32_t memory_mb = 512;             // EAL memory when hugepages are off
  std::string file_prefix;              // EAL --file-prefix; empty = rvoipd-<admin port> (or -<pid>)
  uint32_t rx_queues = 1;               // per port; RSS on IP/UDP when > 1
  uint32_t rx_descriptors = 1024;
  uint32_t tx_descriptors = 1024;
  uint32_t mbufs = 16383;               // per port pool (2^n - 1 is optimal)
  uint32_t mbuf_cache = 256;
  uint32_t burst_size = 32;
  uint32_t housekeeping_interval = 1024;  // lcore loop iterations between housekeeping ticks
  std::vector<std::string> sip_ports = {"5060", "5061"};  // fast path; SIP is detected on any port
  uint32_t rtp_port_min = 0;            // configured RTP range (0 = none)
  uint32_t rtp_port_max = 0;
  bool rtp_heuristic = true;            // strict RTP/RTCP header heuristic for unknown flows
  uint32_t reassembly_max_datagrams = 4096;  // IP datagrams being reassembled at once per lcore
  uint32_t reassembly_timeout_ms = 2000;     // an incomplete datagram is dropped after this
  uint32_t decap_max_depth = 4;              // tunnel layers opened (0 = no decapsulation)
  std::vector<std::string> decap_vxlan_ports = {"4789"};   // UDP destination ports of VXLAN
  std::vector<std::string> decap_geneve_ports = {"6081"};  // UDP destination ports of Geneve
  std::vector<std::string> decap_gre_keys;   // empty: any GRE key; else only these are opened
  std::vector<std::string> hep_ports;        // UDP ports whose datagrams are decoded as HEP
};

struct EventsConfig {
  std::string implementation = "static";  // static | zerocopy
  uint32_t channel_capacity = 4096;       // per ring, power of two
  bool enable_priority = true;
  uint32_t batch_size = 32;
  uint32_t shard_count = 0;               // 0 = one shard per worker lcore
  bool enable_metrics = true;
  uint32_t latency_sample_every = 64;     // TSC-stamp 1 in N events
};

struct SignalingConfig {
  uint32_t max_calls = 131072;
  uint32_t max_tcp_streams = 8192;
  uint32_t tcp_buffer_bytes = 16384;
  uint32_t setup_timeout_s = 180;      // INVITE without a final answer
  uint32_t call_timeout_s = 14400;     // answered call without BYE
  uint32_t linger_s = 32;              // ended calls kept for retransmissions
};

struct MediaConfig {
  uint32_t max_streams = 262144;
  uint32_t media_timeout_s = 30;
  uint32_t interval_s = 10;  // media.stream_interval period (capture time); 0 = none
  uint32_t gap_ms = 300;     // an RTP inter-arrival delta this long is a media gap; 0 = none
};

struct PlanesConfig {
  SignalingConfig signaling;
  MediaConfig media;
  // "name=match" entries (config/peers.hpp): calls and streams of a peer get peer="name" in the
  // per-peer metrics; the rest peer="other".
  std::vector<std::string> peers;
};

// Call detail records: one JSON line per call as it ends (control/outputs/cdr_writer.hpp).
struct CdrConfig {
  std::string path;                    // empty = no CDR
  uint64_t max_bytes = 100u << 20;     // rotate when the file reaches this size (0 = never)
  uint32_t max_files = 10;             // rotated files kept (path.1 ... path.N)
  uint32_t max_pending = 65536;        // ended calls held until their streams end
  uint32_t stream_wait_s = 35;         // longest wait for a call's streams (capture time)
};

// HEPv3 export to Homer / heplify-server (control/outputs/hep_exporter.hpp).
struct HepConfig {
  std::string address;                 // host:port; empty = no export
  std::string transport = "udp";       // udp | tcp
  uint32_t node_id = 2001;             // HEP capture agent id
  std::string password;                // HEP auth key chunk (empty: none)
  uint32_t queue_packets = 65536;      // send queue bound (drops counted beyond)
};

struct ControlConfig {
  bool metrics_enabled = true;
  std::string metrics_listen = "127.0.0.1:9464";
  uint32_t shutdown_timeout_ms = 1500;
  uint32_t heartbeat_timeout_ms = 1000;
  double health_ring_usage = 0.8;
  double health_drop_rate = 0.05;
  std::string progress = "auto";  // auto | on | off (live progress line on stderr)
  bool config_watch = true;               // reload when the config file changes (inotify)
  uint64_t config_max_bytes = 4u << 20;   // larger config files are refused unread
  uint32_t health_interval_ms = 250;      // health evaluation period
  std::string auth_user;                  // admin HTTP basic auth; empty = no auth
  std::string auth_password_sha256;       // hex SHA-256 of the password
  std::string auth_password_bcrypt;       // or its bcrypt hash ($2y$ / $2b$), one of the two
  bool auth_probes_open = false;          // /health and /ready without auth (load balancers)
  std::string tls_cert_file;              // admin endpoint HTTPS: PEM certificate (chain)
  std::string tls_key_file;               // and its PEM private key; both empty = plain HTTP
  CdrConfig cdr;
  HepConfig hep;
};

struct LoggingConfig {
  std::string level = "info";      // trace | debug | info | warn | error | critical | off
  std::string format = "text";     // text | json
  std::string output = "stderr";   // stderr | stdout | a file path
};

// Federation (DESIGN.md §5 deployment): one binary, the mode chooses which planes run here.
struct DeploymentConfig {
  std::string mode = "monolithic";  // monolithic | probe | analyzer
  std::vector<std::string> nats_url = {"nats://127.0.0.1:4222"};  // several: a cluster
  std::string nats_credentials;     // .creds file (JWT + nkey seed); empty = none
  std::string nats_tls_ca;          // CA bundle (PEM) for tls:// servers; empty = system default
  std::string probe_id = default_probe_id();  // subject token rvoip.<probe_id>.<plane>.<event>
  uint32_t batch_max = 512;         // events per published batch
  uint32_t batch_ms = 20;           // a partial batch leaves after this
  uint32_t buffer_events = 1048576; // events kept while NATS is unreachable, then dropped (counted)
  uint32_t probe_timeout_s = 15;    // analyzer: a probe silent this long is marked down
  uint32_t drain_timeout_s = 30;    // probe: at the end, wait this long for JetStream's acks
};

struct Config {
  DataplaneConfig dataplane;
  EventsConfig events;
  PlanesConfig planes;
  ControlConfig control;
  LoggingConfig logging;
  DeploymentConfig deployment;
};

}  // namespace rv::config
