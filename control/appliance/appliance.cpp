#include "control/appliance/appliance.hpp"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include <unistd.h>

#include <bit>
#include <charconv>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "control/logging/dpdk_log.hpp"
#include "control/logging/logging.hpp"
#include "dataplane/core_plan.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/rx_clock.hpp"

namespace rv::control {
namespace {

uint64_t realtime_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Which ports to open, with their link types: captures become net_pcap vdevs; otherwise the
// configured ports, or every probed port.
std::vector<dataplane::PortRequest> port_requests(const config::Config& cfg, const RunPlan& plan) {
  std::vector<dataplane::PortRequest> out;
  if (!plan.captures.empty()) {
    for (std::size_t i = 0; i < plan.captures.size(); ++i) {
      const auto& c = plan.captures[i];
      out.push_back({fmt::format("net_pcap{}", i), c.link,
                     c.frames + c.bytes / RTE_MBUF_DEFAULT_DATAROOM + 2048});
    }
    return out;
  }
  std::vector<std::string> names;
  for (const auto& p : cfg.dataplane.ports) names.push_back(p.substr(0, p.find(',')));
  if (names.empty()) names = dataplane::probed_port_names();
  for (const auto& n : names) out.push_back({n, dataplane::LinkType::kEthernet});
  return out;
}

// The EAL lcore set from the hwloc core plan. An explicit worker count larger than the machine
// can hold without sharing (tests of multi-shard runs on a 2-CPU box) maps workers onto shared
// CPUs instead, with a warning.
Result<std::string> plan_lcores(const config::DataplaneConfig& cfg) {
  auto topo = dataplane::Topology::load_system();
  if (!topo) return std::unexpected(std::move(topo.error()).with_context("reading the CPU topology"));
  auto plan = dataplane::plan_cores(*topo, {cfg.lcores, cfg.workers, {}});
  if (plan) {
    for (const auto& w : plan->warnings) spdlog::warn("core plan: {}", w);
    return dataplane::eal_lcores_value(*plan);
  }
  if (cfg.workers == 0 || cfg.lcores != "auto") {
    return std::unexpected(std::move(plan.error()).with_context("planning cores"));
  }
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  spdlog::warn("core plan: {} workers do not fit on {} CPUs without sharing ({}); workers share "
               "CPUs", cfg.workers, cpus, plan.error().message());
  return dataplane::default_lcores(cfg.workers, cpus);
}

// The admin (metrics) port, 0 when the admin server is off: it tells instances on a host apart.
uint16_t admin_port(const config::ControlConfig& c) {
  if (!c.metrics_enabled) return 0;
  const auto colon = c.metrics_listen.rfind(':');
  if (colon == std::string::npos) return 0;
  unsigned port = 0;
  const auto* first = c.metrics_listen.data() + colon + 1;
  const auto* last = c.metrics_listen.data() + c.metrics_listen.size();
  const auto [p, ec] = std::from_chars(first, last, port);
  return ec == std::errc{} && p == last && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

Result<dataplane::EalPlan> eal_plan(const config::Config& cfg, const RunPlan& plan) {
  dataplane::EalPlan e;
  for (std::size_t i = 0; i < plan.captures.size(); ++i) {
    e.vdevs.push_back(fmt::format("net_pcap{},rx_pcap={}", i, plan.captures[i].path));
  }
  if (plan.captures.empty()) {
    for (const auto& p : cfg.dataplane.ports) {
      if (p.starts_with("net_")) {
        e.vdevs.push_back(p);
      } else {
        e.pci_allow.push_back(p);
      }
    }
  }
  auto lcores = plan_lcores(cfg.dataplane);
  if (!lcores) return std::unexpected(lcores.error());
  e.lcores = *lcores;
  e.user_args = plan.eal_args;
  e.file_prefix = dataplane::instance_file_prefix(cfg.dataplane.file_prefix,
                                                  admin_port(cfg.control), static_cast<int>(getpid()));
  return e;
}

// Where this instance's DPDK state lives, so an operator running several on one host finds each.
void log_eal_instance(const std::vector<std::string>& args) {
  const std::string prefix = dataplane::file_prefix_of(args);
  const std::string socket = dataplane::telemetry_socket_path(args);
  component_logger("eal")->info(
      "EAL file prefix '{}', runtime dir {}, telemetry socket {}{}", prefix,
      rte_eal_get_runtime_dir(), socket.empty() ? "none (--no-telemetry)" : socket,
      socket.empty() ? "" : fmt::format(" (dpdk-telemetry.py -f {})", prefix));
}

}  // namespace

Result<std::unique_ptr<Appliance>> Appliance::create(const config::Config& cfg,
                                                     const RunPlan& plan) {
  std::unique_ptr<Appliance> a(new Appliance());
  a->replay_ = !plan.captures.empty();
  auto ep = eal_plan(cfg, plan);
  if (!ep) return std::unexpected(ep.error());
  const auto args = dataplane::build_eal_args(cfg.dataplane, *ep);
  if (!route_dpdk_log_to_spdlog()) spdlog::warn("DPDK log lines go to stderr: no log stream");
  if (auto r = dataplane::init_eal(args); !r) return std::unexpected(r.error());
  log_eal_instance(args);
  a->eal_ready_ = true;
  if (rte_lcore_count() < 2) {
    return make_error(ErrorCode::kInvalidArgument,
                      "need at least 2 lcores (main + one worker); give -l 0-1 or --lcores after --");
  }
  const auto requests = port_requests(cfg, plan);
  a->analyzer_ = cfg.deployment.mode == "analyzer";
  if (requests.empty() && !a->analyzer_) {  // an analyzer has no ports: its input is NATS
    return make_error(ErrorCode::kNotFound,
                      "no ports: configure dataplane.ports, give --pcap, or pass a device to the "
                      "EAL (e.g. rvoipd -- --vdev=net_null0)");
  }
  auto ports = dataplane::start_ports(a->analyzer_ ? decltype(requests){} : requests, cfg.dataplane,
                                     rte_lcore_count() - 1);
  if (!ports) return std::unexpected(std::move(ports.error()).with_context("starting ports"));
  a->ports_ = std::move(*ports);
  if (auto r = a->build_shards(cfg); !r) return std::unexpected(r.error());
  return a;
}

Result<void> Appliance::build_shards(const config::Config& cfg) {
  const auto ts_field = dataplane::lookup_rx_timestamp_field();
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t tsc0 = rte_rdtsc();
  const uint64_t rt0 = realtime_ns();
  std::vector<unsigned> workers;
  unsigned lcore = 0;
  RTE_LCORE_FOREACH_WORKER(lcore) workers.push_back(lcore);
  std::vector<std::vector<planes::transport::RxQueue>> queues(workers.size());
  // Queues spread round-robin over the workers; forward mode pairs ports 0<->1, 2<->3, ...
  std::size_t next = 0;
  for (std::size_t pi = 0; pi < ports_.size(); ++pi) {
    const auto& p = ports_[pi];
    const uint64_t unit = p.driver == "net_pcap" ? dataplane::kPcapNsPerUnit : 1;
    for (uint16_t q = 0; q < p.rx_queues; ++q) {
      planes::transport::RxQueue rq;
      rq.port_id = p.port_id;
      rq.queue_id = q;
      rq.link = p.link;
      rq.clock = dataplane::RxClock(ts_field, unit, hz, tsc0, rt0);
      rq.paced = replay_ && cfg.dataplane.replay_speed == "realtime";
      const std::size_t w = next++ % workers.size();
      if (cfg.dataplane.mode == "forward") {
        const std::size_t peer = pi ^ 1;
        if (peer >= ports_.size()) {
          return make_error(ErrorCode::kConfig,
                            fmt::format("dataplane.mode forward needs ports in pairs; port {} "
                                        "has no partner", p.name));
        }
        rq.tx_port = ports_[peer].port_id;
        rq.tx_queue = static_cast<uint16_t>(w % ports_[peer].tx_queues);
      }
      queues[w].push_back(rq);
    }
  }
  auto slot = planes::transport::ClassifierSlot::create(
      planes::transport::ClassifierConfig::from(cfg.dataplane), static_cast<unsigned>(workers.size()));
  if (!slot) return std::unexpected(slot.error());
  classifier_ = std::move(*slot);
  for (std::size_t w = 0; w < workers.size(); ++w) {
    std::unique_ptr<dataplane::Reassembler> reasm;
    if (cfg.dataplane.reassembly_max_datagrams != 0) {
      dataplane::ReassemblyConfig rc;
      rc.max_entries = cfg.dataplane.reassembly_max_datagrams;
      rc.buckets = std::max<uint32_t>(1, std::bit_ceil(rc.max_entries) / rc.bucket_entries);
      rc.timeout_ms = cfg.dataplane.reassembly_timeout_ms;
      auto r = dataplane::Reassembler::create(rc);
      if (!r) return std::unexpected(std::move(r.error()).with_context("creating the IP reassembly table"));
      reasm = std::move(*r);
    }
    shards_.push_back(std::make_unique<planes::Shard>(
        workers[w], static_cast<unsigned>(w), static_cast<unsigned>(workers.size()),
        std::move(queues[w]), cfg, classifier_.get(), std::move(reasm)));
  }
  return build_router(cfg);
}

Result<void> Appliance::build_router(const config::Config& cfg) {
  std::vector<uint32_t> lcores;
  for (const auto& s : shards_) lcores.push_back(s->loop().lcore_id());
  // An analyzer is lossless too: what probes sent waits for room, never dropped here.
  auto router = planes::routing::PlaneRouter::create(cfg.events, lcores, replay_ || analyzer_);
  if (!router) return std::unexpected(router.error());
  router_ = std::move(*router);
  for (const auto& s : shards_) handlers_.push_back(&s->handler());
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    planes::ShardHandler* h = handlers_[i];
    auto f = router_->attach_shard(static_cast<uint32_t>(i), [h](const auto& e) { h->learn_endpoint(e); },
                                   analyzer_);
    if (!f) return std::unexpected(f.error());
    h->attach_fabric(std::move(*f), handlers_, replay_ && shards_.size() > 1);
  }
  return {};
}

Result<void> Appliance::start() {
  if (auto r = router_->start(); !r) return std::unexpected(r.error());
  std::vector<dataplane::LcoreLoop*> loops;
  for (auto& s : shards_) loops.push_back(&s->loop());
  return lcores_.launch(loops);
}

void Appliance::request_stop() noexcept {
  if (router_) router_->set_lossless(true);
  lcores_.request_stop();
}

void Appliance::stop_fabric() noexcept {
  if (router_) (void)router_->shutdown();
}

void Appliance::wait() noexcept { lcores_.wait(); }

Appliance::~Appliance() {
  request_stop();
  wait();
  stop_fabric();
  shards_.clear();
  router_.reset();
  if (eal_ready_) {
    dataplane::stop_ports(ports_);
    dataplane::cleanup_eal();
  }
}

TrafficTotals Appliance::totals() const noexcept {
  TrafficTotals t;
  for (const auto& s : shards_) {
    const auto& c = s->transport_counters();
    t.rx_frames += c.rx_frames.load();
    t.rx_bytes += c.rx_bytes.load();
    for (std::size_t i = 0; i < t.by_class.size(); ++i) t.by_class[i] += c.by_class[i].load();
    for (std::size_t i = 0; i < t.by_status.size(); ++i) t.by_status[i] += c.by_status[i].load();
    t.oversize_frames += c.oversize_frames.load();
    t.tx_frames += c.tx_frames.load();
    t.tx_dropped += c.tx_dropped.load();
    t.reassembled += c.reassembled.load();
    for (std::size_t i = 0; i < t.decapsulated.size(); ++i) {
      t.decapsulated[i] += c.decapsulated[i].load();
    }
    for (std::size_t i = 0; i < t.hep.size(); ++i) t.hep[i] += c.hep[i].load();
    t.pace_gaps_skipped += c.pace_gaps_skipped.load();
    t.sip_tls_connections += c.sip_tls_connections.load();
    t.sip_tls_server_hellos += c.sip_tls_server_hellos.load();
    t.websocket_upgrades += c.websocket_upgrades.load();
    if (const auto* r = s->reassembler()) {
      for (std::size_t i = 0; i < t.reassembly.size(); ++i) {
        t.reassembly[i] += r->counter(static_cast<dataplane::ReassemblyCounter>(i));
      }
    }
  }
  return t;
}

void Appliance::publish_classifier(const config::DataplaneConfig& cfg) {
  const auto waiting = classifier_->publish(planes::transport::ClassifierConfig::from(cfg));
  spdlog::debug("classifier snapshot {} published; {} retired snapshot(s) still read by an lcore",
                classifier_->generation(), waiting);
}

uint64_t Appliance::frames_waiting() const noexcept {
  uint64_t read = 0;
  for (const auto& p : ports_) read += dataplane::read_port_stats(p.port_id).ipackets;
  const uint64_t inspected = totals().rx_frames;
  return read > inspected ? read - inspected : 0;
}

std::vector<LcoreLoad> Appliance::lcore_loads() const {
  std::vector<LcoreLoad> out;
  for (const auto& s : shards_) {
    const auto& st = s->loop().stats();
    out.push_back({s->loop().lcore_id(), st.busy_cycles.load(), st.idle_cycles.load(),
                   st.heartbeat_tsc.load()});
  }
  return out;
}

}  // namespace rv::control
