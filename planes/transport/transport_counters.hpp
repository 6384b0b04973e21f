#pragma once
// Per-lcore transport counters: written by one lcore, summed by the control plane on scrape.

#include <array>

#include "dataplane/counter.hpp"
#include "dataplane/decap.hpp"
#include "dataplane/hep.hpp"
#include "dataplane/parse_status.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes::transport {

struct alignas(64) TransportCounters {
  dataplane::Counter rx_frames;  // dp: wo, cp: ro — every frame taken from a queue
  dataplane::Counter rx_bytes;   // dp: wo, cp: ro
  std::array<dataplane::Counter, kPacketClassCount> by_class;               // dp: wo, cp: ro
  std::array<dataplane::Counter, dataplane::kParseStatusCount> by_status;  // dp: wo, cp: ro
  dataplane::Counter oversize_frames;  // dp: wo, cp: ro — multi-segment frames above the scratch size
  dataplane::Counter tx_frames;        // dp: wo, cp: ro — forwarded (forward mode)
  dataplane::Counter tx_dropped;       // dp: wo, cp: ro — forward: TX queue full
  dataplane::Counter reassembled;      // dp: wo, cp: ro — datagrams rebuilt from fragments
  dataplane::Counter reassembled_unparsed;  // dp: wo, cp: ro — rebuilt but L4 malformed
  dataplane::Counter sip_continuations;     // dp: wo, cp: ro — TCP segments on SIP ports
                                             // without a start line, given to SIP reassembly
  dataplane::Counter fragment_copy_failed;  // dp: wo, cp: ro — forward: no mbuf to copy into
  // Frames (or reassembled datagrams) carried in each kind of encapsulation: a frame counts once
  // per layer it was in, so VXLAN in GRE counts gre and vxlan.
  std::array<dataplane::Counter, dataplane::kEncapCount> decapsulated;  // dp: wo, cp: ro
  // Datagrams to a HEP port (dataplane.hep_ports), by decode outcome: ok, or why not.
  std::array<dataplane::Counter, dataplane::kHepStatusCount> hep;  // dp: wo, cp: ro
  dataplane::Counter sip_websocket_segments;  // dp: wo, cp: ro — TCP segments of WebSocket
                                              // connections (any port) given to SIP reassembly
  dataplane::Counter websocket_upgrades;      // dp: wo, cp: ro — HTTP upgrades to WebSocket for
                                              // SIP seen on any port (connections remembered)
  dataplane::Counter websocket_evicted;       // dp: wo, cp: ro — remembered connections pushed
                                              // out of the full per-lcore table
  dataplane::Counter sip_tls_connections;     // dp: wo, cp: ro — TLS ClientHellos (any port)
  dataplane::Counter sip_tls_server_hellos;   // dp: wo, cp: ro — TLS ServerHellos (any port)
  dataplane::Counter pace_gaps_skipped;     // dp: wo, cp: ro — paced replay: capture-time jumps
                                             // beyond ReplayPacer::kMaxGapNs not waited for
};

}  // namespace rv::planes::transport
