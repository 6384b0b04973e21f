#pragma once
// The last step of a burst, once every frame was inspected: monitor mode frees the burst;
// forward mode transmits it on the paired port and frees (and counts) what the port did not
// take. Only monitor mode hands fragments to the reassembler (their entries are null then, and
// rte_pktmbuf_free_bulk skips them); forward mode reassembles copies and sends the originals.

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "planes/transport/rx_queue.hpp"
#include "planes/transport/transport_counters.hpp"

namespace rv::planes::transport {

inline void finish_burst(const RxQueue& q, rte_mbuf** bufs, uint16_t n,
                         TransportCounters& counters) noexcept {
  if (q.tx_port < 0) {
    rte_pktmbuf_free_bulk(bufs, n);
    return;
  }
  const uint16_t sent = rte_eth_tx_burst(static_cast<uint16_t>(q.tx_port), q.tx_queue, bufs, n);
  counters.tx_frames.add(sent);
  if (sent < n) {
    counters.tx_dropped.add(n - sent);
    rte_pktmbuf_free_bulk(bufs + sent, n - sent);
  }
}

}  // namespace rv::planes::transport
