// Tunnel decapsulation in parse_frame(): the inner packet as if seen directly, each layer
// listed, and every broken or too-deep outer header reported by its own reason.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "dataplane/packet_parser.hpp"

namespace rv::dataplane {
namespace {

using Bytes = std::vector<uint8_t>;
using S = ParseStatus;

// A frame built from the inside out: each wrapper prepends its header to what it holds.
struct Frame {
  Bytes b;

  Frame& prepend(std::initializer_list<uint8_t> h) {
    b.insert(b.begin(), h.begin(), h.end());
    return *this;
  }
  Frame& be16(uint16_t v) { return prepend({uint8_t(v >> 8), uint8_t(v)}); }
  Frame& be32(uint32_t v) { return be16(uint16_t(v)).be16(uint16_t(v >> 16)); }
  Frame& udp(uint16_t sport, uint16_t dport) {
    const auto len = static_cast<uint16_t>(b.size() + 8);
    return be16(0).be16(len).be16(dport).be16(sport);
  }
  Frame& ipv4(uint8_t proto) {
    const auto len = static_cast<uint16_t>(b.size() + 20);
    be32(0xC6336414).be32(0xC000020A);  // 192.0.2.10 -> 198.51.100.20 (prepended: dst first)
    return be16(0).prepend({64, proto}).be16(0).be16(0).be16(len).prepend({0x45, 0});
  }
  Frame& ipv6(uint8_t nh) {
    const auto len = static_cast<uint16_t>(b.size());
    for (int i = 0; i < 2; ++i) prepend({0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, uint8_t(i + 1)});
    return prepend({nh, 64}).be16(len).prepend({0x60, 0, 0, 0});
  }
  Frame& ether(uint16_t type) {
    be16(type);
    return prepend({2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
  }
  Frame& gre(uint16_t proto, uint16_t flags = 0, uint32_t key = 0) {
    if ((flags & 0x1000) != 0) be32(0x01020304);  // sequence
    if ((flags & 0x2000) != 0) be32(key);
    if ((flags & 0x8000) != 0) be32(0);  // checksum + reserved
    return be16(proto).be16(flags);
  }
  Frame& vxlan(uint16_t port = 4789) {
    be32(0x00002A00).be32(0x08000000);  // VNI 42
    return udp(50000, port);
  }
  Frame& mpls(uint32_t label, bool bottom) { return be32((label << 12) | (bottom ? 0x100 : 0) | 64); }
};

Frame sip_udp() {
  const std::string_view sip = "OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n";
  Frame f;
  f.b.assign(sip.begin(), sip.end());
  f.udp(5062, 5060);
  return f;
}

ParseStatus parse(const Frame& f, ParsedPacket& p, const DecapConfig& cfg = {}) {
  const Bytes exact = f.b;  // exactly the frame: an over-read is a heap overflow under ASan
  return parse_frame(exact, LinkType::kEthernet, p, cfg);
}

void expect_inner_sip(const ParsedPacket& p) {
  EXPECT_EQ(p.l3, L3Proto::kIpv4);
  EXPECT_EQ(p.ip_proto, kIpProtoUdp);
  EXPECT_EQ(p.src_port, 5062);
  EXPECT_EQ(p.dst_port, 5060);
  ASSERT_NE(p.payload, nullptr);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(p.payload), 7), "OPTIONS");
}

TEST(Decap, VxlanGreMplsNested_InnerPacketAndEveryLayerListed) {
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp).be16(0x0800).be16(10).ether(0x8100);  // inner Ethernet, VLAN 10
  f.vxlan().ipv4(kIpProtoUdp).mpls(300, true).gre(0x8847).ipv4(47).ether(0x0800);
  ParsedPacket p;
  ASSERT_EQ(parse(f, p), S::kOk);
  expect_inner_sip(p);
  EXPECT_EQ(p.encap_depth, 3);
  ASSERT_EQ(p.encap_count, 4);
  EXPECT_EQ(p.encaps[0], Encap::kGre);
  EXPECT_EQ(p.encaps[1], Encap::kMpls);
  EXPECT_EQ(p.encaps[2], Encap::kVxlan);
  EXPECT_EQ(p.encaps[3], Encap::kVlan);
  EXPECT_EQ(p.vlan_ids[0], 10);
}

TEST(Decap, DepthBeyondTheBound_TooDeep) {
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp).ipv4(4).ipv4(4).ipv4(4).ether(0x0800);  // three IP-in-IP layers
  DecapConfig cfg;
  cfg.max_depth = 3;
  ParsedPacket p;
  EXPECT_EQ(parse(f, p, cfg), S::kOk);
  cfg.max_depth = 2;
  EXPECT_EQ(parse(f, p, cfg), S::kTooDeepEncapsulation);
  EXPECT_TRUE(is_malformed(S::kTooDeepEncapsulation));
  cfg.max_depth = 0;  // off: the outer packet is IP protocol 4, not inspected
  EXPECT_EQ(parse(f, p, cfg), S::kOtherL4);
}

TEST(Decap, GreKeys_OnlyConfiguredOnesAreOpened) {
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp).gre(0x0800, 0x2000, 77).ipv4(47).ether(0x0800);
  ParsedPacket p;
  EXPECT_EQ(parse(f, p), S::kOk);  // no list: any key
  DecapConfig cfg;
  cfg.gre_key_count = 2;
  cfg.gre_keys = {5, 77};
  EXPECT_EQ(parse(f, p, cfg), S::kOk);
  cfg.gre_keys = {5, 78};
  EXPECT_EQ(parse(f, p, cfg), S::kGreKeyMismatch);
  Frame keyless = sip_udp();
  keyless.ipv4(kIpProtoUdp).gre(0x0800).ipv4(47).ether(0x0800);
  EXPECT_EQ(parse(keyless, p, cfg), S::kGreKeyMismatch);
}

TEST(Decap, VxlanOnlyOnConfiguredPorts) {
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp).ether(0x0800).vxlan(8472).ipv4(kIpProtoUdp).ether(0x0800);
  ParsedPacket p;
  ASSERT_EQ(parse(f, p), S::kOk);
  EXPECT_EQ(p.dst_port, 8472);  // the outer UDP packet
  EXPECT_EQ(p.encap_count, 0);
  DecapConfig cfg;
  cfg.vxlan_ports = {4789, 8472};
  cfg.vxlan_port_count = 2;
  ASSERT_EQ(parse(f, p, cfg), S::kOk);
  expect_inner_sip(p);
}

// Outer headers cut short or wrong, each with its reason; the length fields around them agree
// with the frame, so the cut is the tunnel header's own.
TEST(Decap, BrokenOuterHeaders_CountedByReason) {
  struct Case {
    const char* name;
    Frame f;
    S expected;
  };
  const auto over_ip = [](Frame inner, uint8_t proto) { return inner.ipv4(proto).ether(0x0800); };
  Frame nine_labels = sip_udp();
  nine_labels.ipv4(kIpProtoUdp);
  for (int i = 0; i < 9; ++i) nine_labels.mpls(16 + i, i == 0);
  nine_labels.ether(0x8847);
  Frame ref_ipv4 = sip_udp();
  ref_ipv4.ipv4(kIpProtoUdp);
  std::vector<Case> cases = {
      {"gre_2_bytes", over_ip(Frame{{0, 0}}, 47), S::kTruncatedGre},
      {"gre_key_missing", over_ip(Frame{{0x20, 0, 0x08, 0}}, 47), S::kTruncatedGre},
      {"gre_version_1", over_ip(Frame{{0, 1, 0x08, 0}}, 47), S::kBadGreHeader},
      {"gre_routing", over_ip(Frame{{0x40, 0, 0x08, 0, 0, 0, 0, 0}}, 47), S::kBadGreHeader},
      {"erspan_ii_4_bytes", over_ip(Frame{{0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, 0x10, 0, 0, 1}}, 47),
       S::kTruncatedErspan},
      {"erspan_ii_version_2",
       over_ip(Frame{{0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, 0x20, 0, 0, 1, 0, 0, 0, 0}}, 47),
       S::kBadErspanVersion},
      {"erspan_iii_8_bytes",
       over_ip(Frame{{0x10, 0, 0x22, 0xEB, 0, 0, 0, 1, 0x20, 0, 0, 1, 0, 0, 0, 0}}, 47),
       S::kTruncatedErspan},
      {"vxlan_4_bytes", over_ip(Frame{{8, 0, 0, 0}}.udp(1, 4789), kIpProtoUdp), S::kTruncatedVxlan},
      {"geneve_4_bytes", over_ip(Frame{{0, 0, 0x65, 0x58}}.udp(1, 6081), kIpProtoUdp),
       S::kTruncatedGeneve},
      {"geneve_options_past_end",
       over_ip(Frame{{0x02, 0, 0x65, 0x58, 0, 0, 1, 0, 1, 2, 3, 4}}.udp(1, 6081), kIpProtoUdp),
       S::kBadGeneveHeader},
      {"geneve_version_1",
       over_ip(Frame{{0x40, 0, 0x65, 0x58, 0, 0, 1, 0}}.udp(1, 6081), kIpProtoUdp),
       S::kBadGeneveHeader},
      {"mpls_no_bottom", Frame{}.mpls(16, false).ether(0x8847), S::kTruncatedMpls},
      {"mpls_nothing_after_stack", Frame{}.mpls(16, true).ether(0x8847), S::kTruncatedMpls},
      {"mpls_nine_labels", nine_labels, S::kTooManyMplsLabels},
      {"pppoe_4_bytes", Frame{{0x11, 0, 0, 1}}.ether(0x8864), S::kTruncatedPppoe},
      {"pppoe_version_2", Frame{{0x21, 0, 0, 1, 0, 2, 0, 0x21}}.ether(0x8864), S::kBadPppoeHeader},
      {"pppoe_length_past_end", Frame{{0x11, 0, 0, 1, 0, 200, 0, 0x21}}.ether(0x8864),
       S::kTruncatedPppoe},
      {"ipip_inner_cut", over_ip(Frame{{0x45, 0, 0, 20}}, 4), S::kTruncatedIpv4},
      {"vxlan_inner_ethernet_cut", over_ip(Frame{{2, 0, 0}}.vxlan(), kIpProtoUdp), S::kTruncatedL2},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    ParsedPacket p;
    const S st = parse(c.f, p);
    EXPECT_EQ(to_string(st), to_string(c.expected));
    EXPECT_TRUE(is_malformed(st));
  }
  ParsedPacket p;
  Frame ok = ref_ipv4;
  ok.mpls(16, true).ether(0x8847);
  EXPECT_EQ(parse(ok, p), S::kOk);
}

TEST(Decap, TunnelsCarryingNoIp_AreNotInspectedNotMalformed) {
  ParsedPacket p;
  Frame ppp_lcp = Frame{{0x11, 0, 0, 1, 0, 4, 0xC0, 0x21, 1, 1}};  // PPP LCP
  EXPECT_EQ(parse(ppp_lcp.ether(0x8864), p), S::kTunnelNotIp);
  Frame gre_ppp = Frame{{0x30, 0x81, 0x88, 0x0B}}.ipv4(47).ether(0x0800);  // enhanced GRE v1
  EXPECT_EQ(parse(gre_ppp, p), S::kBadGreHeader);
  Frame gre_other = Frame{{0, 0, 0x12, 0x34, 1, 2, 3, 4}}.ipv4(47).ether(0x0800);
  EXPECT_EQ(parse(gre_other, p), S::kTunnelNotIp);
  Frame arp_in_vxlan = Frame{Bytes(28, 0)}.ether(0x0806).vxlan().ipv4(kIpProtoUdp).ether(0x0800);
  EXPECT_EQ(parse(arp_in_vxlan, p), S::kNotIp);
  EXPECT_FALSE(is_malformed(S::kTunnelNotIp));
}

TEST(Decap, Ipv6Tunnels_InnerFragmentReportedAtTheInnerHeader) {
  // IPv4 in IPv6, the inner datagram a first fragment (MF set).
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp);
  f.b[6] = 0x20;  // MF
  const std::size_t inner_len = f.b.size();
  f.ipv6(4).ether(0x86DD);
  ParsedPacket p;
  ASSERT_EQ(parse(f, p), S::kIpFragment);
  EXPECT_EQ(p.l3, L3Proto::kIpv4);
  EXPECT_EQ(p.l3_offset, f.b.size() - inner_len);
  EXPECT_EQ(p.encaps[0], Encap::kIp4in6);
}

TEST(Decap, LinuxCookedV2_CarriesVlanAndMpls) {
  Frame f = sip_udp();
  f.ipv4(kIpProtoUdp).mpls(100, true);
  f.b.insert(f.b.begin(), {0x00, 0x05, 0x88, 0x47});  // VLAN 5, then MPLS
  // SLL2: protocol 0x8100, reserved, ifindex, ARPHRD_ETHER, type, address length, address.
  f.prepend({0x81, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0});
  ParsedPacket p;
  const Bytes exact = f.b;
  ASSERT_EQ(parse_frame(exact, LinkType::kLinuxSll2, p), S::kOk);
  expect_inner_sip(p);
  EXPECT_EQ(p.vlan_ids[0], 5);
  EXPECT_EQ(p.encaps[1], Encap::kMpls);
}

// Random bytes behind every tunnel header: whatever comes back, nothing is read past the end.
TEST(Decap, GarbageBehindTunnelHeaders_NeverReadsPastTheEnd) {
  uint32_t seed = 12345;
  const auto next = [&seed] { return seed = seed * 1103515245u + 12345u, uint8_t(seed >> 16); };
  for (int round = 0; round < 3000; ++round) {
    Frame f;
    const std::size_t n = next() % 64;
    for (std::size_t i = 0; i < n; ++i) f.b.push_back(next());
    switch (round % 6) {
      case 0: f.vxlan().ipv4(kIpProtoUdp).ether(0x0800); break;
      case 1: f.gre(0x6558, 0x2000, 1).ipv4(47).ether(0x0800); break;
      case 2: f.mpls(16, true).ether(0x8847); break;
      case 3: f.ether(0x8864); break;
      case 4: f.gre(0x88BE, 0x1000).ipv6(47).ether(0x86DD); break;
      default: f.udp(1, 6081).ipv4(kIpProtoUdp).ether(0x0800); break;
    }
    ParsedPacket p;
    const S st = parse(f, p);
    if (st == S::kOk && p.payload != nullptr) {
      EXPECT_LE(p.payload_len, f.b.size());
    }
  }
}

}  // namespace
}  // namespace rv::dataplane
