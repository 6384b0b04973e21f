#include "control/metrics/appliance_metrics.hpp"

#include <rte_version.h>

#include "control/metrics/fabric_metrics.hpp"
#include "control/metrics/plane_metrics.hpp"
#include "dataplane/port.hpp"
#include "rv_build_config.hpp"

namespace rv::control {
namespace {

// TransportCounters are exported from their descriptor table (plane_metrics.cpp).
void collect_packets(MetricsWriter& w, const Appliance& app) {
  const TrafficTotals t = app.totals();
  for (std::size_t i = 0; i < t.reassembly.size(); ++i) {
    w.counter("rvoip_ip_reassembly_total", "IP fragment reassembly outcomes, by event",
              {{"event", std::string(dataplane::to_string(static_cast<dataplane::ReassemblyCounter>(i)))}},
              double(t.reassembly[i]));
  }
}

void collect_ports(MetricsWriter& w, const Appliance& app) {
  for (const auto& p : app.ports()) {
    const auto s = dataplane::read_port_stats(p.port_id);
    const Labels l = {{"port", p.name}};
    w.counter("rvoip_port_rx_packets_total", "Packets received by the port", l, double(s.ipackets));
    w.counter("rvoip_port_rx_bytes_total", "Bytes received by the port", l, double(s.ibytes));
    w.counter("rvoip_port_rx_missed_total", "Packets the port dropped because RX queues were full", l, double(s.imissed));
    w.counter("rvoip_port_rx_errors_total", "Erroneous packets received", l, double(s.ierrors));
    w.counter("rvoip_port_rx_nombuf_total", "RX mbuf allocation failures", l, double(s.rx_nombuf));
    w.counter("rvoip_port_tx_packets_total", "Packets transmitted by the port", l, double(s.opackets));
    w.counter("rvoip_port_tx_errors_total", "Packets the port failed to transmit", l, double(s.oerrors));
    const auto link = dataplane::read_link_state(p.port_id);
    w.gauge("rvoip_port_link_up", "1 when the port's link is up", l, link.up ? 1 : 0);
    w.gauge("rvoip_port_link_speed_bytes_per_second", "Negotiated link speed", l, double(link.speed_mbps) * 1e6 / 8);
    for (const auto& [name, value] : dataplane::read_port_xstats(p.port_id)) {
      w.gauge("rvoip_port_xstat", "The PMD's extended statistics (rte_eth_xstats), by name", {{"port", p.name}, {"name", name}}, double(value));
    }
  }
}

void collect_lcores(MetricsWriter& w, const Appliance& app) {
  for (const auto& l : app.lcore_loads()) {
    const uint64_t total = l.busy_cycles + l.idle_cycles;
    w.gauge("rvoip_lcore_busy_ratio", "Share of loop cycles that did work", {{"lcore", std::to_string(l.lcore_id)}}, total ? double(l.busy_cycles) / double(total) : 0.0);
  }
}

}  // namespace

void register_appliance_metrics(MetricsRegistry& registry, const Appliance& app) {
  registry.add([](MetricsWriter& w) {
    w.gauge("rvoip_build_info", "Build information", {{"version", RV_VERSION}, {"dpdk", rte_version()}}, 1);
  });
  registry.add([&app](MetricsWriter& w) { collect_packets(w, app); });
  registry.add([&app](MetricsWriter& w) { collect_ports(w, app); });
  registry.add([&app](MetricsWriter& w) { collect_lcores(w, app); });
  register_plane_metrics(registry, app);
  register_fabric_metrics(registry, app);
}

}  // namespace rv::control
