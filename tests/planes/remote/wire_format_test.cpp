// The federation wire format (planes/remote/wire.proto, version 1): a frozen sample of every
// event type (tests/data/wire/batch_v1.bin, committed bytes) still decodes to the same values,
// events survive a round trip, and what does not decode is refused by reason, never parsed.

#include <gtest/gtest.h>

#include <zstd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "planes/remote/wire_format.hpp"
#include "planes/signaling/call_record.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::remote {
namespace {

dataplane::FlowKey flow(uint8_t last, uint16_t sport, uint16_t dport) {
  const uint8_t a[4] = {10, 0, 0, last};
  const uint8_t b[4] = {192, 168, 1, 2};
  return {{dataplane::IpAddress::v4(a), sport}, {dataplane::IpAddress::v4(b), dport}, 17};
}

// One event of every type, with values a reader can check.
wire::Batch sample() {
  wire::Batch b;
  b.set_probe_id("probe-a");
  b.set_seq(42);
  b.set_run(1700000000000000000ull);
  b.set_sent_unix_ns(1700000000123456789ull);
  signaling::SipMessageEvent sip;
  sip.timestamp_ns = 1000;
  sip.flow = flow(1, 5060, 5060);
  sip.length = 812;
  sip.is_request = 1;
  sip.method_name.assign("INVITE");
  sip.call_id.assign("abc123@host");
  sip.from_uri.assign("sip:alice@example.com");
  sip.from_tag.assign("ft1");
  sip.to_uri.assign("sip:bob@example.com");
  sip.cseq = 1;
  sip.cseq_method_name.assign("INVITE");
  sip.branch.assign("z9hG4bK-1");
  sip.contact.assign("<sip:alice@10.0.0.1>");
  sip.content_type.assign("application/sdp");
  const std::string_view sdp = "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8\r\n";
  std::memcpy(sip.body.data(), sdp.data(), sdp.size());
  sip.body_len = static_cast<uint16_t>(sdp.size());
  to_wire(sip, *b.add_events()->mutable_sip_message());
  signaling::RegistrationEvent reg;
  reg.timestamp_ns = 2000;
  reg.flow = flow(2, 5060, 5060);
  reg.expires = 3600;
  reg.cseq = 7;
  reg.status_code = 200;
  reg.aor.assign("sip:carol@example.com");
  reg.contact.assign("<sip:carol@10.0.0.2>");
  to_wire(reg, *b.add_events()->mutable_registration());
  to_wire(media::StreamStarted{flow(3, 4000, 5000), 0xdeadbeef, 8, 2, 99, 3000},
          *b.add_events()->mutable_stream_started());
  media::StreamInterval iv;
  iv.flow = flow(3, 4000, 5000);
  iv.ssrc = 0xdeadbeef;
  iv.packets = 500;
  iv.expected = 502;
  iv.lost = 2;
  iv.jitter_ms = 1.5f;
  iv.jitter_max_ms = 4.25f;
  iv.max_delta_ms = 60.0f;
  iv.mos_x10 = 42;
  iv.payload_type = 8;
  iv.codec = 2;
  iv.timestamp_ns = 4000;
  to_wire(iv, *b.add_events()->mutable_stream_interval());
  media::StreamEnded end;
  end.flow = flow(3, 4000, 5000);
  end.ssrc = 0xdeadbeef;
  end.payload_type = 8;
  end.codec = 2;
  end.reason = media::EndReason::kBye;
  end.mos_x10 = 41;
  end.packets = 1000;
  end.duplicates = 1;
  end.expected = 1003;
  end.lost = 3;
  end.reordered = 2;
  end.jitter_mean_ms = 1.25f;
  end.jitter_max_ms = 5.5f;
  end.rtt_ms = -1;
  end.max_delta_ms = 80.0f;
  end.first_ns = 3000;
  end.last_ns = 23000;
  end.bytes = 160000;
  to_wire(end, *b.add_events()->mutable_stream_ended());
  signaling::MediaEndpointEvent ep;
  ep.timestamp_ns = 5000;
  ep.addr = flow(1, 0, 0).src.addr;
  ep.port = 4000;
  ep.from_caller = 1;
  ep.from_offer = 1;
  ep.payload_type_count = 2;
  ep.payload_types[0] = 8;
  ep.payload_types[1] = 101;
  ep.rtpmap_count = 1;
  ep.rtpmaps[0].payload_type = 8;
  ep.rtpmaps[0].clock_rate = 8000;
  std::memcpy(ep.rtpmaps[0].codec.data(), "PCMA", 4);
  to_wire(ep, "abc123@host", *b.add_events()->mutable_media_endpoint());
  auto* h = b.add_events()->mutable_health();
  h->set_kind(wire::Health::END_OF_REPLAY);
  h->set_clock_ns(23000);
  h->set_last_seq(41);
  h->set_version("0.1.0");
  h->set_replay(true);
  return b;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::string frozen_path() { return test::test_data("wire/batch_v1.bin"); }

TEST(WireFormat, FrozenSampleOfEveryEventType_DecodesToTheSameValues) {
  if (const char* out = std::getenv("RV_WRITE_WIRE_SAMPLE")) {  // regenerates the sample
    std::ofstream(out, std::ios::binary) << seal(sample(), Compression::kZstd);
  }
  std::ifstream in(frozen_path(), std::ios::binary);
  ASSERT_TRUE(in) << frozen_path();
  const std::vector<uint8_t> frozen{std::istreambuf_iterator<char>(in), {}};
  wire::Batch b;
  ASSERT_TRUE(unseal(frozen, b).has_value());
  EXPECT_EQ(b.probe_id(), "probe-a");
  EXPECT_EQ(b.seq(), 42u);
  EXPECT_EQ(b.run(), 1700000000000000000ull);
  ASSERT_EQ(b.events_size(), 7);

  signaling::SipMessageEvent sip;
  from_wire(b.events(0).sip_message(), sip);
  EXPECT_EQ(sip.call_id.view(), "abc123@host");
  EXPECT_EQ(sip.call_id_hash, signaling::hash_call_id("abc123@host"));
  EXPECT_EQ(sip.method, signaling::SipMethod::kInvite);
  EXPECT_EQ(sip.cseq_method, signaling::SipMethod::kInvite);
  EXPECT_EQ(sip.from_uri.view(), "sip:alice@example.com");
  EXPECT_EQ(sip.branch.view(), "z9hG4bK-1");
  EXPECT_EQ(sip.flow, flow(1, 5060, 5060));
  EXPECT_EQ(sip.body_view(), "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8\r\n");

  signaling::RegistrationEvent reg;
  from_wire(b.events(1).registration(), reg);
  EXPECT_EQ(reg.expires, 3600u);
  EXPECT_EQ(reg.status_code, 200);
  EXPECT_EQ(reg.aor.view(), "sip:carol@example.com");

  media::StreamStarted st;
  from_wire(b.events(2).stream_started(), st);
  EXPECT_EQ(st.ssrc, 0xdeadbeefu);
  EXPECT_EQ(st.first_ns, 3000u);
  EXPECT_EQ(st.call_hash, 0u);  // hashes are per process: the receiver associates

  media::StreamInterval iv;
  from_wire(b.events(3).stream_interval(), iv);
  EXPECT_EQ(iv.packets, 500u);
  EXPECT_EQ(iv.lost, 2);
  EXPECT_FLOAT_EQ(iv.jitter_max_ms, 4.25f);
  EXPECT_EQ(iv.mos_x10, 42);

  media::StreamEnded end;
  from_wire(b.events(4).stream_ended(), end);
  EXPECT_EQ(end.flow, flow(3, 4000, 5000));
  EXPECT_EQ(end.reason, media::EndReason::kBye);
  EXPECT_EQ(end.expected, 1003);
  EXPECT_EQ(end.duplicates, 1u);
  EXPECT_FLOAT_EQ(end.jitter_mean_ms, 1.25f);
  EXPECT_FLOAT_EQ(end.rtt_ms, -1.0f);
  EXPECT_EQ(end.bytes, 160000u);

  signaling::MediaEndpointEvent ep;
  from_wire(b.events(5).media_endpoint(), ep);
  EXPECT_EQ(ep.port, 4000);
  EXPECT_EQ(ep.call_id_hash, signaling::hash_call_id("abc123@host"));
  ASSERT_EQ(ep.payload_type_count, 2);
  EXPECT_EQ(ep.payload_types[1], 101);
  ASSERT_EQ(ep.rtpmap_count, 1);
  EXPECT_EQ(ep.rtpmaps[0].clock_rate, 8000u);
  EXPECT_STREQ(ep.rtpmaps[0].codec.data(), "PCMA");

  const auto& h = b.events(6).health();
  EXPECT_EQ(h.kind(), wire::Health::END_OF_REPLAY);
  EXPECT_EQ(h.last_seq(), 41u);
}

TEST(WireFormat, MediaGaps_CrossTheWire) {
  media::StreamInterval iv;
  iv.gaps = 2;
  iv.gap_ms = 5780.5f;
  wire::StreamInterval wi;
  to_wire(iv, wi);
  media::StreamInterval iv2;
  from_wire(wi, iv2);
  EXPECT_EQ(iv2.gaps, 2u);
  EXPECT_EQ(iv2.gap_ms, 5780.5f);
  media::StreamEnded end;
  end.gaps = 3;
  end.gap_ms = 6000.25f;
  wire::StreamEnded we;
  to_wire(end, we);
  media::StreamEnded end2;
  from_wire(we, end2);
  EXPECT_EQ(end2.gaps, 3u);
  EXPECT_EQ(end2.gap_ms, 6000.25f);
}

TEST(WireFormat, RawAndCompressed_RoundTripTheSameBatch) {
  const wire::Batch b = sample();
  for (const Compression c : {Compression::kNone, Compression::kZstd}) {
    wire::Batch out;
    ASSERT_TRUE(unseal(bytes_of(seal(b, c)), out).has_value());
    EXPECT_EQ(out.SerializeAsString(), b.SerializeAsString());
  }
}

DecodeError refused(const std::string& msg) {
  wire::Batch out;
  const auto r = unseal(bytes_of(msg), out);
  EXPECT_FALSE(r.has_value());
  return r ? DecodeError::kCorrupt : r.error();
}

TEST(WireFormat, BadMessages_AreRefusedByReason) {
  const std::string good = seal(sample(), Compression::kZstd);
  EXPECT_EQ(refused(good.substr(0, 5)), DecodeError::kTruncated);
  EXPECT_EQ(refused("XYZ1" + good.substr(4)), DecodeError::kBadMagic);
  std::string v2 = good;
  v2[3] = '2';
  EXPECT_EQ(refused(v2), DecodeError::kWrongVersion);
  std::string codec = good;
  codec[4] = 7;
  EXPECT_EQ(refused(codec), DecodeError::kBadCompression);
  std::string corrupt = good;
  for (std::size_t i = kEnvelopeBytes + 4; i < corrupt.size(); i += 3) corrupt[i] ^= 0x5a;
  EXPECT_EQ(refused(corrupt), DecodeError::kDecompress);
  const std::string raw = seal(sample(), Compression::kNone);
  EXPECT_EQ(refused(raw.substr(0, raw.size() - 10)), DecodeError::kTruncated);
  std::string garbage = raw;
  for (std::size_t i = kEnvelopeBytes; i < garbage.size(); ++i) garbage[i] = char(0xff);
  EXPECT_EQ(refused(garbage), DecodeError::kCorrupt);
}

TEST(WireFormat, DecompressionBomb_IsRefusedBeforeInflating) {
  // 64 MiB of zeros compress to a few KiB: the frame's content size gives it away.
  const std::string zeros(64u << 20, '\0');
  std::string frame(ZSTD_compressBound(zeros.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 1));
  std::string msg = seal(sample(), Compression::kZstd).substr(0, kEnvelopeBytes);
  EXPECT_EQ(refused(msg + frame), DecodeError::kTooLarge);  // declared small, frame says huge
  const uint32_t huge = 64u << 20;
  for (int i = 0; i < 4; ++i) msg[5 + i] = char((huge >> (8 * i)) & 0xff);
  EXPECT_EQ(refused(msg + frame), DecodeError::kTooLarge);  // declared huge
}

TEST(WireFormat, Subjects_NameProbePlaneAndEvent) {
  EXPECT_EQ(subject_for("edge-1", "signaling.sip_message"), "rvoip.edge-1.signaling.sip_message");
  EXPECT_EQ(subject_for("edge-1", "media.stream_ended"), "rvoip.edge-1.media.stream_ended");
}

}  // namespace
}  // namespace rv::planes::remote
