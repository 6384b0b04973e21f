#include "planes/shard_handler.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "dataplane/hep.hpp"
#include "dataplane/packet_parser.hpp"
#include "events/event_traits.hpp"
#include "planes/media/codec.hpp"
#include "planes/routing/session_key.hpp"
#include "planes/signaling/sip_message.hpp"
#include "planes/signaling/sip_summary_event.hpp"

namespace rv::planes {
namespace {

constexpr std::size_t kExpireBudget = 4096;  // call slots scanned per tick
constexpr uint64_t kSyncWaitSeconds = 10;     // replay: a peer that never answers is counted

constexpr events::Priority priority_of(signaling::EventPriority p) noexcept {
  return static_cast<events::Priority>(p);
}
static_assert(priority_of(signaling::EventPriority::kCritical) == events::Priority::kCritical);
static_assert(priority_of(signaling::EventPriority::kLow) == events::Priority::kLow);

bool looks_like_sdp(const signaling::SipMessage& m) noexcept {
  if (m.body.empty()) return false;
  if (m.content_type.empty()) return m.body.starts_with("v=");
  const std::string_view ct = m.content_type;
  for (std::size_t i = 0; i + 3 <= ct.size(); ++i) {
    if ((ct[i] | 0x20) == 's' && (ct[i + 1] | 0x20) == 'd' && (ct[i + 2] | 0x20) == 'p') return true;
  }
  return false;
}

// A SIP payload that may teach media endpoints: it holds an SDP media line. (No header starts
// with "m=": the compact Contact is "m:".)
bool carries_sdp(const dataplane::ParsedPacket& p) noexcept {
  static constexpr char kMediaLine[] = "\nm=";
  return p.payload_len >= 3 &&
         memmem(p.payload, p.payload_len, kMediaLine, sizeof(kMediaLine) - 1) != nullptr;
}

}  // namespace

ShardHandler::ShardHandler(unsigned shard_index, unsigned shard_count, const config::Config& cfg)
    : ShardHandler(shard_index, shard_count,
                   signaling::SignalingPlaneConfig::from_config(cfg.planes.signaling),
                   media::MediaPlaneConfig::from_config(cfg.planes.media)) {}

ShardHandler::ShardHandler(unsigned shard_index, unsigned shard_count,
                           const signaling::SignalingPlaneConfig& signaling,
                           const media::MediaPlaneConfig& media)
    : index_(shard_index),
      shards_(shard_count == 0 ? 1 : shard_count),
      signaling_(std::make_unique<signaling::SignalingPlane>(
          signaling, static_cast<signaling::SignalingEventSink*>(this))),
      media_(std::make_unique<media::MediaPlane>(media, static_cast<media::MediaEventSink*>(this))) {}

void ShardHandler::attach_fabric(routing::ShardFabric fabric, std::span<ShardHandler* const> peers,
                                 bool replay_sync) {
  fabric_.emplace(std::move(fabric));
  std::copy_n(peers.begin(), std::min(peers.size(), peers_.size()), peers_.begin());
  replay_sync_ = replay_sync;
  // A steering key for each shard (clock ticks are addressed like packets).
  for (unsigned s = 0; s < shards_ && s < kMaxShards; ++s) {
    uint64_t k = 0;
    while (events::shard_of(k, shards_) != s) ++k;
    shard_keys_[s] = k;
  }
}

void ShardHandler::on_burst_end() noexcept {
  if (shards_ < 2 || newest_rx_ns_ <= clock_sent_ns_ || !fabric_->packets_out.accepting()) return;
  clock_sent_ns_ = newest_rx_ns_;
  for (unsigned s = 0; s < shards_; ++s) {
    if (s == index_) continue;
    const routing::SteeredPacket tick{nullptr, newest_rx_ns_, shard_keys_[s],
                                      transport::PacketClass::kOther, dataplane::LinkType::kEthernet,
                                      0, static_cast<uint8_t>(index_)};
    (void)fabric_->packets_out.publish(tick);  // a lost tick only delays that shard's timers
  }
}

void ShardHandler::on_packet(transport::PacketClass c, const dataplane::ParsedPacket& p,
                             uint64_t rx_ns, rte_mbuf* m, dataplane::LinkType link) noexcept {
  if (rx_ns > newest_rx_ns_) newest_rx_ns_ = rx_ns;
  if (rx_ns > last_rx_ns_) last_rx_ns_ = rx_ns;  // the clock moves with every packet read
  if (shards_ > 1) {
    const uint64_t key = routing::session_key(c, p);
    const unsigned owner = events::shard_of(key, shards_);
    if (owner != index_) {
      // Replay: a message that may announce media is handled by its owner before this shard
      // classifies anything else, so every shard knows the endpoints at the same point of the
      // capture as a single shard would.
      const bool sync = replay_sync_ && c == transport::PacketClass::kSip && carries_sdp(p);
      steer(c, key, owner, rx_ns, m, link, p, sync);
      return;
    }
  }
  deliver(c, p, rx_ns);
}

void ShardHandler::steer(transport::PacketClass c, uint64_t key, unsigned owner, uint64_t rx_ns,
                         rte_mbuf* m, dataplane::LinkType link, const dataplane::ParsedPacket& p,
                         bool sync) noexcept {
  // The event owns one reference on every segment (a reassembled datagram is a chain); the rx
  // poller frees (or transmits) its own.
  rte_pktmbuf_refcnt_update(m, 1);
  const routing::SteeredPacket ev{m, rx_ns, key, c, link, static_cast<uint8_t>(sync ? 1 : 0),
                                  static_cast<uint8_t>(index_), p.l3_offset,
                                  static_cast<uint8_t>(p.from_hep ? 1 : 0)};
  if (!fabric_->packets_out.accepting() || fabric_->packets_out.publish(ev).value_or(0) == 0) {
    rte_pktmbuf_free(m);
    counters_.steer_dropped.add();
    return;
  }
  counters_.steered_out.add();
  if (sync) await_handled(owner, ++sync_sent_[owner]);
}

// Replay with several shards: waits until `owner` handled our seq-th SIP message, draining this
// shard's own fabric meanwhile (the owner may be waiting for room in our rings), then picks up
// the endpoints it learned. Yields the CPU: shards may share one.
void ShardHandler::await_handled(unsigned owner, uint64_t seq) noexcept {
  const std::atomic<uint64_t>& handled = peers_[owner]->sync_handled_[index_];
  const uint64_t deadline = rte_rdtsc() + kSyncWaitSeconds * rte_get_tsc_hz();
  for (uint32_t spins = 0; handled.load(std::memory_order_acquire) < seq; ++spins) {
    if (poll_fabric(32) != 0) continue;
    if (!fabric_->packets_out.accepting() || rte_rdtsc() >= deadline) {
      counters_.sync_timeouts.add();
      return;
    }
    if ((spins & 63) == 63) {
      sched_yield();
    } else {
      rte_pause();
    }
  }
  fabric_->endpoints_in.poll(UINT32_MAX);
}

void ShardHandler::on_steered(const routing::SteeredPacket& e) noexcept {
  rte_mbuf* m = e.mbuf;
  if (m == nullptr) {  // a clock tick from another shard's rx
    if (e.rx_ns > last_rx_ns_) last_rx_ns_ = e.rx_ns;
    return;
  }
  counters_.steered_in.add();
  std::span<const uint8_t> frame;
  if (m->nb_segs == 1) {
    frame = {rte_pktmbuf_mtod(m, const uint8_t*), m->data_len};
  } else if (m->pkt_len <= scratch_.size()) {
    frame = {static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, m->pkt_len, scratch_.data())),
             m->pkt_len};
  }
  // The rx shard found the innermost IP header (tunnels opened, fragments reassembled): parse
  // from there, opening nothing more.
  static constexpr dataplane::DecapConfig kNoDecap{.max_depth = 0};
  dataplane::ParsedPacket p;
  dataplane::HepPacket hep;
  if (!frame.empty() &&
      dataplane::parse_ip(frame, e.l3_offset, p, kNoDecap) == dataplane::ParseStatus::kOk &&
      (e.hep == 0 || dataplane::decode_hep({p.payload, p.payload_len}, hep) ==
                         dataplane::HepStatus::kOk)) {
    if (e.hep != 0) dataplane::apply_hep(hep, p);
    deliver(e.cls, p, e.rx_ns);
  }
  rte_pktmbuf_free(m);
  if (e.sync != 0 && e.from_shard < kMaxShards) {
    auto& done = sync_handled_[e.from_shard];
    done.store(done.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
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
  bool endpoints_current = false;
  auto on_packet_event = [&](const routing::SteeredPacket& e) noexcept {
    // An endpoint published before a packet is visible once the packet was dequeued: learn it
    // first, so the packet meets the same state as on the shard that sent the SDP.
    if (!endpoints_current && e.cls != transport::PacketClass::kSip) {
      fabric_->endpoints_in.poll(UINT32_MAX);
      endpoints_current = true;
    }
    on_steered(e);
  };
  uint32_t n = static_cast<uint32_t>(fabric_->endpoints_in.poll(budget));
  n += static_cast<uint32_t>(fabric_->packets_in.poll(budget, on_packet_event));
  if (fabric_->messages_in) {
    n += static_cast<uint32_t>(fabric_->messages_in->poll(
        budget, [this](const signaling::SipMessageEvent& e) noexcept { on_remote_message(e); }));
  }
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

uint32_t ShardHandler::finish() noexcept {
  uint32_t n = 0;
  if (last_rx_ns_ != 0) n += signaling_->expire(last_rx_ns_) + media_->expire(last_rx_ns_);
  return n + signaling_->flush(last_rx_ns_) + media_->end_all();
}

void ShardHandler::notify(const dataplane::DataplaneNotice& n) noexcept {
  emit(&routing::ShardFabric::notices_out, n,
       events::EventTraits<dataplane::DataplaneNotice>::kDefaultPriority);
}

template <typename E>
void ShardHandler::emit(events::Publisher<E> routing::ShardFabric::*which, const E& e,
                        events::Priority p) noexcept {
  if (!fabric_) return;  // a shard without a fabric (tests, fuzzing): nothing to publish to
  events::Publisher<E>& out = (*fabric_).*which;
  if (!out.accepting()) {
    counters_.events_dropped.add();
    return;
  }
  // 0 receivers with subscribers present: dropped (and counted by the fabric, by reason).
  if (out.publish(e, p).value_or(0) == 0 && out.has_subscribers()) counters_.events_dropped.add();
}

void ShardHandler::on_call_event(const signaling::CallEvent& e) noexcept {
  counters_.call_events.add();
  emit(&routing::ShardFabric::calls_out, e, priority_of(e.priority));
}

void ShardHandler::on_media_endpoint(const signaling::MediaEndpointEvent& e) noexcept {
  // RTP is steered by conversation, which the SDP endpoint alone cannot name: every shard
  // learns every endpoint (GlobalBroadcast; in-line on this shard).
  if (!fabric_) {
    learn_endpoint(e);
    return;
  }
  emit(&routing::ShardFabric::endpoints_out, e, priority_of(e.priority));
}

void ShardHandler::on_registration(const signaling::RegistrationEvent& e) noexcept {
  emit(&routing::ShardFabric::registrations_out, e,
       events::EventTraits<signaling::RegistrationEvent>::kDefaultPriority);
}

bool ShardHandler::wants_sip_messages() const noexcept {
  return fabric_ && fabric_->messages_out.has_subscribers();
}

void ShardHandler::on_sip_message(const signaling::SipMessage& m, const dataplane::FlowKey& flow,
                                  bool retransmission, uint64_t ts) noexcept {
  signaling::SipMessageEvent& e = message_scratch_;
  e.call_id_hash = signaling::hash_call_id(m.call_id);
  e.timestamp_ns = ts;
  e.flow = flow;
  e.length = m.length;
  e.retransmission = retransmission ? 1 : 0;
  signaling::store_summary(signaling::SipSummary::of(m), e);
  e.media_count = 0;
  e.media = {};
  e.raw_len = static_cast<uint16_t>(std::min(m.raw.size(), e.raw.size()));
  e.raw_truncated = m.raw.size() > e.raw.size() ? 1 : 0;
  std::memcpy(e.raw.data(), m.raw.data(), e.raw_len);
  if (looks_like_sdp(m) && signaling::parse_sdp(m.body, sdp_) == signaling::SdpStatus::kOk) {
    for (uint8_t i = 0; i < sdp_.media_count && e.media_count < e.media.size(); ++i) {
      const auto& sm = sdp_.media[i];
      if (!sm.has_addr) continue;
      auto& out = e.media[e.media_count++];
      out.addr = sm.addr;
      out.port = sm.port;
      out.kind = static_cast<uint8_t>(sm.kind);
      out.from_caller = m.is_request ? 1 : 0;
      out.mline = i;
      if (sm.format_count != 0) {
        const auto* r = sm.rtpmap(sm.formats[0]);
        const auto map = r != nullptr ? *r : signaling::static_payload_type(sm.formats[0]);
        out.payload_type = sm.formats[0];
        out.clock_rate = map.clock_rate;
        std::copy_n(map.encoding.data(), std::min(map.encoding.size(), out.codec.size() - 1),
                    out.codec.begin());
      }
    }
  }
  emit(&routing::ShardFabric::messages_out, e, events::EventTraits<signaling::SipMessageEvent>::kDefaultPriority);
}

void ShardHandler::on_remote_message(const signaling::SipMessageEvent& e) noexcept {
  if (e.timestamp_ns > last_rx_ns_) last_rx_ns_ = e.timestamp_ns;
  signaling_->on_summary(signaling::summary_of(e), e.flow, e.timestamp_ns);
}

void ShardHandler::learn_endpoint(const signaling::MediaEndpointEvent& e) noexcept {
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

void ShardHandler::on_stream_started(const media::StreamStarted& e) noexcept {
  emit(&routing::ShardFabric::started_out, e, events::EventTraits<media::StreamStarted>::kDefaultPriority);
}

void ShardHandler::on_stream_interval(const media::StreamInterval& e) noexcept {
  emit(&routing::ShardFabric::intervals_out, e, events::EventTraits<media::StreamInterval>::kDefaultPriority);
}

void ShardHandler::on_stream_ended(const media::StreamEnded& e) noexcept {
  counters_.streams_ended.add();
  emit(&routing::ShardFabric::ended_out, e, events::EventTraits<media::StreamEnded>::kDefaultPriority);
}

}  // namespace rv::planes
