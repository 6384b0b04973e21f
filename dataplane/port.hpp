#pragma once
// Ethernet ports: configuration, queues, mempools, start/stop, RX timestamps and statistics.
// Control-plane only; lcores use the plain `Port` description (ids, queues, link type).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "dataplane/packet.hpp"
#include "events/error.hpp"

struct rte_mempool;

namespace rv::dataplane {

struct PortRequest {
  std::string device;                     // ethdev name: "net_pcap0", "0000:03:00.0"
  LinkType link = LinkType::kEthernet;    // frames' link layer (pcap captures may differ)
  // A replayed capture: the mbufs it can ever need (one per frame plus one per 2 KiB segment
  // of a jumbo frame, and a margin), so a small capture does not populate dataplane.mbufs.
  // 0 = live traffic: dataplane.mbufs.
  uint64_t max_mbufs = 0;
};

struct Port {
  uint16_t port_id = 0;
  std::string name;
  LinkType link = LinkType::kEthernet;
  uint16_t rx_queues = 1;
  uint16_t tx_queues = 1;
  bool rss = false;          // RSS on IP/UDP spreads flows over rx_queues
  int socket = 0;            // NUMA node of the port (0 when unknown)
  rte_mempool* pool = nullptr;
  std::string driver;
};

// The RX timestamp dynamic field, when the EAL registered one (net_pcap does at start; ports
// with the timestamp offload too). Looked up after ports started.
struct RxTimestampField {
  int offset = -1;        // byte offset of the uint64_t timestamp in the mbuf, -1 when none
  uint64_t flag = 0;      // ol_flags bit meaning "this mbuf carries a timestamp"
};

// Names of every port the EAL probed (vdevs from --vdev, bound PCI devices).
std::vector<std::string> probed_port_names();

// Configures and starts each requested port with `rx_queues` queues (fewer when the PMD offers
// fewer), one TX queue per worker, RSS when useful. Errors name the port and the failed step.
Result<std::vector<Port>> start_ports(const std::vector<PortRequest>& requests,
                                      const config::DataplaneConfig& cfg, unsigned tx_queues);

// Stops and closes the ports, then frees their pools. Safe to call with a partial list.
void stop_ports(std::vector<Port>& ports) noexcept;

RxTimestampField lookup_rx_timestamp_field() noexcept;

struct PortStats {
  uint64_t ipackets = 0;
  uint64_t ibytes = 0;
  uint64_t imissed = 0;
  uint64_t ierrors = 0;
  uint64_t rx_nombuf = 0;
  uint64_t opackets = 0;
  uint64_t obytes = 0;
  uint64_t oerrors = 0;
};

PortStats read_port_stats(uint16_t port_id) noexcept;

// The PMD's extended statistics (name, value); empty when the PMD offers none. Control thread.
std::vector<std::pair<std::string, uint64_t>> read_port_xstats(uint16_t port_id);

// Link state: up, speed in Mb/s (0 when unknown). Control thread; never waits for the link.
struct LinkState {
  bool up = false;
  uint32_t speed_mbps = 0;
};
LinkState read_link_state(uint16_t port_id) noexcept;

}  // namespace rv::dataplane
