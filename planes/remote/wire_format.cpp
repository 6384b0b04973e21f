#include "planes/remote/wire_format.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "planes/signaling/call_record.hpp"
#include "planes/signaling/sip_method.hpp"

namespace rv::planes::remote {
namespace {

constexpr std::array<char, 4> kMagic = {'R', 'V', 'W', '0' + kWireVersion};

std::string_view address_bytes(const dataplane::IpAddress& a) noexcept {
  const auto* p = reinterpret_cast<const char*>(a.bytes.data());
  return {p, a.family == dataplane::L3Proto::kIpv6 ? 16u : 4u};
}

// Assigns into the field's string: a cleared message keeps its memory, so no allocation.
void put_address(std::string* dst, const dataplane::IpAddress& a) {
  const std::string_view b = address_bytes(a);
  dst->assign(b.data(), b.size());
}

dataplane::IpAddress address_from(const std::string& b) noexcept {
  if (b.size() == 16) return dataplane::IpAddress::v6(reinterpret_cast<const uint8_t*>(b.data()));
  if (b.size() == 4) return dataplane::IpAddress::v4(reinterpret_cast<const uint8_t*>(b.data()));
  return {};
}

void flow_to(const dataplane::FlowKey& f, wire::Flow& out) {
  put_address(out.mutable_src(), f.src.addr);
  out.set_src_port(f.src.port);
  put_address(out.mutable_dst(), f.dst.addr);
  out.set_dst_port(f.dst.port);
  out.set_ip_proto(f.ip_proto);
}

dataplane::FlowKey flow_from(const wire::Flow& w) noexcept {
  dataplane::FlowKey f;
  f.src = {address_from(w.src()), static_cast<uint16_t>(w.src_port())};
  f.dst = {address_from(w.dst()), static_cast<uint16_t>(w.dst_port())};
  f.ip_proto = static_cast<uint8_t>(w.ip_proto());
  return f;
}

template <std::size_t N>
void put(std::string* dst, const signaling::FixedString<N>& s) {
  dst->assign(s.data.data(), s.len);
}

void put_le32(char* p, uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t get_le32(const uint8_t* p) noexcept {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

const char* to_string(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kBadMagic: return "bad_magic";
    case DecodeError::kWrongVersion: return "wrong_version";
    case DecodeError::kBadCompression: return "bad_compression";
    case DecodeError::kTooLarge: return "too_large";
    case DecodeError::kDecompress: return "decompress";
    case DecodeError::kCorrupt: return "corrupt";
  }
  return "unknown";
}

std::string subject_for(std::string_view probe_id, std::string_view kind) {
  std::string s = "rvoip.";
  s.append(probe_id).append(".").append(kind);
  return s;
}

void to_wire(const signaling::SipMessageEvent& e, wire::SipMessage& out) {
  out.set_timestamp_ns(e.timestamp_ns);
  flow_to(e.flow, *out.mutable_flow());
  out.set_length(e.length);
  out.set_is_request(e.is_request != 0);
  put(out.mutable_method(), e.method_name);
  out.set_status_code(e.status_code);
  put(out.mutable_call_id(), e.call_id);
  put(out.mutable_from_uri(), e.from_uri);
  put(out.mutable_from_tag(), e.from_tag);
  put(out.mutable_to_uri(), e.to_uri);
  put(out.mutable_to_tag(), e.to_tag);
  out.set_cseq(e.cseq);
  put(out.mutable_cseq_method(), e.cseq_method_name);
  put(out.mutable_branch(), e.branch);
  put(out.mutable_contact(), e.contact);
  put(out.mutable_expires(), e.expires);
  put(out.mutable_content_type(), e.content_type);
  put(out.mutable_user_agent(), e.user_agent);
  put(out.mutable_reason(), e.reason);
  out.set_body(e.body.data(), e.body_len);
  out.set_body_truncated(e.body_truncated != 0);
  out.set_retransmission(e.retransmission != 0);
}

void from_wire(const wire::SipMessage& w, signaling::SipMessageEvent& out) noexcept {
  out.timestamp_ns = w.timestamp_ns();
  out.flow = flow_from(w.flow());
  out.length = w.length();
  out.is_request = w.is_request() ? 1 : 0;
  out.method_name.assign(w.method());
  out.method = signaling::sip_method_from(out.method_name.view());
  out.status_code = static_cast<uint16_t>(std::min<uint32_t>(w.status_code(), 699));
  out.call_id.assign(w.call_id());
  out.call_id_hash = signaling::hash_call_id(out.call_id.view());
  out.from_uri.assign(w.from_uri());
  out.from_tag.assign(w.from_tag());
  out.to_uri.assign(w.to_uri());
  out.to_tag.assign(w.to_tag());
  out.cseq = w.cseq();
  out.cseq_method_name.assign(w.cseq_method());
  out.cseq_method = signaling::sip_method_from(out.cseq_method_name.view());
  out.branch.assign(w.branch());
  out.contact.assign(w.contact());
  out.expires.assign(w.expires());
  out.content_type.assign(w.content_type());
  out.user_agent.assign(w.user_agent());
  out.reason.assign(w.reason());
  const std::size_t n = std::min(w.body().size(), out.body.size());
  std::copy_n(w.body().data(), n, out.body.data());
  out.body_len = static_cast<uint16_t>(n);
  out.body_truncated = (w.body_truncated() || n < w.body().size()) ? 1 : 0;
  out.retransmission = w.retransmission() ? 1 : 0;
  out.media_count = 0;
}

void to_wire(const signaling::RegistrationEvent& e, wire::Registration& out) {
  out.set_timestamp_ns(e.timestamp_ns);
  flow_to(e.flow, *out.mutable_flow());
  out.set_expires(e.expires);
  out.set_cseq(e.cseq);
  out.set_status_code(e.status_code);
  out.set_is_request(e.is_request != 0);
  put(out.mutable_aor(), e.aor);
  put(out.mutable_contact(), e.contact);
}

void from_wire(const wire::Registration& w, signaling::RegistrationEvent& out) noexcept {
  out.timestamp_ns = w.timestamp_ns();
  out.flow = flow_from(w.flow());
  out.expires = w.expires();
  out.cseq = w.cseq();
  out.status_code = static_cast<uint16_t>(std::min<uint32_t>(w.status_code(), 699));
  out.is_request = w.is_request() ? 1 : 0;
  out.aor.assign(w.aor());
  out.contact.assign(w.contact());
}

void to_wire(const media::StreamStarted& e, wire::StreamStarted& out) {
  flow_to(e.flow, *out.mutable_flow());
  out.set_ssrc(e.ssrc);
  out.set_payload_type(e.payload_type);
  out.set_codec(e.codec);
  out.set_first_ns(e.first_ns);
}

void from_wire(const wire::StreamStarted& w, media::StreamStarted& out) noexcept {
  out.flow = flow_from(w.flow());
  out.ssrc = w.ssrc();
  out.payload_type = static_cast<uint8_t>(w.payload_type());
  out.codec = static_cast<uint8_t>(w.codec());
  out.first_ns = w.first_ns();
  out.call_hash = 0;
}

void to_wire(const media::StreamInterval& e, wire::StreamInterval& out) {
  flow_to(e.flow, *out.mutable_flow());
  out.set_ssrc(e.ssrc);
  out.set_packets(e.packets);
  out.set_expected(e.expected);
  out.set_lost(e.lost);
  out.set_jitter_ms(e.jitter_ms);
  out.set_jitter_max_ms(e.jitter_max_ms);
  out.set_max_delta_ms(e.max_delta_ms);
  out.set_mos_x10(e.mos_x10);
  out.set_payload_type(e.payload_type);
  out.set_codec(e.codec);
  out.set_timestamp_ns(e.timestamp_ns);
  out.set_gap_ms(e.gap_ms);
  out.set_gaps(e.gaps);
}

void from_wire(const wire::StreamInterval& w, media::StreamInterval& out) noexcept {
  out.flow = flow_from(w.flow());
  out.ssrc = w.ssrc();
  out.packets = w.packets();
  out.expected = w.expected();
  out.lost = w.lost();
  out.jitter_ms = w.jitter_ms();
  out.jitter_max_ms = w.jitter_max_ms();
  out.max_delta_ms = w.max_delta_ms();
  out.mos_x10 = static_cast<uint8_t>(w.mos_x10());
  out.payload_type = static_cast<uint8_t>(w.payload_type());
  out.codec = static_cast<uint8_t>(w.codec());
  out.call_hash = 0;
  out.timestamp_ns = w.timestamp_ns();
  out.gap_ms = w.gap_ms();
  out.gaps = w.gaps();
}

void to_wire(const media::StreamEnded& e, wire::StreamEnded& out) {
  flow_to(e.flow, *out.mutable_flow());
  out.set_ssrc(e.ssrc);
  out.set_payload_type(e.payload_type);
  out.set_codec(e.codec);
  out.set_reason(static_cast<uint32_t>(e.reason));
  out.set_mos_x10(e.mos_x10);
  out.set_packets(e.packets);
  out.set_duplicates(e.duplicates);
  out.set_expected(e.expected);
  out.set_lost(e.lost);
  out.set_reordered(e.reordered);
  out.set_jitter_mean_ms(e.jitter_mean_ms);
  out.set_jitter_max_ms(e.jitter_max_ms);
  out.set_rtt_ms(e.rtt_ms);
  out.set_max_delta_ms(e.max_delta_ms);
  out.set_first_ns(e.first_ns);
  out.set_last_ns(e.last_ns);
  out.set_bytes(e.bytes);
  out.set_gap_ms(e.gap_ms);
  out.set_gaps(e.gaps);
}

void from_wire(const wire::StreamEnded& w, media::StreamEnded& out) noexcept {
  out.flow = flow_from(w.flow());
  out.ssrc = w.ssrc();
  out.payload_type = static_cast<uint8_t>(w.payload_type());
  out.codec = static_cast<uint8_t>(w.codec());
  out.reason = static_cast<media::EndReason>(std::min<uint32_t>(w.reason(), 3));
  out.mos_x10 = static_cast<uint8_t>(w.mos_x10());
  out.packets = w.packets();
  out.duplicates = w.duplicates();
  out.expected = w.expected();
  out.lost = w.lost();
  out.reordered = w.reordered();
  out.jitter_mean_ms = w.jitter_mean_ms();
  out.jitter_max_ms = w.jitter_max_ms();
  out.rtt_ms = w.rtt_ms();
  out.max_delta_ms = w.max_delta_ms();
  out.call_hash = 0;
  out.first_ns = w.first_ns();
  out.last_ns = w.last_ns();
  out.bytes = w.bytes();
  out.gap_ms = w.gap_ms();
  out.gaps = w.gaps();
}

void to_wire(const signaling::MediaEndpointEvent& e, std::string_view call_id,
             wire::MediaEndpoint& out) {
  out.set_call_id(call_id.data(), call_id.size());
  out.set_timestamp_ns(e.timestamp_ns);
  put_address(out.mutable_addr(), e.addr);
  out.set_port(e.port);
  out.set_media_kind(e.media_kind);
  out.set_direction(e.direction);
  out.set_from_offer(e.from_offer != 0);
  out.set_from_caller(e.from_caller != 0);
  out.set_payload_types(reinterpret_cast<const char*>(e.payload_types.data()), e.payload_type_count);
  for (uint8_t i = 0; i < e.rtpmap_count; ++i) {
    const auto& m = e.rtpmaps[i];
    auto* r = out.add_rtpmaps();
    r->set_payload_type(m.payload_type);
    r->set_clock_rate(m.clock_rate);
    r->set_channels(m.channels);
    r->set_codec(m.codec.data(), strnlen(m.codec.data(), m.codec.size()));
  }
}

void from_wire(const wire::MediaEndpoint& w, signaling::MediaEndpointEvent& out) noexcept {
  out.call_id_hash = signaling::hash_call_id(w.call_id());
  out.timestamp_ns = w.timestamp_ns();
  out.addr = address_from(w.addr());
  out.port = static_cast<uint16_t>(w.port());
  out.media_kind = static_cast<uint8_t>(w.media_kind());
  out.direction = static_cast<uint8_t>(w.direction());
  out.from_offer = w.from_offer() ? 1 : 0;
  out.from_caller = w.from_caller() ? 1 : 0;
  out.payload_type_count =
      static_cast<uint8_t>(std::min(w.payload_types().size(), out.payload_types.size()));
  std::copy_n(w.payload_types().data(), out.payload_type_count, out.payload_types.begin());
  out.rtpmap_count = 0;
  for (const auto& r : w.rtpmaps()) {
    if (out.rtpmap_count == out.rtpmaps.size()) break;
    auto& m = out.rtpmaps[out.rtpmap_count++];
    m.payload_type = static_cast<uint8_t>(r.payload_type());
    m.clock_rate = r.clock_rate();
    m.channels = static_cast<uint8_t>(r.channels());
    m.codec = {};
    std::copy_n(r.codec().data(), std::min(r.codec().size(), m.codec.size()), m.codec.begin());
  }
}

namespace {

// One compression and one decompression context per thread, reused: a context made per call
// (ZSTD_compress) allocates and clears its tables every batch.
struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
ZstdContexts& zstd() {
  thread_local ZstdContexts z;
  return z;
}

}  // namespace

namespace {

// The envelope header in front of every body: magic and version, compression, raw length.
void put_envelope_header(char* o, Compression c, std::size_t raw_size) {
  std::memcpy(o, kMagic.data(), kMagic.size());
  o[4] = static_cast<char>(c);
  put_le32(o + 5, static_cast<uint32_t>(raw_size));
}

// `raw` behind its envelope header, uncompressed.
std::string seal_raw(const std::string& raw) {
  std::string out;
  out.resize_and_overwrite(kEnvelopeBytes + raw.size(), [&](char* o, std::size_t n) {
    put_envelope_header(o, Compression::kNone, raw.size());
    std::memcpy(o + kEnvelopeBytes, raw.data(), raw.size());
    return n;
  });
  return out;
}

}  // namespace

std::string seal(const wire::Batch& b, Compression c, int level, std::size_t* raw_bytes) {
  thread_local std::string raw;
  b.SerializeToString(&raw);
  if (raw_bytes != nullptr) *raw_bytes = raw.size();
  if (c == Compression::kNone) return seal_raw(raw);
  std::string out;
  const std::size_t room = ZSTD_compressBound(raw.size());
  // Sized without zero-filling: every byte kept is written below.
  out.resize_and_overwrite(kEnvelopeBytes + room, [&](char* o, std::size_t) {
    put_envelope_header(o, c, raw.size());
    const std::size_t n =
        ZSTD_compressCCtx(zstd().c, o + kEnvelopeBytes, room, raw.data(), raw.size(), level);
    // An error cannot happen with a bound-sized buffer; if it does, the batch goes raw.
    return ZSTD_isError(n) != 0 ? std::size_t{0} : kEnvelopeBytes + n;
  });
  return out.empty() ? seal_raw(raw) : out;
}

std::expected<void, DecodeError> unseal(std::span<const uint8_t> msg, wire::Batch& out) {
  if (msg.size() < kEnvelopeBytes) return std::unexpected(DecodeError::kTruncated);
  if (std::memcmp(msg.data(), kMagic.data(), 3) != 0) return std::unexpected(DecodeError::kBadMagic);
  if (msg[3] != static_cast<uint8_t>(kMagic[3])) return std::unexpected(DecodeError::kWrongVersion);
  const uint32_t len = get_le32(msg.data() + 5);
  if (len > kMaxBatchBytes) return std::unexpected(DecodeError::kTooLarge);
  const auto body = msg.subspan(kEnvelopeBytes);
  thread_local std::string scratch;
  const void* data = body.data();
  std::size_t size = body.size();
  switch (static_cast<Compression>(msg[4])) {
    case Compression::kNone:
      if (body.size() < len) return std::unexpected(DecodeError::kTruncated);
      size = len;
      break;
    case Compression::kZstd: {
      const unsigned long long content = ZSTD_getFrameContentSize(body.data(), body.size());
      if (content == ZSTD_CONTENTSIZE_ERROR) return std::unexpected(DecodeError::kDecompress);
      if (content != ZSTD_CONTENTSIZE_UNKNOWN && content > kMaxBatchBytes) {
        return std::unexpected(DecodeError::kTooLarge);
      }
      if (content != len) return std::unexpected(DecodeError::kDecompress);
      std::size_t n = 0;
      scratch.resize_and_overwrite(len, [&](char* o, std::size_t room) {
        n = ZSTD_decompressDCtx(zstd().d, o, room, body.data(), body.size());
        return ZSTD_isError(n) != 0 ? 0 : std::min(n, room);
      });
      if (ZSTD_isError(n) != 0 || n != len) return std::unexpected(DecodeError::kDecompress);
      data = scratch.data();
      size = n;
      break;
    }
    default:
      return std::unexpected(DecodeError::kBadCompression);
  }
  out.Clear();
  if (!out.ParseFromArray(data, static_cast<int>(size))) return std::unexpected(DecodeError::kCorrupt);
  return {};
}

}  // namespace rv::planes::remote
