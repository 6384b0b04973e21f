#pragma once
// The descriptor table of TransportCounters (dataplane/counter_desc.hpp): every field, once,
// with the Prometheus family it is exported as. Add a row with every new counter.

#include <array>
#include <span>
#include <string>

#include "dataplane/counter_desc.hpp"
#include "planes/transport/transport_counters.hpp"

namespace rv::planes::transport {

using TransportCounterDesc = dataplane::CounterDesc<TransportCounters>;

inline constexpr std::array kTransportCounterDescs = {
    dataplane::counter("rvoip_packets_received_total", "Frames taken from RX queues",
                       &TransportCounters::rx_frames),
    dataplane::counter("rvoip_packets_received_bytes_total",
                       "Bytes of the frames taken from RX queues", &TransportCounters::rx_bytes),
    dataplane::counter_array<TransportCounters>(
        "rvoip_packets_total", "Frames classified, by class",
        +[](const TransportCounters& c) { return std::span<const dataplane::Counter>(c.by_class); },
        "class",
        +[](std::size_t i) { return std::string(to_string(static_cast<PacketClass>(i))); }),
    // by_status makes two families: malformed frames, and well-formed ones nothing reads.
    dataplane::counter_array<TransportCounters>(
        "rvoip_packets_malformed_total", "Frames dropped as malformed, by reason",
        +[](const TransportCounters& c) {
          return std::span<const dataplane::Counter>(c.by_status);
        },
        "reason",
        +[](std::size_t i) {
          const auto s = static_cast<dataplane::ParseStatus>(i);
          return dataplane::is_malformed(s) ? std::string(to_string(s)) : std::string();
        }),
    dataplane::counter_array<TransportCounters>(
        "rvoip_packets_not_inspected_total", "Well-formed frames no plane reads, by reason",
        +[](const TransportCounters& c) {
          return std::span<const dataplane::Counter>(c.by_status);
        },
        "reason",
        +[](std::size_t i) {
          const auto s = static_cast<dataplane::ParseStatus>(i);
          return s == dataplane::ParseStatus::kOk || dataplane::is_malformed(s)
                     ? std::string()
                     : std::string(to_string(s));
        }),
    dataplane::labelled_counter("rvoip_packets_not_inspected_total",
                                "Well-formed frames no plane reads, by reason", "reason",
                                "fragment_copy_failed", &TransportCounters::fragment_copy_failed),
    dataplane::labelled_counter("rvoip_packets_dropped_total",
                                "Frames dropped by the appliance, by reason", "reason",
                                "oversize_frame", &TransportCounters::oversize_frames),
    dataplane::labelled_counter("rvoip_packets_dropped_total",
                                "Frames dropped by the appliance, by reason", "reason", "tx_full",
                                &TransportCounters::tx_dropped),
    dataplane::counter("rvoip_packets_forwarded_total",
                       "Frames transmitted on the paired port (forward mode)",
                       &TransportCounters::tx_frames),
    dataplane::counter("rvoip_packets_reassembled_total",
                       "IP datagrams rebuilt from fragments and inspected",
                       &TransportCounters::reassembled),
    dataplane::counter("rvoip_packets_reassembled_unparsed_total",
                       "IP datagrams rebuilt from fragments whose headers were malformed",
                       &TransportCounters::reassembled_unparsed),
    dataplane::counter_array<TransportCounters>(
        "rvoip_decapsulated_packets_total",
        "Frames opened through an encapsulation, by kind (once per layer)",
        +[](const TransportCounters& c) {
          return std::span<const dataplane::Counter>(c.decapsulated);
        },
        "encap",
        +[](std::size_t i) { return std::string(to_string(static_cast<dataplane::Encap>(i))); }),
    dataplane::counter_array<TransportCounters>(
        "rvoip_hep_packets_total",
        "Datagrams received on HEP ports (dataplane.hep_ports), by outcome (ok or why not decoded)",
        +[](const TransportCounters& c) { return std::span<const dataplane::Counter>(c.hep); },
        "result",
        +[](std::size_t i) { return std::string(to_string(static_cast<dataplane::HepStatus>(i))); }),
    dataplane::counter("rvoip_sip_tcp_continuations_total",
                       "TCP segments on SIP ports without a start line, given to SIP reassembly",
                       &TransportCounters::sip_continuations),
    dataplane::counter("rvoip_sip_websocket_segments_total",
                       "TCP segments of WebSocket connections (any port) given to SIP reassembly",
                       &TransportCounters::sip_websocket_segments),
    dataplane::counter("rvoip_sip_websocket_connections_total",
                       "HTTP upgrades to WebSocket with Sec-WebSocket-Protocol sip (any port)",
                       &TransportCounters::websocket_upgrades),
    dataplane::counter("rvoip_sip_websocket_connections_evicted_total",
                       "WebSocket connections pushed out of the full per-lcore table",
                       &TransportCounters::websocket_evicted),
    dataplane::counter("rvoip_sip_tls_connections_total",
                       "TLS connections recognised on any TCP port by their ClientHello "
                       "(not decrypted)",
                       &TransportCounters::sip_tls_connections),
    dataplane::counter("rvoip_sip_tls_server_hellos_total",
                       "TLS ServerHellos recognised on any TCP port (not decrypted)",
                       &TransportCounters::sip_tls_server_hellos),
    dataplane::counter("rvoip_replay_pace_gaps_skipped_total",
                       "Paced replay (--speed realtime): jumps in capture time longer than the "
                       "pacer waits for (far-future timestamps, long silences), not waited for",
                       &TransportCounters::pace_gaps_skipped),
};

}  // namespace rv::planes::transport
