#include "dataplane/packet_parser.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/support/pcap_file.hpp"

namespace rv::dataplane {
namespace {

using Bytes = std::vector<uint8_t>;
using S = ParseStatus;

// ---- Frame builders --------------------------------------------------------------------------

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoIcmpV6 = 58;
constexpr uint8_t kNhHopByHop = 0;
constexpr uint8_t kNhRouting = 43;
constexpr uint8_t kNhFragment = 44;
constexpr uint8_t kNhAh = 51;
constexpr uint8_t kNhDestOpts = 60;

void put16(Bytes& b, std::size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
void put32(Bytes& b, std::size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes pattern(std::size_t n, uint8_t seed = 0x41) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i % 26);
  return b;
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes h(8, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, static_cast<uint16_t>(8 + payload.size()));
  return cat({h, payload});
}

// TCP header with `options` (a multiple of 4 bytes) and `payload`.
Bytes tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const Bytes& options,
          const Bytes& payload) {
  Bytes h(20, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put32(h, 4, seq);
  h[12] = static_cast<uint8_t>(((20 + options.size()) / 4) << 4);
  h[13] = flags;
  put16(h, 14, 65535);
  return cat({h, options, payload});
}

// MSS, SACK-permitted, timestamps, NOP, window scale: 20 bytes of options.
Bytes tcp_syn_options() {
  return {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00,
          0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
}

const Bytes kSrc4 = {192, 0, 2, 10};
const Bytes kDst4 = {198, 51, 100, 20};

// IPv4 header (IHL from `options`, a multiple of 4) + `l4`. `frag` is the flags/offset field.
Bytes ipv4(uint8_t proto, const Bytes& l4, const Bytes& options = {}, uint16_t frag = 0) {
  Bytes h(20 + options.size(), 0);
  h[0] = static_cast<uint8_t>(0x40 | (h.size() / 4));
  put16(h, 2, static_cast<uint16_t>(h.size() + l4.size()));
  put16(h, 4, 0x1234);
  put16(h, 6, frag);
  h[8] = 64;
  h[9] = proto;
  for (int i = 0; i < 4; ++i) {
    h[12 + i] = kSrc4[i];
    h[16 + i] = kDst4[i];
  }
  for (std::size_t i = 0; i < options.size(); ++i) h[20 + i] = options[i];
  return cat({h, l4});
}

// Record route with room for two addresses, then NOP + end of list: 12 bytes.
Bytes ipv4_options() {
  return {0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00};
}

Bytes v6_addr(uint8_t last) {
  Bytes a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
  return a;
}

// IPv6 fixed header with next header `nh` + `rest` (extension headers and L4).
Bytes ipv6(uint8_t nh, const Bytes& rest) {
  Bytes h(40, 0);
  h[0] = 0x60;
  put16(h, 4, static_cast<uint16_t>(rest.size()));
  h[6] = nh;
  h[7] = 64;
  const Bytes s = v6_addr(1);
  const Bytes d = v6_addr(2);
  for (int i = 0; i < 16; ++i) {
    h[8 + i] = s[i];
    h[24 + i] = d[i];
  }
  return cat({h, rest});
}

// Generic IPv6 extension header (hop-by-hop, routing, destination options): (units + 1) * 8 bytes.
Bytes v6_ext(uint8_t next, uint8_t units = 0) {
  Bytes e((units + 1u) * 8u, 0);
  e[0] = next;
  e[1] = units;
  e[2] = 0x01;  // PadN option filling the rest
  e[3] = static_cast<uint8_t>(e.size() - 4);
  return e;
}

// Authentication header: (len + 2) * 4 bytes.
Bytes v6_ah(uint8_t next) {
  Bytes e(16, 0);
  e[0] = next;
  e[1] = 2;
  return e;
}

Bytes v6_fragment(uint8_t next, uint16_t offset_units, bool more, uint32_t id = 7) {
  Bytes e(8, 0);
  e[0] = next;
  put16(e, 2, static_cast<uint16_t>((offset_units << 3) | (more ? 1 : 0)));
  put32(e, 4, id);
  return e;
}

const Bytes kMacs = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};

Bytes vlan_tag(uint16_t tpid_of_tag, uint16_t tci) {
  Bytes t(4, 0);
  put16(t, 0, tpid_of_tag);
  put16(t, 2, tci);
  return t;
}

// Ethernet with tags given as (TPID, TCI) pairs, outer first.
Bytes ether(uint16_t type, const Bytes& l3,
            std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  Bytes out = kMacs;
  for (const auto& [tpid, tci] : tags) {
    const Bytes t = vlan_tag(tpid, tci);
    out.insert(out.end(), t.begin(), t.end());
  }
  Bytes et(2, 0);
  put16(et, 0, type);
  return cat({out, et, l3});
}

Bytes sll(uint16_t proto, const Bytes& l3) {
  Bytes h(16, 0);
  put16(h, 0, 0);  // packet type: to us
  put16(h, 2, 1);  // ARPHRD_ETHER
  put16(h, 4, 6);
  put16(h, 14, proto);
  return cat({h, l3});
}

Bytes sll2(uint16_t proto, const Bytes& l3) {
  Bytes h(20, 0);
  put16(h, 0, proto);
  put32(h, 4, 2);  // interface index
  put16(h, 8, 1);  // ARPHRD_ETHER
  h[11] = 6;
  return cat({h, l3});
}

// BSD loopback: the address family in the capturing host's byte order.
Bytes null_link(uint32_t family, bool little_endian, const Bytes& l3) {
  Bytes h(4, 0);
  if (little_endian) {
    h[0] = static_cast<uint8_t>(family);
  } else {
    h[3] = static_cast<uint8_t>(family);
  }
  return cat({h, l3});
}

const Bytes kRtpPayload = [] {
  Bytes b = pattern(172);
  b[0] = 0x80;
  b[1] = 0x00;
  return b;
}();

ParseStatus parse(const Bytes& f, LinkType link, ParsedPacket& p) {
  // A copy of exactly the frame's size: an over-read is a heap overflow under ASan.
  const Bytes exact(f.begin(), f.end());
  return parse_frame(std::span<const uint8_t>(exact.data(), exact.size()), link, p);
}

// ---- Well-formed frames ------------------------------------------------------------------------

TEST(PacketParser, EthernetIpv4Udp_FillsAddressesPortsAndPayload) {
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(40000, 5060, kRtpPayload)));
  ParsedPacket p;
  const Bytes exact = f;
  ASSERT_EQ(parse_frame(exact, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.vlan_count, 0);
  EXPECT_EQ(p.l3, L3Proto::kIpv4);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_EQ(p.src, IpAddress::v4(kSrc4.data()));
  EXPECT_EQ(p.dst, IpAddress::v4(kDst4.data()));
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 5060);
  EXPECT_EQ(p.l3_offset, 14);
  EXPECT_EQ(p.l4_offset, 34);
  EXPECT_EQ(p.payload, exact.data() + 42);
  EXPECT_EQ(p.payload_len, kRtpPayload.size());
}

TEST(PacketParser, Vlan8021Q_RecordsTheIdWithoutPriorityBits) {
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(10))),
                        {{kEtherVlan, 0xE000 | 0x1000 | 100}});  // PCP 7, DEI 1, VID 100
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.vlan_ids[0], 100);
  EXPECT_EQ(p.l3_offset, 18);
  EXPECT_EQ(p.payload_len, 10u);
}

TEST(PacketParser, QinQ_88A8Then8100_RecordsOuterFirst) {
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(10))),
                        {{kEtherQinQ, 300}, {kEtherVlan, 42}});
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.vlan_ids[0], 300);
  EXPECT_EQ(p.vlan_ids[1], 42);
  EXPECT_EQ(p.l3_offset, 22);
  EXPECT_EQ(p.dst_port, 2);
}

TEST(PacketParser, QinQ_Legacy9100_IsATag) {
  const Bytes f = ether(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, pattern(3))),
                        {{kEtherQinQOld, 7}, {kEtherVlan, 8}});
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.l3, L3Proto::kIpv6);
}

TEST(PacketParser, FourVlanTags_ParseAndFiveAreRejected) {
  const Bytes four = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(10))),
                           {{kEtherQinQ, 1}, {kEtherQinQ, 2}, {kEtherVlan, 3}, {kEtherVlan, 4}});
  ParsedPacket p;
  ASSERT_EQ(parse(four, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.vlan_count, 4);
  EXPECT_EQ(p.vlan_ids[3], 4);
  EXPECT_EQ(p.encap_count, 4);
  EXPECT_EQ(p.encaps[0], Encap::kQinq);
  EXPECT_EQ(p.encaps[3], Encap::kVlan);
  EXPECT_EQ(p.encap_depth, 0);  // tags are no tunnel levels
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(10))),
                        {{kEtherQinQ, 1}, {kEtherVlan, 2}, {kEtherVlan, 3}, {kEtherVlan, 4},
                         {kEtherVlan, 5}});
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kTooManyVlanTags);
  EXPECT_TRUE(is_malformed(S::kTooManyVlanTags));
}

TEST(PacketParser, Ipv4WithOptions_FindsL4AfterTheOptions) {
  const Bytes f =
      ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(7000, 7001, pattern(33)), ipv4_options()));
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.l4_offset, 14 + 32);
  EXPECT_EQ(p.src_port, 7000);
  EXPECT_EQ(p.payload_len, 33u);
}

TEST(PacketParser, Ipv4MaximalIhl_60ByteHeaderParses) {
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(5)), Bytes(40, 1)));
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.l4_offset, 14 + 60);
}

struct FragCase {
  const char* name;
  uint16_t field;  // flags + offset
};

TEST(PacketParser, Ipv4Fragments_FirstMiddleLast_ReportFragmentWithAddressesAndNoL4) {
  const FragCase cases[] = {
      {"first", 0x2000},         // MF, offset 0
      {"middle", 0x2000 | 185},  // MF, offset 1480
      {"last", 370},             // offset 2960, no MF
      {"first_with_df_bit", 0x6000},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1111, 2222, pattern(64)), {}, c.field));
    ParsedPacket p;
    ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kIpFragment);
    EXPECT_EQ(p.l3, L3Proto::kIpv4);
    EXPECT_EQ(p.ip_proto, kIpProtoUdp);
    EXPECT_EQ(p.src, IpAddress::v4(kSrc4.data()));
    EXPECT_EQ(p.dst, IpAddress::v4(kDst4.data()));
    EXPECT_EQ(p.src_port, 0) << "a fragment's L4 is not read";
    EXPECT_EQ(p.payload, nullptr);
    EXPECT_FALSE(is_malformed(S::kIpFragment));
  }
}

TEST(PacketParser, Ipv4DontFragmentAlone_IsNotAFragment) {
  const Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(4)), {}, 0x4000));
  ParsedPacket p;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
}

TEST(PacketParser, Ipv6ExtensionHeaders_HopByHopRoutingDestOpts_ReachUdp) {
  const Bytes l4 = udp(30000, 30001, kRtpPayload);
  const Bytes chain = cat({v6_ext(kNhRouting), v6_ext(kNhDestOpts, 2), v6_ext(kIpProtoUdp, 1)});
  const Bytes f = ether(kEtherIpv6, ipv6(kNhHopByHop, cat({chain, l4})));
  ParsedPacket p;
  const Bytes exact = f;
  ASSERT_EQ(parse_frame(exact, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.l3, L3Proto::kIpv6);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_EQ(p.src, IpAddress::v6(v6_addr(1).data()));
  EXPECT_EQ(p.dst, IpAddress::v6(v6_addr(2).data()));
  EXPECT_EQ(p.l4_offset, 14 + 40 + chain.size());
  EXPECT_EQ(p.src_port, 30000);
  EXPECT_EQ(p.payload, exact.data() + 14 + 40 + chain.size() + 8);
  EXPECT_EQ(p.payload_len, kRtpPayload.size());
}

TEST(PacketParser, Ipv6AuthenticationHeader_UsesItsFourByteLengthUnit) {
  const Bytes f =
      ether(kEtherIpv6, ipv6(kNhAh, cat({v6_ah(kIpProtoTcp), tcp(1, 2, 3, 0x18, {}, pattern(9))})));
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.l4_offset, 14 + 40 + 16);
  EXPECT_EQ(p.payload_len, 9u);
}

TEST(PacketParser, Ipv6NineExtensionHeaders_AreRejected) {
  Bytes chain;
  for (int i = 0; i < 9; ++i) {
    const Bytes e = v6_ext(i == 8 ? kIpProtoUdp : kNhDestOpts);
    chain.insert(chain.end(), e.begin(), e.end());
  }
  const Bytes f = ether(kEtherIpv6, ipv6(kNhDestOpts, cat({chain, udp(1, 2, pattern(4))})));
  ParsedPacket p;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kTooManyIpv6ExtHeaders);
}

TEST(PacketParser, Ipv6FragmentHeader_ReportsFragmentWithItsOffsetAndInnerProtocol) {
  {
    const Bytes f =
        ether(kEtherIpv6,
              ipv6(kNhFragment, cat({v6_fragment(kIpProtoUdp, 0, true), udp(1, 2, pattern(64))})));
    ParsedPacket p;
    ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kIpFragment);
    EXPECT_EQ(p.l3, L3Proto::kIpv6);
    EXPECT_EQ(p.ip_proto, kIpProtoUdp);
    EXPECT_EQ(p.frag_offset, 14 + 40);
    EXPECT_EQ(p.src_port, 0);
  }
  {  // after a hop-by-hop header; a last fragment
    const Bytes f =
        ether(kEtherIpv6,
              ipv6(kNhHopByHop,
                   cat({v6_ext(kNhFragment), v6_fragment(kIpProtoTcp, 100, false), pattern(40)})));
    ParsedPacket p;
    ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kIpFragment);
    EXPECT_EQ(p.ip_proto, kIpProtoTcp);
    EXPECT_EQ(p.frag_offset, 14 + 40 + 8);
  }
}

TEST(PacketParser, TcpWithOptions_PayloadStartsAfterDataOffset) {
  const Bytes f =
      ether(kEtherIpv4,
            ipv4(kIpProtoTcp, tcp(5060, 41000, 0xdeadbeef, 0x18, tcp_syn_options(), pattern(100))));
  ParsedPacket p;
  const Bytes exact = f;
  ASSERT_EQ(parse_frame(exact, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.ip_proto, kIpProtoTcp);
  EXPECT_EQ(p.src_port, 5060);
  EXPECT_EQ(p.dst_port, 41000);
  EXPECT_EQ(p.tcp_seq, 0xdeadbeefu);
  EXPECT_EQ(p.tcp_flags, 0x18);
  EXPECT_EQ(p.payload, exact.data() + 14 + 20 + 40);
  EXPECT_EQ(p.payload_len, 100u);
}

TEST(PacketParser, TcpSynWithoutPayload_HasEmptyPayload) {
  const Bytes f =
      ether(kEtherIpv6, ipv6(kIpProtoTcp, tcp(1, 5060, 1, kTcpSyn, tcp_syn_options(), {})));
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.tcp_flags, kTcpSyn);
  EXPECT_EQ(p.payload_len, 0u);
}

TEST(PacketParser, LinuxSll_ParsesIpv4AndIpv6) {
  ParsedPacket p;
  ASSERT_EQ(
      parse(sll(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8)))), LinkType::kLinuxSll, p),
      S::kOk);
  EXPECT_EQ(p.l3_offset, 16);
  EXPECT_EQ(p.payload_len, 8u);
  ASSERT_EQ(
      parse(sll(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, pattern(8)))), LinkType::kLinuxSll, p),
      S::kOk);
  EXPECT_EQ(p.l3, L3Proto::kIpv6);
  EXPECT_EQ(parse(sll(kEtherArp, pattern(28)), LinkType::kLinuxSll, p), S::kNotIp);
}

TEST(PacketParser, LinuxSll2_ParsesWithProtocolFirst) {
  ParsedPacket p;
  ASSERT_EQ(
      parse(sll2(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8)))), LinkType::kLinuxSll2, p),
      S::kOk);
  EXPECT_EQ(p.l3_offset, 20);
  EXPECT_EQ(p.l4_offset, 40);
  EXPECT_EQ(parse(sll2(kEtherArp, pattern(28)), LinkType::kLinuxSll2, p), S::kNotIp);
}

TEST(PacketParser, RawIp_ParsesIpv4AndIpv6FromOffsetZero) {
  ParsedPacket p;
  ASSERT_EQ(parse(ipv4(kIpProtoUdp, udp(1, 2, pattern(8))), LinkType::kRaw, p), S::kOk);
  EXPECT_EQ(p.l3_offset, 0);
  EXPECT_EQ(p.l4_offset, 20);
  ASSERT_EQ(parse(ipv6(kIpProtoUdp, udp(1, 2, pattern(8))), LinkType::kRaw, p), S::kOk);
  EXPECT_EQ(p.l3, L3Proto::kIpv6);
  EXPECT_EQ(p.l4_offset, 40);
}

TEST(PacketParser, BsdLoopback_EitherByteOrderAndEveryInet6Value) {
  ParsedPacket p;
  const Bytes v4 = ipv4(kIpProtoUdp, udp(1, 2, pattern(8)));
  const Bytes v6 = ipv6(kIpProtoUdp, udp(1, 2, pattern(8)));
  for (bool le : {true, false}) {
    SCOPED_TRACE(le ? "little endian" : "big endian");
    ASSERT_EQ(parse(null_link(2, le, v4), LinkType::kNull, p), S::kOk);
    EXPECT_EQ(p.l3, L3Proto::kIpv4);
    EXPECT_EQ(p.l3_offset, 4);
    for (uint32_t af6 : {24u, 28u, 30u}) {
      ASSERT_EQ(parse(null_link(af6, le, v6), LinkType::kNull, p), S::kOk);
      EXPECT_EQ(p.l3, L3Proto::kIpv6);
    }
    EXPECT_EQ(parse(null_link(7, le, v4), LinkType::kNull, p), S::kNotIp);
  }
}

TEST(PacketParser, UnknownLinkType_IsUnsupported) {
  ParsedPacket p;
  EXPECT_EQ(parse(ipv4(kIpProtoUdp, udp(1, 2, pattern(8))), static_cast<LinkType>(147), p),
            S::kUnsupportedLinkType);
}

TEST(PacketParser, Arp_IsNotIp) {
  ParsedPacket p;
  EXPECT_EQ(parse(ether(kEtherArp, pattern(28)), LinkType::kEthernet, p), S::kNotIp);
  EXPECT_EQ(parse(ether(kEtherArp, pattern(28), {{kEtherVlan, 5}}), LinkType::kEthernet, p),
            S::kNotIp);
  EXPECT_EQ(p.vlan_ids[0], 5);
  EXPECT_FALSE(is_malformed(S::kNotIp));
}

TEST(PacketParser, IcmpAndIcmpv6_AreOtherL4WithAddresses) {
  ParsedPacket p;
  EXPECT_EQ(parse(ether(kEtherIpv4, ipv4(kIpProtoIcmp, pattern(16))), LinkType::kEthernet, p),
            S::kOtherL4);
  EXPECT_EQ(p.l3, L3Proto::kIpv4);
  EXPECT_EQ(p.ip_proto, kIpProtoIcmp);
  EXPECT_EQ(parse(ether(kEtherIpv6, ipv6(kIpProtoIcmpV6, pattern(16))), LinkType::kEthernet, p),
            S::kOtherL4);
  EXPECT_EQ(p.ip_proto, kIpProtoIcmpV6);
  EXPECT_FALSE(is_malformed(S::kOtherL4));
}

// ---- Bad lengths and bad headers ---------------------------------------------------------------

constexpr std::size_t kL3 = 14;  // IP offset in an untagged Ethernet frame

TEST(PacketParser, Ipv4HeaderLengthBelowFive_IsBadHeaderLength) {
  for (uint8_t ihl = 0; ihl < 5; ++ihl) {
    SCOPED_TRACE(static_cast<int>(ihl));
    Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8))));
    f[kL3] = static_cast<uint8_t>(0x40 | ihl);
    ParsedPacket p;
    EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv4HeaderLength);
  }
}

TEST(PacketParser, Ipv4WrongVersion_IsBadVersion) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8))));
  f[kL3] = 0x55;
  ParsedPacket p;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv4Version);
  Bytes g = ether(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, pattern(8))));
  g[kL3] = 0x45;
  EXPECT_EQ(parse(g, LinkType::kEthernet, p), S::kBadIpv6Version);
}

TEST(PacketParser, Ipv4TotalLengthBelowHeaderLength_IsBadTotalLength) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8)), ipv4_options()));
  for (uint16_t total : {0, 19, 20, 31}) {  // IHL is 32
    SCOPED_TRACE(total);
    put16(f, kL3 + 2, total);
    ParsedPacket p;
    EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv4TotalLength);
  }
}

TEST(PacketParser, Ipv4TotalLengthBeyondFrame_IsBadTotalLength) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8))));
  put16(f, kL3 + 2, static_cast<uint16_t>(f.size() - kL3 + 1));
  ParsedPacket p;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv4TotalLength);
  put16(f, kL3 + 2, 0xFFFF);
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv4TotalLength);
}

TEST(PacketParser, Ipv6PayloadLengthZeroOrBeyondFrame_IsBadPayloadLength) {
  Bytes f = ether(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, pattern(8))));
  ParsedPacket p;
  put16(f, kL3 + 4, 0);  // a jumbogram's zero needs a hop-by-hop jumbo option: not supported
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv6PayloadLength);
  put16(f, kL3 + 4, static_cast<uint16_t>(f.size() - kL3 - 40 + 1));
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadIpv6PayloadLength);
}

TEST(PacketParser, UdpLengthFieldZero_IsBadUdpLength) {
  for (uint16_t len = 0; len < 8; ++len) {
    SCOPED_TRACE(len);
    Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8))));
    put16(f, kL3 + 20 + 4, len);
    ParsedPacket p;
    EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadUdpLength);
  }
}

TEST(PacketParser, UdpEmptyPayload_ParsesWithZeroPayload) {
  ParsedPacket p;
  ASSERT_EQ(parse(ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, {}))), LinkType::kEthernet, p),
            S::kOk);
  EXPECT_EQ(p.payload_len, 0u);
}

TEST(PacketParser, UdpLengthBeyondIpPayload_IsBadUdpLength) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(8))));
  put16(f, kL3 + 20 + 4, 17);
  ParsedPacket p;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadUdpLength);
  // The same UDP length inside IPv6.
  Bytes g = ether(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, pattern(8))));
  put16(g, kL3 + 40 + 4, 17);
  EXPECT_EQ(parse(g, LinkType::kEthernet, p), S::kBadUdpLength);
}

TEST(PacketParser, UdpLengthBelowIpPayload_PayloadFollowsUdpLength) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, pattern(20))));
  put16(f, kL3 + 20 + 4, 8 + 5);
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.payload_len, 5u);
}

TEST(PacketParser, TcpDataOffsetBelowFive_IsBadHeaderLength) {
  for (uint8_t doff = 0; doff < 5; ++doff) {
    SCOPED_TRACE(static_cast<int>(doff));
    Bytes f = ether(kEtherIpv4, ipv4(kIpProtoTcp, tcp(1, 2, 3, 0x10, {}, pattern(40))));
    f[kL3 + 20 + 12] = static_cast<uint8_t>(doff << 4);
    ParsedPacket p;
    EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadTcpHeaderLength);
  }
}

TEST(PacketParser, TcpDataOffsetBeyondSegment_IsBadHeaderLength) {
  // 20-byte header + 12 bytes of payload; data offset 15 claims 60 bytes of header.
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoTcp, tcp(1, 2, 3, 0x10, {}, pattern(12))));
  ParsedPacket p;
  f[kL3 + 20 + 12] = 0xF0;
  EXPECT_EQ(parse(f, LinkType::kEthernet, p), S::kBadTcpHeaderLength);
  f[kL3 + 20 + 12] = 0x80;  // exactly 32 bytes: everything is header
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.payload_len, 0u);
}

TEST(PacketParser, JumboFrame_9000ByteUdpDatagramParses) {
  const Bytes payload = pattern(9000 - 8);
  for (const bool v6 : {false, true}) {
    SCOPED_TRACE(v6 ? "ipv6" : "ipv4");
    const Bytes l4 = udp(20000, 20002, payload);
    const Bytes f = v6 ? ether(kEtherIpv6, ipv6(kIpProtoUdp, l4), {{kEtherVlan, 9}})
                       : ether(kEtherIpv4, ipv4(kIpProtoUdp, l4), {{kEtherVlan, 9}});
    ParsedPacket p;
    const Bytes exact = f;
    ASSERT_EQ(parse_frame(exact, LinkType::kEthernet, p), S::kOk);
    EXPECT_EQ(p.payload_len, 9000u - 8u);
    EXPECT_EQ(p.payload + p.payload_len, exact.data() + exact.size());
  }
}

TEST(PacketParser, EthernetPaddingPastIpTotalLength_IsIgnored) {
  // 14 + 20 + 8 + 4 = 46 bytes: the sender pads to the 60-byte minimum (non-zero pad on purpose).
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, {'a', 'b', 'c', 'd'})));
  ASSERT_EQ(f.size(), 46u);
  f.resize(60, 0xEE);
  ParsedPacket p;
  ASSERT_EQ(parse(f, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.payload_len, 4u);
  // TCP has no length of its own: the IP total length must bound it, not the frame.
  Bytes g = ether(kEtherIpv4, ipv4(kIpProtoTcp, tcp(1, 2, 3, 0x18, {}, {'x'})));
  ASSERT_EQ(g.size(), 55u);
  g.resize(60, 0xEE);
  ASSERT_EQ(parse(g, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.payload_len, 1u);
  // IPv6: the payload length bounds the datagram.
  Bytes h = ether(kEtherIpv6, ipv6(kIpProtoTcp, tcp(1, 2, 3, 0x18, {}, {'x'})));
  h.resize(h.size() + 6, 0xEE);
  ASSERT_EQ(parse(h, LinkType::kEthernet, p), S::kOk);
  EXPECT_EQ(p.payload_len, 1u);
}

// ---- Truncation at every byte ------------------------------------------------------------------

// One well-formed frame and where its headers lie, to say which layer a cut falls in.
struct Layout {
  std::string name;
  Bytes frame;
  LinkType link = LinkType::kEthernet;
  std::size_t l2_len = 14;    // fixed link header (Ethernet without tags, SLL 16, SLL2 20, null 4)
  std::size_t vlan_tags = 0;  // Ethernet only
  bool v6 = false;
  std::size_t ip_header = 20;  // IPv4: IHL * 4; IPv6: 40
  ParseStatus whole = S::kOk;  // the status of the uncut frame

  std::size_t l3() const { return l2_len + 4 * vlan_tags; }
};

std::vector<Layout> truncation_layouts() {
  const Bytes u = udp(40000, 40002, kRtpPayload);
  const Bytes t = tcp(5060, 41000, 99, 0x18, tcp_syn_options(), pattern(30));
  const Bytes ext = cat({v6_ext(kNhRouting), v6_ext(kNhDestOpts, 1), v6_ext(kIpProtoUdp)});
  std::vector<Layout> v;
  v.push_back({"eth_ipv4_udp", ether(kEtherIpv4, ipv4(kIpProtoUdp, u))});
  v.push_back({"eth_ipv4_options_udp", ether(kEtherIpv4, ipv4(kIpProtoUdp, u, ipv4_options())),
               LinkType::kEthernet, 14, 0, false, 32});
  v.push_back({"eth_vlan_ipv4_tcp_options",
               ether(kEtherIpv4, ipv4(kIpProtoTcp, t), {{kEtherVlan, 10}}), LinkType::kEthernet, 14,
               1});
  v.push_back({"eth_qinq_ipv6_udp",
               ether(kEtherIpv6, ipv6(kIpProtoUdp, u), {{kEtherQinQ, 1}, {kEtherVlan, 2}}),
               LinkType::kEthernet, 14, 2, true, 40});
  v.push_back({"eth_ipv6_ext_headers_udp", ether(kEtherIpv6, ipv6(kNhHopByHop, cat({ext, u}))),
               LinkType::kEthernet, 14, 0, true, 40});
  v.push_back({"eth_ipv6_tcp_options", ether(kEtherIpv6, ipv6(kIpProtoTcp, t)), LinkType::kEthernet,
               14, 0, true, 40});
  v.push_back({"eth_ipv6_fragment",
               ether(kEtherIpv6, ipv6(kNhFragment, cat({v6_fragment(kIpProtoUdp, 0, true), u}))),
               LinkType::kEthernet, 14, 0, true, 40, S::kIpFragment});
  v.push_back({"eth_ipv4_fragment", ether(kEtherIpv4, ipv4(kIpProtoUdp, u, {}, 0x2000)),
               LinkType::kEthernet, 14, 0, false, 20, S::kIpFragment});
  v.push_back({"eth_ipv4_icmp", ether(kEtherIpv4, ipv4(kIpProtoIcmp, pattern(16))),
               LinkType::kEthernet, 14, 0, false, 20, S::kOtherL4});
  v.push_back({"sll_ipv4_udp", sll(kEtherIpv4, ipv4(kIpProtoUdp, u)), LinkType::kLinuxSll, 16});
  v.push_back({"sll2_ipv6_udp", sll2(kEtherIpv6, ipv6(kIpProtoUdp, u)), LinkType::kLinuxSll2, 20, 0,
               true, 40});
  v.push_back({"null_ipv4_udp", null_link(2, true, ipv4(kIpProtoUdp, u)), LinkType::kNull, 4});
  v.push_back({"null_ipv6_tcp", null_link(30, false, ipv6(kIpProtoTcp, t)), LinkType::kNull, 4, 0,
               true, 40});
  v.push_back({"raw_ipv4_tcp", ipv4(kIpProtoTcp, t), LinkType::kRaw, 0});
  v.push_back({"raw_ipv6_udp", ipv6(kIpProtoUdp, u), LinkType::kRaw, 0, 0, true, 40});
  return v;
}

// What a frame cut to `len` bytes must report: the layer whose header the cut falls in; past
// the IP header, the IP length field claims more than the frame holds.
ParseStatus expected_for_prefix(const Layout& l, std::size_t len) {
  if (l.link == LinkType::kRaw && len == 0) return S::kTruncatedIpv4;  // no version to read
  if (len < l.l2_len) return S::kTruncatedL2;
  for (std::size_t tag = 1; tag <= l.vlan_tags; ++tag) {
    if (len < l.l2_len + 4 * tag) return S::kTruncatedVlan;
  }
  const std::size_t l3 = l.l3();
  if (l.v6) {
    if (len < l3 + 40) return S::kTruncatedIpv6;
    return S::kBadIpv6PayloadLength;
  }
  if (len < l3 + l.ip_header) return S::kTruncatedIpv4;
  return S::kBadIpv4TotalLength;
}

void expect_payload_inside(const ParsedPacket& p, const Bytes& buf) {
  if (p.payload == nullptr) return;
  EXPECT_GE(p.payload, buf.data());
  EXPECT_LE(p.payload + p.payload_len, buf.data() + buf.size());
}

TEST(PacketParserTruncation, TruncatedAtEveryByte_ReportsTheLayerCut) {
  for (const Layout& l : truncation_layouts()) {
    SCOPED_TRACE(l.name);
    {
      ParsedPacket p;
      const Bytes whole = l.frame;
      ASSERT_EQ(parse_frame(whole, l.link, p), l.whole);
      expect_payload_inside(p, whole);
    }
    for (std::size_t len = 0; len < l.frame.size(); ++len) {
      SCOPED_TRACE(len);
      // A heap copy of exactly `len` bytes: ASan flags any read past it.
      const Bytes cut(l.frame.begin(), l.frame.begin() + static_cast<std::ptrdiff_t>(len));
      ParsedPacket p;
      const ParseStatus st = parse_frame(std::span<const uint8_t>(cut.data(), len), l.link, p);
      EXPECT_EQ(to_string(st), to_string(expected_for_prefix(l, len)));
      EXPECT_TRUE(is_malformed(st));
      expect_payload_inside(p, cut);
    }
  }
}

// The IP length fields rewritten to end where the frame is cut, so the cut reaches the inner
// layers: what the inner header's own check must report.
struct InnerCut {
  Bytes frame;
  std::size_t l3;
  bool v6;
  std::size_t l4;  // start of the UDP/TCP header (or of the first extension header)
  uint8_t proto;   // kIpProtoUdp / kIpProtoTcp, or the IPv6 next header of the first extension
};

Bytes cut_and_fix_ip_length(const InnerCut& c, std::size_t len) {
  Bytes f(c.frame.begin(), c.frame.begin() + static_cast<std::ptrdiff_t>(len));
  if (c.v6) {
    put16(f, c.l3 + 4, static_cast<uint16_t>(len - c.l3 - 40));
  } else {
    put16(f, c.l3 + 2, static_cast<uint16_t>(len - c.l3));
  }
  return f;
}

TEST(PacketParserTruncation, IpLengthShortenedToTheCut_ReportsTheTransportLayerCut) {
  const Bytes payload = pattern(24);
  const Bytes options = tcp_syn_options();
  const InnerCut cases[] = {
      {ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, payload))), 14, false, 34, kIpProtoUdp},
      {ether(kEtherIpv6, ipv6(kIpProtoUdp, udp(1, 2, payload)), {{kEtherVlan, 3}}), 18, true, 58,
       kIpProtoUdp},
      {ether(kEtherIpv4, ipv4(kIpProtoTcp, tcp(1, 2, 3, 0x18, options, payload), ipv4_options())),
       14, false, 46, kIpProtoTcp},
      {ether(kEtherIpv6, ipv6(kIpProtoTcp, tcp(1, 2, 3, 0x18, options, payload))), 14, true, 54,
       kIpProtoTcp},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.proto == kIpProtoUdp ? "udp" : "tcp");
    SCOPED_TRACE(c.v6 ? "ipv6" : "ipv4");
    for (std::size_t len = c.l4; len < c.frame.size(); ++len) {
      SCOPED_TRACE(len);
      const Bytes f = cut_and_fix_ip_length(c, len);
      const std::size_t avail = len - c.l4;
      ParsedPacket p;
      const ParseStatus st =
          parse_frame(std::span<const uint8_t>(f.data(), f.size()), LinkType::kEthernet, p);
      if (c.v6 && avail == 0) {
        EXPECT_EQ(st, S::kBadIpv6PayloadLength);  // payload length 0
      } else if (c.proto == kIpProtoUdp) {
        EXPECT_EQ(st, avail < 8 ? S::kTruncatedUdp : S::kBadUdpLength);
      } else if (avail < 20) {
        EXPECT_EQ(st, S::kTruncatedTcp);
      } else if (avail < 20 + options.size()) {
        EXPECT_EQ(st, S::kBadTcpHeaderLength);
      } else {
        // TCP has no length of its own: a shorter segment is a shorter payload, never past it.
        ASSERT_EQ(st, S::kOk);
        EXPECT_EQ(p.payload_len, avail - 20 - options.size());
      }
      expect_payload_inside(p, f);
    }
  }
}

TEST(PacketParserTruncation, Ipv6PayloadLengthShortenedIntoExtensionHeaders_ReportsExtHeaderCut) {
  const Bytes ext = cat({v6_ext(kNhRouting), v6_ext(kNhDestOpts, 2), v6_ext(kIpProtoUdp)});
  const InnerCut cases[] = {
      {ether(kEtherIpv6, ipv6(kNhHopByHop, cat({ext, udp(1, 2, pattern(8))}))), 14, true, 54,
       kNhHopByHop},
      {ether(kEtherIpv6, ipv6(kNhFragment, cat({v6_fragment(kIpProtoUdp, 0, true), pattern(16)}))),
       14, true, 54, kNhFragment},
      {ether(kEtherIpv6, ipv6(kNhAh, cat({v6_ah(kIpProtoUdp), udp(1, 2, pattern(8))}))), 14, true,
       54, kNhAh},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.proto));
    const std::size_t chain = c.proto == kNhHopByHop ? ext.size() : c.proto == kNhAh ? 16 : 8;
    for (std::size_t len = c.l4 + 1; len < c.l4 + chain; ++len) {
      SCOPED_TRACE(len);
      const Bytes f = cut_and_fix_ip_length(c, len);
      ParsedPacket p;
      EXPECT_EQ(parse_frame(std::span<const uint8_t>(f.data(), f.size()), LinkType::kEthernet, p),
                S::kTruncatedIpv6ExtHeader);
    }
  }
}

TEST(PacketParserTruncation, PrefixesOfAPaddedFrame_OkOnceTheDatagramIsWhole) {
  Bytes f = ether(kEtherIpv4, ipv4(kIpProtoUdp, udp(1, 2, {'a', 'b', 'c', 'd'})));
  const std::size_t datagram_end = f.size();
  f.resize(60, 0);
  for (std::size_t len = 0; len <= f.size(); ++len) {
    SCOPED_TRACE(len);
    const Bytes cut(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(len));
    ParsedPacket p;
    const ParseStatus st =
        parse_frame(std::span<const uint8_t>(cut.data(), len), LinkType::kEthernet, p);
    if (len >= datagram_end) {
      ASSERT_EQ(st, S::kOk);
      EXPECT_EQ(p.payload_len, 4u);
      expect_payload_inside(p, cut);
    } else {
      EXPECT_TRUE(is_malformed(st));
    }
  }
}

TEST(PacketParser, StatusNames_AreStableAndDistinct) {
  for (std::size_t i = 0; i < kParseStatusCount; ++i) {
    const auto s = static_cast<ParseStatus>(i);
    EXPECT_NE(to_string(s), "unknown") << i;
    for (std::size_t j = 0; j < i; ++j)
      EXPECT_NE(to_string(s), to_string(static_cast<ParseStatus>(j)));
  }
  EXPECT_EQ(to_string(S::kBadUdpLength), "bad_udp_length");
  EXPECT_EQ(to_string(S::kCount), "unknown");
}

// ---- Real capture ------------------------------------------------------------------------------

TEST(PacketParser, SampleCapture_ParsesEveryUdpFrame) {
  const auto file = test::read_pcap(test::shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"));
  ASSERT_EQ(file.frames.size(), 4269u);
  std::size_t udp_frames = 0;
  for (const auto& f : file.frames) {
    ParsedPacket p;
    const ParseStatus st = parse_frame(f.bytes, file.link, p);
    if (st == ParseStatus::kOk && p.ip_proto == kIpProtoUdp) {
      ++udp_frames;
      EXPECT_LE(p.payload + p.payload_len, f.bytes.data() + f.bytes.size());
    }
  }
  EXPECT_GT(udp_frames, 3000u);
}

}  // namespace
}  // namespace rv::dataplane
