#pragma once
// RxPoller: the first step of a worker lcore loop, per rx queue:
//   1. rx_burst (or the frames a paced replay held back), then ReplayPacer::due when paced
//      (replay_pacer.hpp);
//   2. per frame: RX time, L2-L4 parse, IP reassembly, then PacketDispatcher
//      (packet_dispatcher.hpp): HEP, classify, count, hand the packet to the planes (Handler,
//      chosen at compile time);
//   3. finish_burst (forward_tx.hpp): free the burst (monitor) or send it on (forward).
//
// Handler must provide:
//   bool is_learned_media(const dataplane::ParsedPacket&) noexcept;  // SDP-learned endpoint?
//   void on_packet(PacketClass, const dataplane::ParsedPacket&, uint64_t rx_ns, rte_mbuf*,
//                  dataplane::LinkType) noexcept;
//   void on_burst_end() noexcept;  // after every packet of a burst was handed over
// The ParsedPacket's pointers are valid only during the call; a handler that keeps the mbuf
// (steering it to another shard) takes a reference of its own.

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <span>
#include <vector>

#include "dataplane/packet_parser.hpp"
#include "dataplane/poller.hpp"
#include "dataplane/reassembly.hpp"
#include "planes/transport/classifier.hpp"
#include "planes/transport/forward_tx.hpp"
#include "planes/transport/packet_dispatcher.hpp"
#include "planes/transport/rx_queue.hpp"
#include "planes/transport/transport_counters.hpp"

namespace rv::planes::transport {

// Multi-segment frames (jumbo frames, reassembled datagrams) are copied here to be parsed.
inline constexpr std::size_t kScratchBytes = dataplane::kMaxReassembledFrame;

template <typename Handler>
class RxPoller final : public dataplane::Poller {
 public:
  // `classifier` points at the current immutable classifier snapshot (cp: wo, dp: ro); the
  // lcore re-reads it at each housekeeping tick through refresh(). `reassembler` (owned by the
  // caller, one per lcore) reassembles IP fragments; null counts them as not inspected.
  RxPoller(std::vector<RxQueue> queues, uint16_t burst,
           const std::atomic<const ClassifierConfig*>* classifier, Handler& handler,
           TransportCounters& counters, dataplane::Reassembler* reassembler = nullptr)
      : reassembler_(reassembler),
        queues_(std::move(queues)),
        burst_(burst > kMaxBurst ? kMaxBurst : burst),
        classifier_slot_(classifier),
        handler_(handler),
        counters_(counters),
        dispatcher_(classifier->load(std::memory_order_acquire), handler, counters) {}

  ~RxPoller() override {
    for (auto& q : queues_) q.pacer.drop_pending();
  }
  RxPoller(const RxPoller&) = delete;
  RxPoller& operator=(const RxPoller&) = delete;

  uint32_t poll(uint64_t now_tsc) noexcept override {
    uint32_t total = 0;
    for (auto& q : queues_) total += poll_queue(q, now_tsc);
    return total;
  }

  // The loop stopped: fragments still waiting for their datagram are released and counted
  // (ReassemblyCounter::kHeldAtExit), so the report sees them.
  void on_stop() noexcept override {
    if (reassembler_ != nullptr) reassembler_->drain();
  }

  // Housekeeping: pick up a newer classifier snapshot, drop timed-out fragments.
  void refresh(uint64_t now_tsc) noexcept {
    dispatcher_.set_classifier(classifier_slot_->load(std::memory_order_acquire));
    if (reassembler_ != nullptr) reassembler_->expire(now_tsc);
  }

 private:
  uint16_t poll_queue(RxQueue& q, uint64_t now_tsc) noexcept {
    std::array<rte_mbuf*, kMaxBurst> bufs;
    uint16_t n = q.pacer.take_pending(bufs.data());
    if (n == 0) n = rte_eth_rx_burst(q.port_id, q.queue_id, bufs.data(), burst_);
    if (n != 0 && q.paced) n = q.pacer.due(q.clock, bufs.data(), n, now_tsc, counters_.pace_gaps_skipped);
    if (n == 0) return 0;
    for (uint16_t i = 0; i < n; ++i) {
      if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 1], void*));
      inspect(q, bufs[i], now_tsc);
    }
    if (reassembler_ != nullptr) reassembler_->flush();
    handler_.on_burst_end();
    finish_burst(q, bufs.data(), n, counters_);
    return n;
  }

  // `m` may be replaced by nullptr when the reassembler took it (monitor mode; free_bulk skips
  // NULL). In forward mode fragments are reassembled from copies: the originals go out intact.
  void inspect(const RxQueue& q, rte_mbuf*& m, uint64_t now_tsc) noexcept {
    counters_.rx_frames.add();
    counters_.rx_bytes.add(m->pkt_len);
    std::span<const uint8_t> frame;
    if (m->nb_segs == 1) {
      frame = {rte_pktmbuf_mtod(m, const uint8_t*), m->data_len};
    } else if (m->pkt_len <= scratch_.size()) {
      const auto* p = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, m->pkt_len, scratch_.data()));
      frame = {p, m->pkt_len};
    } else {
      counters_.oversize_frames.add();
      counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
      return;
    }
    dataplane::ParsedPacket pkt;
    const dataplane::ParseStatus st =
        dataplane::parse_frame(frame, q.link, pkt, dispatcher_.classifier().decap);
    counters_.by_status[static_cast<std::size_t>(st)].add();
    count_layers(pkt, 0);
    if (st == dataplane::ParseStatus::kIpFragment && reassembler_ != nullptr) {
      reassemble(q, m, pkt, now_tsc);
      return;
    }
    if (st != dataplane::ParseStatus::kOk) {
      if (!dataplane::is_malformed(st)) {
        counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
      }
      return;
    }
    dispatcher_.dispatch(pkt, q.clock.stamp(m, now_tsc), m, q.link);
  }

  // Each encapsulation layer of `p` from the `from`-th on, once.
  void count_layers(const dataplane::ParsedPacket& p, uint8_t from) noexcept {
    for (uint8_t i = from; i < p.encap_count; ++i) {
      counters_.decapsulated[static_cast<std::size_t>(p.encaps[i])].add();
    }
  }

  // A fragment: the frame completing a datagram is counted with the datagram's class, the
  // others as "other" (status ip_fragment), so classes still add up to frames received.
  void reassemble(const RxQueue& q, rte_mbuf*& m, const dataplane::ParsedPacket& pkt,
                  uint64_t now_tsc) noexcept {
    const uint64_t rx_ns = q.clock.stamp(m, now_tsc);
    rte_mbuf* frag = m;
    if (q.tx_port >= 0) {
      frag = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
      if (frag == nullptr) {
        counters_.fragment_copy_failed.add();
        counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
        return;
      }
    } else {
      m = nullptr;  // the reassembler owns it now
    }
    rte_mbuf* whole = reassembler_->reassemble(frag, pkt, now_tsc);
    if (whole == nullptr) {
      counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
      return;
    }
    counters_.reassembled.add();
    // The walk goes on from the IP header that was fragmented (the outer one of a tunnel, or a
    // packet inside one): the layers before it stay as the fragment's parse found them, and the
    // outer headers' lengths, which still describe the fragment, are not read again.
    dataplane::ParsedPacket full = pkt;
    full.frag_offset = 0;
    const auto view = dataplane::packet_bytes(whole, scratch_);
    const auto st = view.empty() ? dataplane::ParseStatus::kTruncatedIpv4
                                 : dataplane::parse_ip(view, whole->l2_len != 0 ? whole->l2_len : pkt.l3_offset, full, dispatcher_.classifier().decap);
    count_layers(full, pkt.encap_count);
    if (st == dataplane::ParseStatus::kOk) {
      dispatcher_.dispatch(full, rx_ns, whole, q.link);
    } else {
      counters_.reassembled_unparsed.add();
      counters_.by_class[static_cast<std::size_t>(PacketClass::kOther)].add();
    }
    rte_pktmbuf_free(whole);
  }

  dataplane::Reassembler* reassembler_;  // dp: rw (one per lcore), may be null
  std::vector<RxQueue> queues_;  // fixed after construction
  uint16_t burst_;
  const std::atomic<const ClassifierConfig*>* classifier_slot_;  // cp: wo, dp: ro
  Handler& handler_;
  TransportCounters& counters_;
  PacketDispatcher<Handler> dispatcher_;  // dp: rw (HEP, classification, WebSocket connections)
  alignas(64) std::array<uint8_t, kScratchBytes> scratch_{};
};

}  // namespace rv::planes::transport
