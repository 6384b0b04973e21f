#include "planes/media/media_plane.hpp"

#include <algorithm>
#include <cmath>

#include "planes/media/mos.hpp"
#include "dataplane/byte_order.hpp"

namespace rv::planes::media {

using dataplane::load_be16;
using dataplane::load_be32;
namespace {
constexpr uint32_t kEndpointSweepBudget = 256;
constexpr uint32_t kIntervalScanBudget = 4096;  // stream slots visited per tick for intervals
}  // namespace

MediaPlane::MediaPlane(const MediaPlaneConfig& cfg, MediaEventSink* sink)
    : cfg_(cfg),
      sink_(sink),
      table_(cfg.max_streams, cfg.media_timeout_ns),
      endpoints_(cfg.max_endpoints != 0 ? cfg.max_endpoints : cfg.max_streams) {}

RtpParseStatus MediaPlane::on_rtp(std::span<const uint8_t> payload, const dataplane::FlowKey& flow,
                                  uint64_t arrival_ns) noexcept {
  RtpHeader h;
  const RtpParseStatus st = parse_rtp(payload, h);
  if (st != RtpParseStatus::kOk) {
    counters_.rtp_invalid[static_cast<std::size_t>(st)].add();
    return st;
  }
  StreamRecord* r = stream_for(h, flow, stream_hash(flow, h.ssrc), arrival_ns);
  if (r != nullptr) account(*r, h, payload, arrival_ns);
  return st;
}

uint32_t MediaPlane::on_rtp_burst(std::span<const RtpInput> burst) noexcept {
  constexpr std::size_t kChunk = 32;
  uint32_t ok = 0;
  for (std::size_t base = 0; base < burst.size(); base += kChunk) {
    const std::size_t n = std::min(kChunk, burst.size() - base);
    RtpHeader hdr[kChunk];
    uint64_t hash[kChunk];
    uint32_t slot[kChunk];
    bool valid[kChunk];
    // Stage 1: parse and hash the chunk, prefetch the index buckets.
    for (std::size_t i = 0; i < n; ++i) {
      const RtpParseStatus st = parse_rtp(burst[base + i].payload, hdr[i]);
      slot[i] = StreamTable::kNoSlot;
      valid[i] = st == RtpParseStatus::kOk;
      if (!valid[i]) {
        counters_.rtp_invalid[static_cast<std::size_t>(st)].add();
        continue;
      }
      hash[i] = stream_hash(*burst[base + i].flow, hdr[i].ssrc);
      table_.prefetch(hash[i]);
    }
    // Stage 2: find the records, prefetch their hot lines.
    for (std::size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      slot[i] = table_.find_slot(*burst[base + i].flow, hdr[i].ssrc, hash[i]);
      table_.prefetch_slot(slot[i]);
    }
    // Stage 3: account in arrival order.
    for (std::size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      const RtpInput& in = burst[base + i];
      StreamRecord* r = table_.record_at(slot[i], *in.flow, hdr[i].ssrc);
      if (r == nullptr) r = stream_for(hdr[i], *in.flow, hash[i], in.arrival_ns);
      if (r != nullptr) account(*r, hdr[i], in.payload, in.arrival_ns);
      ++ok;
    }
  }
  return ok;
}

StreamRecord* MediaPlane::stream_for(const RtpHeader& h, const dataplane::FlowKey& flow,
                                     uint64_t hash, uint64_t arrival_ns) noexcept {
  if (StreamRecord* r = table_.find(flow, h.ssrc, hash)) return r;
  if (table_.size() == table_.capacity()) {
    StreamRecord* victim = cfg_.evict_when_full ? table_.eviction_candidate() : nullptr;
    if (victim == nullptr) {
      counters_.rtp_untracked.add();
      return nullptr;
    }
    end_stream(*victim, EndReason::kEvicted);
    counters_.streams_evicted.add();
    table_.remove(*victim);
  }
  StreamRecord* r = table_.insert(flow, h.ssrc, hash, arrival_ns);
  counters_.streams_total.add();
  counters_.streams_active.set(table_.size());
  try_associate(*r, arrival_ns);
  return r;
}

PayloadInfo MediaPlane::payload_info(const StreamRecord& r, uint8_t pt) const noexcept {
  // Static types keep their RFC 3551 meaning whatever SDP says (as Wireshark does).
  if (pt < 96) return static_payload(pt);
  for (uint8_t i = 0; i < r.mapping_count; ++i) {
    if (r.mappings[i].payload_type == pt) return {r.mappings[i].codec, r.mappings[i].clock_rate};
  }
  if (pt == cfg_.event_payload_type) return {Codec::kTelephoneEvent, 8000};
  return {};
}

void MediaPlane::try_associate(StreamRecord& r, uint64_t now_ns) noexcept {
  r.assoc_generation = static_cast<uint32_t>(endpoints_.generation());
  const CallAssociation* a = endpoints_.find(r.flow.dst, now_ns);
  if (a == nullptr) a = endpoints_.find(r.flow.src, now_ns);
  if (a == nullptr) return;
  r.call_hash = a->call_hash;
  r.associated = true;
  r.mapping_count = a->mapping_count;
  r.mappings = a->mappings;
  if (r.stats.packets() != 0) r.codec = static_cast<uint8_t>(payload_info(r, r.payload_type).codec);
  counters_.streams_associated.add();
}

void MediaPlane::account(StreamRecord& r, const RtpHeader& h, std::span<const uint8_t> payload,
                         uint64_t arrival_ns) noexcept {
  if (!r.associated && r.assoc_generation != static_cast<uint32_t>(endpoints_.generation())) {
    try_associate(r, arrival_ns);
  }
  const PayloadInfo pi = payload_info(r, h.payload_type);
  RtpSample s;
  s.arrival_ns = arrival_ns;
  s.timestamp = h.timestamp;
  s.seq = h.seq;
  s.payload_type = h.payload_type;
  s.marker = h.marker;
  // RFC 4733 §2.3: events reuse one timestamp per event, so no jitter from them (as Wireshark).
  s.clock_rate = pi.codec == Codec::kTelephoneEvent ? 0 : pi.clock_rate;
  const bool first = r.stats.packets() == 0;
  if (first) {
    r.stats.start(s);
  } else {
    r.stats.update(s);
  }
  if (first || (is_comfort_noise(r.payload_type) && !is_comfort_noise(h.payload_type))) {
    r.payload_type = h.payload_type;
    r.codec = static_cast<uint8_t>(pi.codec);
  }
  if (pi.codec == Codec::kTelephoneEvent) on_telephone_event(r, h, payload);
  if (!first && arrival_ns > r.last_ns) {
    const uint64_t delta = arrival_ns - r.last_ns;
    r.max_delta_ns = std::max(r.max_delta_ns, delta);
    if (cfg_.gap_ns != 0 && delta >= cfg_.gap_ns) note_gap(r, delta);
  }
  r.last_ns = std::max(r.last_ns, arrival_ns);
  r.bytes += h.payload_len;
  counters_.rtp_packets.add();
  counters_.rtp_bytes.add(h.payload_len);
  const int64_t lost = r.stats.lost();
  if (lost > r.lost_counted) {
    counters_.rtp_lost.add(static_cast<uint64_t>(lost - r.lost_counted));
    r.lost_counted = lost;
  }
  if (first && sink_ != nullptr) {
    r.next_interval_ns = arrival_ns + cfg_.interval_ns;
    sink_->on_stream_started(
        StreamStarted{r.flow, r.ssrc, r.payload_type, r.codec, r.call_hash, arrival_ns});
  }
}

void MediaPlane::note_gap(StreamRecord& r, uint64_t delta_ns) noexcept {
  ++r.gaps;
  r.gap_ns += delta_ns - std::min(delta_ns, kNominalSpacingNs);
  counters_.rtp_gaps.add();
  histograms_.gap_seconds.observe(static_cast<double>(delta_ns) / 1e9);
}

// RFC 4733 §2.3: event(8) E|R|volume(6) duration(16). The end packet is usually sent three
// times with the same timestamp: count an event once, at its first end packet.
void MediaPlane::on_telephone_event(StreamRecord& r, const RtpHeader& h,
                                    std::span<const uint8_t> payload) noexcept {
  if (h.payload_len < 4) return;
  const uint8_t* ev = payload.data() + h.header_len;
  const bool end = (ev[1] & 0x80) != 0;
  if (!end || (r.event_seen && r.last_event_ts == h.timestamp)) return;
  r.event_seen = true;
  r.last_event_ts = h.timestamp;
  r.last_event = ev[0];
  ++r.dtmf_events;
  counters_.dtmf_events.add();
}

RtcpParseStatus MediaPlane::on_rtcp(std::span<const uint8_t> payload,
                                    const dataplane::FlowKey& flow, uint64_t arrival_ns) noexcept {
  RtcpCompound c;
  const RtcpParseStatus st = parse_rtcp(payload, c);
  if (st != RtcpParseStatus::kOk) {
    counters_.rtcp_invalid[static_cast<std::size_t>(st)].add();
    return st;
  }
  counters_.rtcp_datagrams.add();
  if (c.trailing_bytes != 0) counters_.rtcp_trailing_bytes.add();
  for (std::size_t t = 0; t < kRtcpTypeCount; ++t) {
    if (c.by_type[t] != 0) counters_.rtcp_packets[t].add(c.by_type[t]);
  }
  if (c.has_sr) {
    // The SR describes the stream its sender sends in the same direction.
    if (StreamRecord* r = rtp_stream_of_rtcp(flow, false, c.sr_ssrc)) {
      r->rtcp.last_sr_arrival_ns = arrival_ns;
      r->rtcp.last_sr_ntp_mid = static_cast<uint32_t>(c.sr.ntp >> 16);
      ++r->rtcp.sender_reports;
    }
  }
  for (uint8_t i = 0; i < c.block_count; ++i) apply_report_block(c.blocks[i], flow, arrival_ns);
  if (c.has_bye) {
    if (StreamRecord* r = rtp_stream_of_rtcp(flow, false, c.bye_ssrc)) r->bye_seen = true;
  }
  return st;
}

// The RTP stream an RTCP packet on `rtcp_flow` talks about: RTP ports are the RTCP ports - 1
// (RFC 3550 §11), or the same ports with rtcp-mux (RFC 5761). `reverse`: the media flows
// towards the RTCP sender (report blocks) rather than from it (SR, BYE).
StreamRecord* MediaPlane::rtp_stream_of_rtcp(const dataplane::FlowKey& rtcp_flow, bool reverse,
                                             uint32_t ssrc) noexcept {
  dataplane::FlowKey k = reverse ? rtcp_flow.reversed() : rtcp_flow;
  if (k.src.port > 0 && k.dst.port > 0) {
    dataplane::FlowKey minus = k;
    --minus.src.port;
    --minus.dst.port;
    if (StreamRecord* r = table_.find(minus, ssrc, stream_hash(minus, ssrc))) return r;
  }
  return table_.find(k, ssrc, stream_hash(k, ssrc));
}

void MediaPlane::apply_report_block(const RtcpReportBlock& b, const dataplane::FlowKey& flow,
                                    uint64_t arrival_ns) noexcept {
  StreamRecord* r = rtp_stream_of_rtcp(flow, true, b.ssrc);
  if (r == nullptr) {
    counters_.rtcp_blocks_unmatched.add();
    return;
  }
  RtcpState& st = r->rtcp;
  // The receiver's cumulative loss only grows between its reports (duplicates aside): count the
  // growth, as rtp_lost counts ours.
  const int32_t before = st.reports != 0 ? st.cumulative_lost : 0;
  if (b.cumulative_lost > before) {
    counters_.rtcp_reported_lost.add(static_cast<uint64_t>(b.cumulative_lost - before));
  }
  histograms_.rtcp_fraction_lost.observe(b.fraction_lost / 256.0);
  if (const uint32_t clock = payload_info(*r, r->payload_type).clock_rate; clock != 0) {
    histograms_.rtcp_jitter_seconds.observe(static_cast<double>(b.jitter) / clock);
  }
  st.fraction_lost = b.fraction_lost;
  st.cumulative_lost = b.cumulative_lost;
  st.jitter_ts = b.jitter;
  ++st.reports;
  // RFC 3550 §6.4.1 RTT, measured from the capture point: the SR passed us at
  // last_sr_arrival, the receiver held it DLSR, its report passes us now.
  if (b.lsr != 0 && b.lsr == st.last_sr_ntp_mid && st.last_sr_arrival_ns != 0 &&
      arrival_ns > st.last_sr_arrival_ns) {
    const double rtt = static_cast<double>(arrival_ns - st.last_sr_arrival_ns) / 1e6 -
                       static_cast<double>(b.dlsr) * 1000.0 / 65536.0;
    if (rtt >= 0) {
      st.rtt_ms = static_cast<float>(rtt);
      histograms_.rtcp_rtt_seconds.observe(rtt / 1000.0);
    }
  }
}

double MediaPlane::mos_of(const StreamRecord& r) const noexcept {
  QualityInput q;
  q.codec = static_cast<Codec>(r.codec);
  const double span_ms =
      r.last_ns > r.stats.first_ns() ? static_cast<double>(r.last_ns - r.stats.first_ns()) / 1e6 : 0;
  q.loss_percent = effective_loss_percent(r.stats.expected(), r.stats.lost(),
                                          static_cast<double>(r.gap_ns) / 1e6, span_ms);
  q.jitter_ms = r.stats.jitter_mean_ms();
  q.rtt_ms = r.rtcp.rtt_ms;
  return estimate_mos(q);
}

StreamEnded MediaPlane::final_numbers(const StreamRecord& r, EndReason why) const noexcept {
  StreamEnded e;
  e.flow = r.flow;
  e.ssrc = r.ssrc;
  e.payload_type = r.payload_type;
  e.codec = r.codec;
  e.reason = why;
  e.packets = r.stats.packets();
  e.duplicates = r.stats.duplicates();
  e.expected = r.stats.expected();
  e.lost = r.stats.lost();
  e.reordered = r.stats.reordered();
  e.jitter_mean_ms = static_cast<float>(r.stats.jitter_mean_ms());
  e.jitter_max_ms = static_cast<float>(r.stats.jitter_max_ms());
  e.rtt_ms = r.rtcp.rtt_ms;
  e.max_delta_ms = static_cast<float>(static_cast<double>(r.max_delta_ns) / 1e6);
  e.gap_ms = static_cast<float>(static_cast<double>(r.gap_ns) / 1e6);
  e.gaps = r.gaps;
  e.call_hash = r.call_hash;
  e.first_ns = r.stats.first_ns();
  e.last_ns = r.last_ns;
  e.bytes = r.bytes;
  e.mos_x10 = static_cast<uint8_t>(std::lround(mos_of(r) * 10));
  return e;
}

uint32_t MediaPlane::report_intervals(uint64_t now_ns) noexcept {
  if (cfg_.interval_ns == 0 || sink_ == nullptr || table_.size() == 0) return 0;
  uint32_t n = 0;
  const uint32_t cap = table_.used_span();
  for (uint32_t visited = 0; visited < kIntervalScanBudget && visited < cap; ++visited) {
    interval_cursor_ = interval_cursor_ + 1 < cap ? interval_cursor_ + 1 : 0;
    StreamRecord& r = table_.record(interval_cursor_);
    if (!r.used || r.next_interval_ns == 0 || now_ns < r.next_interval_ns) continue;
    r.next_interval_ns = now_ns + cfg_.interval_ns;
    StreamInterval e;
    e.flow = r.flow;
    e.ssrc = r.ssrc;
    e.packets = r.stats.packets();
    e.expected = r.stats.expected();
    e.lost = r.stats.lost();
    e.jitter_ms = static_cast<float>(r.stats.jitter_ms());
    e.jitter_max_ms = static_cast<float>(r.stats.jitter_max_ms());
    e.max_delta_ms = static_cast<float>(static_cast<double>(r.max_delta_ns) / 1e6);
    e.gap_ms = static_cast<float>(static_cast<double>(r.gap_ns) / 1e6);
    e.gaps = r.gaps;
    e.mos_x10 = static_cast<uint8_t>(std::lround(mos_of(r) * 10));
    e.payload_type = r.payload_type;
    e.codec = r.codec;
    e.call_hash = r.call_hash;
    e.timestamp_ns = now_ns;
    sink_->on_stream_interval(e);
    ++n;
  }
  return n;
}

void MediaPlane::end_stream(StreamRecord& r, EndReason why) noexcept {
  const StreamEnded e = final_numbers(r, why);
  if (payload_info(r, r.payload_type).clock_rate != 0 &&
      r.codec != uint8_t(Codec::kTelephoneEvent)) {
    histograms_.jitter_seconds.observe(r.stats.jitter_mean_ms() / 1000.0);
  }
  histograms_.mos.observe(e.mos_x10 / 10.0);
  if (e.packets > 1) histograms_.max_delta_seconds.observe(e.max_delta_ms / 1000.0);
  if (sink_ != nullptr) sink_->on_stream_ended(e);
}

uint32_t MediaPlane::expire(uint64_t now_ns) noexcept {
  const uint32_t n = table_.expire(now_ns, [&](StreamRecord& r) {
    end_stream(r, r.bye_seen ? EndReason::kBye : EndReason::kTimeout);
    (r.bye_seen ? counters_.streams_bye : counters_.streams_timed_out).add();
  });
  if (n != 0) counters_.streams_active.set(table_.size());
  report_intervals(now_ns);
  const uint32_t gone = endpoints_.sweep(now_ns, cfg_.endpoint_ttl_ns, kEndpointSweepBudget);
  if (gone != 0) counters_.endpoints_expired.add(gone);
  return n;
}

uint32_t MediaPlane::end_all() noexcept {
  uint32_t n = 0;
  while (StreamRecord* r = table_.eviction_candidate()) {
    end_stream(*r, EndReason::kFlushed);
    table_.remove(*r);
    ++n;
  }
  counters_.streams_active.set(table_.size());
  return n;
}

bool MediaPlane::learn_endpoint(const dataplane::Endpoint& ep, std::string_view call_id,
                                std::span<const PayloadMapping> payload_types,
                                uint64_t now_ns) noexcept {
  const bool ok = endpoints_.learn(ep, call_id, payload_types, now_ns);
  (ok ? counters_.endpoints_learned : counters_.endpoints_rejected).add();
  return ok;
}

bool MediaPlane::learn_endpoint(const dataplane::Endpoint& ep, uint64_t call_hash,
                                std::span<const PayloadMapping> payload_types,
                                uint64_t now_ns) noexcept {
  const bool ok = endpoints_.learn(ep, call_hash, {}, payload_types, now_ns);
  (ok ? counters_.endpoints_learned : counters_.endpoints_rejected).add();
  return ok;
}

StreamReport MediaPlane::live_report(const StreamRecord& r) const {
  StreamReport rep = make_report(final_numbers(r, EndReason::kFlushed), std::nullopt);
  rep.jitter_mean_ms = r.stats.jitter_mean_ms();
  rep.jitter_max_ms = r.stats.jitter_max_ms();
  rep.bytes = r.bytes;
  rep.ended = false;
  return rep;
}

void MediaPlane::snapshot(std::vector<StreamReport>& out) const {
  const auto ids = call_ids();
  table_.for_each([&](const StreamRecord& r) {
    StreamReport rep = live_report(r);
    if (r.call_hash != 0) {
      const auto it = ids.find(r.call_hash);
      if (it != ids.end()) rep.call_id = it->second;
    }
    out.push_back(std::move(rep));
  });
}

std::unordered_map<uint64_t, std::string> MediaPlane::call_ids() const {
  std::unordered_map<uint64_t, std::string> ids;
  endpoints_.for_each(
      [&](const CallAssociation& a) { ids.emplace(a.call_hash, a.call_id.data()); });
  return ids;
}

std::size_t MediaPlane::memory_bytes() const noexcept {
  return table_.memory_bytes() + endpoints_.memory_bytes();
}

}  // namespace rv::planes::media
