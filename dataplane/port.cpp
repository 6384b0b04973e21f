#include "dataplane/port.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <algorithm>

#include <fmt/format.h>

namespace rv::dataplane {
namespace {

Result<void> dpdk_check(int rc, const std::string& port, const char* step) {
  if (rc < 0) {
    return make_error(ErrorCode::kDpdk,
                      fmt::format("port {}: {} failed: {}", port, step, rte_strerror(-rc)));
  }
  return {};
}

Result<Port> start_port(const PortRequest& req, const config::DataplaneConfig& cfg,
                        unsigned tx_queues) {
  Port p;
  p.name = req.device;
  p.link = req.link;
  if (rte_eth_dev_get_port_by_name(req.device.c_str(), &p.port_id) != 0) {
    return make_error(ErrorCode::kNotFound,
                      fmt::format("port {} was not probed by the EAL (for a PCI port bind it to "
                                  "vfio-pci; for a vdev check the --vdev string)", req.device));
  }
  rte_eth_dev_info info{};
  if (auto r = dpdk_check(rte_eth_dev_info_get(p.port_id, &info), p.name, "dev_info_get"); !r) {
    return std::unexpected(r.error());
  }
  p.driver = info.driver_name ? info.driver_name : "";
  p.socket = std::max(0, rte_eth_dev_socket_id(p.port_id));
  p.rx_queues = static_cast<uint16_t>(std::clamp<unsigned>(cfg.rx_queues, 1, info.max_rx_queues));
  p.tx_queues = static_cast<uint16_t>(std::clamp<unsigned>(tx_queues, 1, info.max_tx_queues));

  rte_eth_conf conf{};
  const uint64_t rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  if (p.rx_queues > 1 && rss_hf != 0) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
    p.rss = true;
  } else {
    p.rx_queues = 1;  // no RSS: one queue, software steering spreads the work
  }
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
  }
  if (auto r = dpdk_check(rte_eth_dev_configure(p.port_id, p.rx_queues, p.tx_queues, &conf),
                          p.name, "configure");
      !r) {
    return std::unexpected(r.error());
  }
  const std::string pool_name = fmt::format("rv_pool_p{}", p.port_id);
  const uint32_t mbufs = req.max_mbufs != 0 ? static_cast<uint32_t>(std::min<uint64_t>(cfg.mbufs, req.max_mbufs))
                                            : cfg.mbufs;
  // A per-lcore cache may hold up to 1.5x its size: keep it well below a small pool.
  const uint32_t cache = std::min<uint32_t>(cfg.mbuf_cache, mbufs / 8);
  p.pool = rte_pktmbuf_pool_create(pool_name.c_str(), mbufs, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   p.socket);
  if (p.pool == nullptr) {
    return make_error(ErrorCode::kResourceExhausted,
                      fmt::format("port {}: cannot create a pool of {} mbufs: {} (lower "
                                  "dataplane.mbufs or raise dataplane.memory_mb)",
                                  p.name, mbufs, rte_strerror(rte_errno)));
  }
  uint16_t nb_rxd = static_cast<uint16_t>(cfg.rx_descriptors);
  uint16_t nb_txd = static_cast<uint16_t>(cfg.tx_descriptors);
  rte_eth_dev_adjust_nb_rx_tx_desc(p.port_id, &nb_rxd, &nb_txd);
  for (uint16_t q = 0; q < p.rx_queues; ++q) {
    if (auto r = dpdk_check(rte_eth_rx_queue_setup(p.port_id, q, nb_rxd, p.socket, nullptr, p.pool),
                            p.name, "rx_queue_setup");
        !r) {
      rte_mempool_free(p.pool);
      return std::unexpected(r.error());
    }
  }
  for (uint16_t q = 0; q < p.tx_queues; ++q) {
    if (auto r = dpdk_check(rte_eth_tx_queue_setup(p.port_id, q, nb_txd, p.socket, nullptr),
                            p.name, "tx_queue_setup");
        !r) {
      rte_mempool_free(p.pool);
      return std::unexpected(r.error());
    }
  }
  if (auto r = dpdk_check(rte_eth_dev_start(p.port_id), p.name, "start"); !r) {
    rte_mempool_free(p.pool);
    return std::unexpected(r.error());
  }
  rte_eth_promiscuous_enable(p.port_id);  // a tap sees every frame; not all PMDs support it
  rte_eth_stats_reset(p.port_id);
  return p;
}

}  // namespace

std::vector<std::string> probed_port_names() {
  std::vector<std::string> names;
  uint16_t id = 0;
  RTE_ETH_FOREACH_DEV(id) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    if (rte_eth_dev_get_name_by_port(id, name) == 0) names.emplace_back(name);
  }
  return names;
}

Result<std::vector<Port>> start_ports(const std::vector<PortRequest>& requests,
                                      const config::DataplaneConfig& cfg, unsigned tx_queues) {
  std::vector<Port> ports;
  for (const auto& req : requests) {
    auto p = start_port(req, cfg, tx_queues);
    if (!p) {
      stop_ports(ports);
      return std::unexpected(p.error());
    }
    ports.push_back(*p);
  }
  return ports;
}

void stop_ports(std::vector<Port>& ports) noexcept {
  for (auto& p : ports) {
    rte_eth_dev_stop(p.port_id);
    rte_eth_dev_close(p.port_id);
    if (p.pool != nullptr) rte_mempool_free(p.pool);
    p.pool = nullptr;
  }
  ports.clear();
}

RxTimestampField lookup_rx_timestamp_field() noexcept {
  RxTimestampField f;
  f.offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
  const int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
  if (f.offset < 0 || bit < 0) return RxTimestampField{};
  f.flag = uint64_t{1} << bit;
  return f;
}

PortStats read_port_stats(uint16_t port_id) noexcept {
  rte_eth_stats s{};
  PortStats out;
  if (rte_eth_stats_get(port_id, &s) != 0) return out;
  out.ipackets = s.ipackets;
  out.ibytes = s.ibytes;
  out.imissed = s.imissed;
  out.ierrors = s.ierrors;
  out.rx_nombuf = s.rx_nombuf;
  out.opackets = s.opackets;
  out.obytes = s.obytes;
  out.oerrors = s.oerrors;
  return out;
}

}  // namespace rv::dataplane

namespace rv::dataplane {

std::vector<std::pair<std::string, uint64_t>> read_port_xstats(uint16_t port_id) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const int n = rte_eth_xstats_get_names(port_id, nullptr, 0);
  if (n <= 0) return out;
  std::vector<rte_eth_xstat_name> names(static_cast<std::size_t>(n));
  std::vector<rte_eth_xstat> values(static_cast<std::size_t>(n));
  if (rte_eth_xstats_get_names(port_id, names.data(), n) != n) return out;
  const int got = rte_eth_xstats_get(port_id, values.data(), n);
  if (got != n) return out;
  for (const auto& v : values) {
    if (v.id < names.size()) out.emplace_back(names[v.id].name, v.value);
  }
  return out;
}

LinkState read_link_state(uint16_t port_id) noexcept {
  rte_eth_link link{};
  if (rte_eth_link_get_nowait(port_id, &link) != 0) return {};
  return {link.link_status == RTE_ETH_LINK_UP,
          link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0u : link.link_speed};
}

}  // namespace rv::dataplane
