#include "planes/shard_handler.hpp"

#include <rte_errno.h>

#include <stdexcept>
#include <string>

#include <rte_mbuf.h>

#include "dataplane/packet_parser.hpp"
#include "events/event_traits.hpp"
#include "planes/media/codec.hpp"
#include "planes/routing/session_key.hpp"

namespace rv::planes {
namespace {

constexpr unsigned kEndedRingSize = 16384;
constexpr std::size_t kExpireBudget = 4096;  // call slots scanned per tick

media::MediaPlaneConfig media_config(const config::MediaConfig& c) {
  media::MediaPlaneConfig m;
  m.max_streams = c.max_streams;
  m.media_timeout_ns = uint64_t{c.media_timeout_s} * 1'000'000'000ull;
  return m;
}

}  // namespace

ShardHandler::ShardHandler(unsigned shard_index, unsigned shard_count, const config::Config& cfg)
    : index_(shard_index),
      shards_(shard_count == 0 ? 1 : shard_count),
      signaling_(std::make_unique<signaling::SignalingPlane>(
          signaling::SignalingPlaneConfig::from_config(cfg.planes.signaling),
          static_cast<signaling::SignalingEventSink*>(this))),
      media_(std::make_unique<media::MediaPlane>(media_config(cfg.planes.media),
                                                static_cast<media::MediaEventSink*>(this))) {
  const std::string name = "rv_ended_" + std::to_string(shard_index);
  ended_ring_ = rte_ring_create_elem(name.c_str(), sizeof(media::StreamEnded), kEndedRingSize,
                                     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (ended_ring_ == nullptr) {
    throw std::runtime_error("cannot create ring " + name + ": " + rte_strerror(rte_errno));
  }
}

ShardHandler::~ShardHandler() { rte_ring_free(ended_ring_); }

void ShardHandler::on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p,
                             uint64_t rx_ns, rte_mbuf* m, dataplane::LinkType link) noexcept {
  if (shards_ > 1) {
    const uint64_t key = routing::session_key(c, p);
    if (events::shard_of(key, shards_) != index_) {
      // The event owns one reference; the rx poller frees (or transmits) its own.
      rte_mbuf_refcnt_update(m, 1);
      if (fabric_->packets_out.publish(routing::SteeredPacket{m, rx_ns, key, c, link})
              .value_or(0) == 0) {
        rte_pktmbuf_free(m);
        counters_.steer_dropped.add();
      } else {
        counters_.steered_out.add();
      }
      return;
    }
  }
  deliver(c, p, rx_ns);
}

void ShardHandler::on_steered(const routing::SteeredPacket& e) noexcept {
  rte_mbuf* m = e.mbuf;
  counters_.steered_in.add();
  std::span<const uint8_t> frame;
  if (m->nb_segs == 1) {
    frame = {rte_pktmbuf_mtod(m, const uint8_t*), m->data_len};
  } else if (m->pkt_len <= scratch_.size()) {
    frame = {static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, m->pkt_len, scratch_.data())),
             m->pkt_len};
  }
  dataplane::ParsedPacket p;
  if (!frame.empty() && dataplane::parse_frame(frame, e.link, p) == dataplane::ParseStatus::kOk) {
    deliver(e.cls, p, e.rx_ns);
  }
  rte_pktmbuf_free(m);
}

bool ShardHandler::is_learned_media(const dataplane::ParsedPacket& p) const noexcept {
  const dataplane::Endpoint dst{p.dst, p.dst_port};
  const dataplane::Endpoint src{p.src, p.src_port};
  if (media_->knows_endpoint(dst) || media_->knows_endpoint(src)) return true;
  // RTCP on the port above the announced RTP port (no rtcp-mux).
  const dataplane::Endpoint dst_rtp{p.dst, static_cast<uint16_t>(p.dst_port - 1)};
  const dataplane::Endpoint src_rtp{p.src, static_cast<uint16_t>(p.src_port - 1)};
  return ((p.dst_port & 1) != 0 && media_->knows_endpoint(dst_rtp)) ||
         ((p.src_port & 1) != 0 && media_->knows_endpoint(src_rtp));
}

uint32_t ShardHandler::poll_fabric(uint32_t budget) noexcept {
  if (!fabric_) return 0;
  auto on_packet_event = [this](const routing::SteeredPacket& e) noexcept { on_steered(e); };
  auto on_endpoint = [this](const signaling::MediaEndpointEvent& e) noexcept { learn(e); };
  uint32_t n = static_cast<uint32_t>(fabric_->endpoints_in.poll(budget, on_endpoint));
  n += static_cast<uint32_t>(fabric_->packets_in.poll(budget, on_packet_event));
  return n;
}

void ShardHandler::deliver(transport::PacketClass c, const dataplane::ParsedPacket& p,
                           uint64_t rx_ns) noexcept {
  if (rx_ns > last_rx_ns_) last_rx_ns_ = rx_ns;
  const std::span<const uint8_t> payload(p.payload, p.payload_len);
  const auto flow = dataplane::FlowKey::from(p);
  switch (c) {
    case transport::PacketClass::kSip:
      signaling_->on_payload(payload, flow, p.ip_proto == dataplane::kIpProtoTcp, p.tcp_seq,
                             p.tcp_flags, rx_ns);
      break;
    case transport::PacketClass::kRtp:
      media_->on_rtp(payload, flow, rx_ns);
      break;
    case transport::PacketClass::kRtcp:
      media_->on_rtcp(payload, flow, rx_ns);
      break;
    default:
      break;
  }
}

uint32_t ShardHandler::on_tick() noexcept {
  if (last_rx_ns_ == 0) return 0;
  return signaling_->expire(last_rx_ns_, kExpireBudget) + media_->expire(last_rx_ns_);
}

void ShardHandler::on_call_event(const signaling::CallEvent& /*e*/) noexcept {
  counters_.call_events.add();
}

void ShardHandler::on_media_endpoint(const signaling::MediaEndpointEvent& e) noexcept {
  // RTP is steered by conversation, which the SDP endpoint alone cannot name: every shard
  // learns every endpoint (the broadcast reaches this shard too, through its own ring).
  if (fabric_) {
    if (fabric_->endpoints_out.publish(e).value_or(0) == 0) counters_.steer_dropped.add();
    return;
  }
  learn(e);
}

void ShardHandler::learn(const signaling::MediaEndpointEvent& e) noexcept {
  std::array<media::PayloadMapping, media::kMaxPayloadMappings> maps{};
  std::size_t n = 0;
  // rtpmap lines first (they carry the clock rate), then static payload types.
  for (uint8_t i = 0; i < e.rtpmap_count && n < maps.size(); ++i) {
    const auto& m = e.rtpmaps[i];
    const std::string_view name(m.codec.data(), strnlen(m.codec.data(), m.codec.size()));
    maps[n++] = {m.payload_type, media::codec_from_name(name), m.clock_rate};
  }
  media_->learn_endpoint(dataplane::Endpoint{e.addr, e.port}, e.call_id_hash,
                         std::span(maps.data(), n), e.timestamp_ns);
  counters_.media_endpoints.add();
}

void ShardHandler::on_stream_started(const media::StreamStarted& /*e*/) noexcept {}

void ShardHandler::on_stream_ended(const media::StreamEnded& e) noexcept {
  counters_.streams_ended.add();
  if (finishing_ != nullptr) {
    finishing_->push_back(e);  // control thread, lcore stopped: may allocate
    return;
  }
  media::StreamEnded copy = e;  // the ring API takes a non-const source
  if (rte_ring_sp_enqueue_elem(ended_ring_, &copy, sizeof(copy)) != 0) {
    counters_.streams_ended_dropped.add();
  }
}

std::size_t ShardHandler::drain_ended(std::vector<media::StreamEnded>& out) {
  std::array<media::StreamEnded, 64> buf;
  std::size_t total = 0;
  for (;;) {
    const unsigned n = rte_ring_sc_dequeue_burst_elem(ended_ring_, buf.data(), sizeof(buf[0]),
                                                      buf.size(), nullptr);
    out.insert(out.end(), buf.begin(), buf.begin() + n);
    total += n;
    if (n < buf.size()) return total;
  }
}

void ShardHandler::finish(std::vector<media::StreamEnded>& out) {
  drain_ended(out);
  finishing_ = &out;
  media_->end_all();
  finishing_ = nullptr;
}

}  // namespace rv::planes
