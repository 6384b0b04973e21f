#include "planes/shard_handler.hpp"

#include <rte_errno.h>

#include <stdexcept>
#include <string>

#include "planes/media/codec.hpp"

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

ShardHandler::ShardHandler(unsigned shard_id, const config::Config& cfg)
    : signaling_(std::make_unique<signaling::SignalingPlane>(
          signaling::SignalingPlaneConfig::from_config(cfg.planes.signaling),
          static_cast<signaling::SignalingEventSink*>(this))),
      media_(std::make_unique<media::MediaPlane>(media_config(cfg.planes.media),
                                                static_cast<media::MediaEventSink*>(this))) {
  const std::string name = "rv_ended_" + std::to_string(shard_id);
  ended_ring_ = rte_ring_create_elem(name.c_str(), sizeof(media::StreamEnded), kEndedRingSize,
                                     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (ended_ring_ == nullptr) {
    throw std::runtime_error("cannot create ring " + name + ": " + rte_strerror(rte_errno));
  }
}

ShardHandler::~ShardHandler() { rte_ring_free(ended_ring_); }

void ShardHandler::on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p,
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
