#pragma once
// PacketDispatcher: what an rx lcore does with a packet once its L2-L4 parse succeeded (after IP
// reassembly, when it was fragmented), in this order:
//   1. a UDP datagram to a HEP port (dataplane.hep_ports) is decoded as HEP: the packet it
//      carries replaces it, with the agent's capture time (undecodable: counted, dropped);
//   2. classify (SIP / RTP / RTCP / other), count the class, hand SIP/RTP/RTCP to the Handler;
//   3. a TCP segment classified "other" may still be SIP: part of a WebSocket connection for
//      SIP (any port), the HTTP upgrade starting one, or the continuation of a SIP message on a
//      SIP port. TLS hellos are counted.
// RxPoller (rx_poller.hpp) owns one per lcore; the fuzz harnesses (fuzz/) drive one without a
// NIC. Handler is the RxPoller's (see there). Single-threaded (owning lcore), noexcept and
// allocation-free after construction.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/hep.hpp"
#include "dataplane/packet.hpp"
#include "dataplane/packet_parser.hpp"
#include "planes/transport/classifier.hpp"
#include "planes/transport/http_upgrade.hpp"
#include "planes/transport/tls_hello.hpp"
#include "planes/transport/transport_counters.hpp"
#include "planes/transport/websocket_connections.hpp"

struct rte_mbuf;

namespace rv::planes::transport {

template <typename Handler>
class PacketDispatcher {
 public:
  // `classifier` must stay valid until the next set_classifier(). Allocates the WebSocket
  // connection table (`websocket_capacity`: a power of two).
  PacketDispatcher(const ClassifierConfig* classifier, Handler& handler, TransportCounters& counters,
                   std::size_t websocket_capacity = 4096)
      : classifier_(classifier), handler_(handler), counters_(counters), websockets_(websocket_capacity) {}

  // Housekeeping: a newer immutable classifier snapshot.
  void set_classifier(const ClassifierConfig* classifier) noexcept { classifier_ = classifier; }
  const ClassifierConfig& classifier() const noexcept { return *classifier_; }

  // One packet whose parse returned kOk. `m` (may be null) and `link` go to the Handler as they
  // are; `pkt`'s pointers need to be valid only during the call.
  void dispatch(const dataplane::ParsedPacket& pkt, uint64_t rx_ns, rte_mbuf* m,
                dataplane::LinkType link) noexcept {
    if (classifier_->hep.count != 0 && pkt.ip_proto == dataplane::kIpProtoUdp &&
        classifier_->hep.holds(pkt.dst_port)) {
      dataplane::ParsedPacket inner = pkt;
      if (open_hep(inner, rx_ns)) deliver(inner, rx_ns, m, link);
      return;
    }
    deliver(pkt, rx_ns, m, link);
  }

 private:
  // A UDP datagram to a HEP port: the packet it carries, with the agent's capture time.
  // False (counted by reason, class other) when it does not decode.
  bool open_hep(dataplane::ParsedPacket& pkt, uint64_t& rx_ns) noexcept {
    dataplane::HepPacket h;
    const dataplane::HepStatus st = dataplane::decode_hep({pkt.payload, pkt.payload_len}, h);
    counters_.hep[static_cast<std::size_t>(st)].add();
    if (st != dataplane::HepStatus::kOk) {
      counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
      return false;
    }
    dataplane::apply_hep(h, pkt);
    if (h.capture_ns != 0) rx_ns = h.capture_ns;
    return true;
  }

  void deliver(const dataplane::ParsedPacket& pkt, uint64_t rx_ns, rte_mbuf* m,
               dataplane::LinkType link) noexcept {
    const PacketClass c = classify(pkt, *classifier_, [this](const dataplane::ParsedPacket& p) noexcept {
      return handler_.is_learned_media(p);
    });
    counters_.by_class[static_cast<std::size_t>(c)].add();
    if (c != PacketClass::kOther) {
      handler_.on_packet(c, pkt, rx_ns, m, link);
    } else if (pkt.ip_proto == dataplane::kIpProtoTcp) {
      deliver_tcp_other(pkt, rx_ns, m, link);
    }
  }

  // A TCP segment without a SIP start line (its frame stays counted as "other"): part of a
  // WebSocket connection for SIP (any port), an HTTP upgrade starting one, or a segment on a
  // SIP port that may continue a SIP message split across segments. The signaling plane's
  // reassembler decides (HTTP on 5060 never forms a SIP message there). TLS hellos are counted.
  void deliver_tcp_other(const dataplane::ParsedPacket& pkt, uint64_t rx_ns, rte_mbuf* m,
                         dataplane::LinkType link) noexcept {
    const std::span<const uint8_t> payload(pkt.payload, pkt.payload_len);
    const auto flow = dataplane::FlowKey::from(pkt);
    if (websockets_.take(flow, pkt.tcp_flags, rx_ns)) {
      counters_.sip_websocket_segments.add();
      handler_.on_packet(PacketClass::kSip, pkt, rx_ns, m, link);
      return;
    }
    if (starts_like_http_get(payload)) {
      const auto u = parse_http_upgrade(payload);
      if (u.kind == HttpUpgrade::Kind::kRequest && u.sip) {
        counters_.websocket_upgrades.add();
        if (!websockets_.add(flow, rx_ns)) counters_.websocket_evicted.add();
        counters_.sip_websocket_segments.add();
        handler_.on_packet(PacketClass::kSip, pkt, rx_ns, m, link);
        return;
      }
    }
    if (const TlsHello h = tls_hello(payload); h != TlsHello::kNone) {
      (h == TlsHello::kClient ? counters_.sip_tls_connections : counters_.sip_tls_server_hellos).add();
    }
    if (is_sip_port_segment(pkt)) {
      counters_.sip_continuations.add();
      handler_.on_packet(PacketClass::kSip, pkt, rx_ns, m, link);
    }
  }

  bool is_sip_port_segment(const dataplane::ParsedPacket& p) const noexcept {
    return (p.payload_len != 0 || (p.tcp_flags & (dataplane::kTcpFin | dataplane::kTcpRst)) != 0) &&
           (classifier_->sip_ports.test(p.src_port) || classifier_->sip_ports.test(p.dst_port));
  }

  const ClassifierConfig* classifier_;  // dp: rw (own copy of the snapshot pointer)
  Handler& handler_;
  TransportCounters& counters_;
  WebSocketConnections websockets_;  // dp: rw (this lcore's)
};

}  // namespace rv::planes::transport
