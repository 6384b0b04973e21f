#pragma once
// RxQueue: one NIC rx queue as a worker lcore polls it — where frames come from, how they are
// stamped, whether a replay is paced, and where forward mode sends them on.

#include <cstdint>

#include "dataplane/packet.hpp"
#include "dataplane/rx_clock.hpp"
#include "planes/transport/replay_pacer.hpp"

namespace rv::planes::transport {

struct RxQueue {
  uint16_t port_id = 0;
  uint16_t queue_id = 0;
  dataplane::LinkType link = dataplane::LinkType::kEthernet;
  dataplane::RxClock clock;
  int32_t tx_port = -1;  // forward mode: the paired port; -1 = monitor (free after inspection)
  uint16_t tx_queue = 0;
  bool paced = false;  // replay at capture speed through `pacer`
  ReplayPacer pacer;
};

}  // namespace rv::planes::transport
