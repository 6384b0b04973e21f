// HEP decoding: v3 chunks and the v1/v2 binary header give the captured packet's addresses,
// ports, time and payload; every inconsistency has its reason.

#include "dataplane/hep.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace rv::dataplane {
namespace {

using Bytes = std::vector<uint8_t>;
constexpr std::string_view kSip = "OPTIONS sip:a@b SIP/2.0\r\n\r\n";

void be(Bytes& b, uint32_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void chunk(Bytes& b, uint16_t type, const Bytes& value) {
  be(b, 0, 2);
  be(b, type, 2);
  be(b, static_cast<uint32_t>(6 + value.size()), 2);
  b.insert(b.end(), value.begin(), value.end());
}

Bytes hep3(bool with_payload = true) {
  Bytes body;
  chunk(body, 1, {2});
  chunk(body, 2, {17});
  chunk(body, 3, {10, 0, 0, 1});
  chunk(body, 4, {10, 0, 0, 2});
  chunk(body, 7, {0x13, 0xC4});
  chunk(body, 8, {0x13, 0xC5});
  chunk(body, 9, {0x65, 0x53, 0xF1, 0x00});  // 1700000000
  chunk(body, 10, {0, 0, 0x03, 0xE8});        // 1000 us
  chunk(body, 12, {0, 0, 0, 7});
  if (with_payload) chunk(body, 15, Bytes(kSip.begin(), kSip.end()));
  Bytes b = {'H', 'E', 'P', '3'};
  be(b, static_cast<uint32_t>(6 + body.size()), 2);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

TEST(Hep, V3_GivesAddressesPortsTimeAndPayload) {
  const Bytes d = hep3();
  HepPacket h;
  ASSERT_EQ(decode_hep(d, h), HepStatus::kOk);
  EXPECT_EQ(h.version, 3);
  EXPECT_EQ(h.l3, L3Proto::kIpv4);
  const uint8_t src[4] = {10, 0, 0, 1};
  EXPECT_EQ(h.src, IpAddress::v4(src));
  EXPECT_EQ(h.src_port, 5060);
  EXPECT_EQ(h.dst_port, 5061);
  EXPECT_EQ(h.capture_ns, 1700000000'001000000ull);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(h.payload), h.payload_len), kSip);
  ParsedPacket p;
  p.ip_proto = kIpProtoTcp;
  apply_hep(h, p);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_TRUE(p.from_hep);
  EXPECT_EQ(p.dst_port, 5061);
}

TEST(Hep, V2_LittleEndianTimeAsCaptagentWritesIt) {
  Bytes d = {2, 28, 2, 17, 0x13, 0xC4, 0x13, 0xC5, 10, 0, 0, 1, 10, 0, 0, 2};
  const Bytes t = {0x00, 0xF1, 0x53, 0x65, 0xE8, 0x03, 0, 0, 7, 0, 0, 0};  // 1700000000 s, 1000 us
  d.insert(d.end(), t.begin(), t.end());
  d.insert(d.end(), kSip.begin(), kSip.end());
  HepPacket h;
  ASSERT_EQ(decode_hep(d, h), HepStatus::kOk);
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.capture_ns, 1700000000'001000000ull);
  EXPECT_EQ(h.payload_len, kSip.size());
  d[2] = 7;  // no such address family
  EXPECT_EQ(decode_hep(d, h), HepStatus::kBadFamily);
}

TEST(Hep, InconsistentLengths_CountedByReason) {
  HepPacket h;
  Bytes d = hep3();
  Bytes longer = d;
  longer[5] = static_cast<uint8_t>(longer[5] + 4);  // total length past the datagram
  EXPECT_EQ(decode_hep(longer, h), HepStatus::kTruncated);
  Bytes shorter = d;
  shorter[5] = static_cast<uint8_t>(shorter[5] - 4);  // total length short of it
  EXPECT_EQ(decode_hep(shorter, h), HepStatus::kBadLength);
  Bytes past = d;
  past[d.size() - kSip.size() - 1] = 200;  // the payload chunk runs past the end
  EXPECT_EQ(decode_hep(past, h), HepStatus::kBadChunkLength);
  Bytes tiny = d;
  tiny[11] = 3;  // the first chunk shorter than its own header
  EXPECT_EQ(decode_hep(tiny, h), HepStatus::kBadChunkLength);
  EXPECT_EQ(decode_hep(hep3(false), h), HepStatus::kMissingChunk);
  EXPECT_EQ(decode_hep(Bytes{'H', 'E', 'P'}, h), HepStatus::kTruncated);
  EXPECT_EQ(decode_hep(Bytes{'X', 'E', 'P', '3', 0, 6}, h), HepStatus::kBadVersion);
  // Every prefix decodes to something other than ok, reading nothing past its end.
  for (std::size_t n = 0; n < d.size(); ++n) {
    const Bytes cut(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(decode_hep(cut, h), HepStatus::kOk) << n;
  }
}

}  // namespace
}  // namespace rv::dataplane
