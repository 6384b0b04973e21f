#include "dataplane/reassembly.hpp"

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <random>
#include <vector>

#include "dataplane/keyed_hash.hpp"
#include "dataplane/packet_parser.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::dataplane {
namespace {

using Bytes = std::vector<uint8_t>;
using C = ReassemblyCounter;

rte_mempool* g_pool = nullptr;

class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* args[] = {"test_reassembly",    "--no-huge", "--no-shconf", "--no-pci", "-m", "256",
                          "--log-level=warning"};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    ASSERT_GE(rte_eal_init(static_cast<int>(argv.size()), argv.data()), 0) << "rte_eal_init";
    // No per-lcore cache: rte_mempool_in_use_count() is exact, so leaks show.
    g_pool =
        rte_pktmbuf_pool_create("reasm_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(g_pool, nullptr);
  }
};
const auto* const kEal = ::testing::AddGlobalTestEnvironment(new EalEnvironment);

void put16(Bytes& b, std::size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

// UDP header + payload: the fragmentable part.
Bytes udp_datagram(std::size_t payload_len, uint16_t port = 5060) {
  Bytes d(8 + payload_len);
  put16(d, 0, port);
  put16(d, 2, port);
  put16(d, 4, static_cast<uint16_t>(d.size()));
  for (std::size_t i = 8; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 7 + 3);
  return d;
}

// An Ethernet frame of `size` zero bytes with its header filled in.
Bytes ethernet(uint16_t ether_type, std::size_t size) {
  Bytes f(size, 0);
  f[0] = 0x02;
  f[6] = 0x02;
  f[11] = 1;
  put16(f, 12, ether_type);
  return f;
}

void copy_into(Bytes& f, std::size_t at, const Bytes& src, std::size_t from, std::size_t len) {
  for (std::size_t i = 0; i < len; ++i) f[at + i] = src[from + i];
}

struct Frag {
  uint32_t offset = 0;
  uint32_t len = 0;
  bool more = false;
};

// Ethernet + IPv4 (IHL `ihl`) + l4[offset, offset + len). `total_override` lies about the length.
Bytes ipv4_fragment(const Bytes& l4, Frag fr, uint16_t id = 1, uint32_t ihl = 20,
                    int total_override = -1) {
  const std::size_t ip = 14;
  Bytes f = ethernet(0x0800, ip + ihl + fr.len);
  f[ip] = static_cast<uint8_t>(0x40 | (ihl / 4));
  put16(f, ip + 2, static_cast<uint16_t>(total_override >= 0 ? total_override : ihl + fr.len));
  put16(f, ip + 4, id);
  put16(f, ip + 6, static_cast<uint16_t>((fr.more ? 0x2000 : 0) | (fr.offset / 8)));
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  f[ip + 12] = 10;  // 10.0.0.1 -> 10.0.0.2
  f[ip + 15] = 1;
  f[ip + 16] = 10;
  f[ip + 19] = 2;
  for (std::size_t i = 20; i < ihl; ++i) f[ip + i] = 1;  // NOP options
  copy_into(f, ip + ihl, l4, fr.offset, fr.len);
  return f;
}

// Ethernet + IPv6 [+ hop-by-hop] + fragment header + l4[offset, offset + len).
Bytes ipv6_fragment(const Bytes& l4, Frag fr, uint32_t id = 1, bool hop_by_hop = false) {
  const std::size_t ip = 14;
  const std::size_t ext = hop_by_hop ? 8 : 0;
  Bytes f = ethernet(0x86DD, ip + 40 + ext + 8 + fr.len);
  f[ip] = 0x60;
  put16(f, ip + 4, static_cast<uint16_t>(ext + 8 + fr.len));
  f[ip + 6] = hop_by_hop ? 0 : 44;
  f[ip + 7] = 64;
  f[ip + 8] = 0x20;
  f[ip + 23] = 1;
  f[ip + 24] = 0x20;
  f[ip + 39] = 2;
  std::size_t fh = ip + 40;
  if (hop_by_hop) {
    f[fh] = 44;  // next: fragment; length 0 = 8 bytes of PadN
    f[fh + 2] = 1;
    f[fh + 3] = 4;
    fh += 8;
  }
  f[fh] = 17;
  put16(f, fh + 2, static_cast<uint16_t>(fr.offset | (fr.more ? 1 : 0)));
  f[fh + 4] = static_cast<uint8_t>(id >> 24);
  f[fh + 5] = static_cast<uint8_t>(id >> 16);
  f[fh + 6] = static_cast<uint8_t>(id >> 8);
  f[fh + 7] = static_cast<uint8_t>(id);
  copy_into(f, fh + 8, l4, fr.offset, fr.len);
  return f;
}

rte_mbuf* to_mbuf(const Bytes& frame) {
  rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
  if (m == nullptr) return nullptr;
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  if (p == nullptr) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  std::memcpy(p, frame.data(), frame.size());
  return m;
}

class ReassemblyTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }
  void TearDown() override {
    reasm_.reset();
    EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u) << "mbuf leak";
  }
  void make(const ReassemblyConfig& cfg) {
    reasm_.reset();
    auto r = Reassembler::create(cfg);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    reasm_ = std::move(*r);
  }

  // Parses `frame` as the rx poller would and offers it; returns what reassemble() returned.
  rte_mbuf* offer(const Bytes& frame, uint64_t now = 1) {
    ParsedPacket p;
    EXPECT_EQ(parse_frame(frame, LinkType::kEthernet, p), ParseStatus::kIpFragment);
    rte_mbuf* m = to_mbuf(frame);
    EXPECT_NE(m, nullptr);
    if (m == nullptr) return nullptr;
    rte_mbuf* out = reasm_->reassemble(m, p, now);
    reasm_->flush();
    return out;
  }

  // Parses the reassembled datagram, checks its UDP payload against `l4`, frees it.
  void expect_datagram(rte_mbuf* m, const Bytes& l4, L3Proto l3) {
    ASSERT_NE(m, nullptr);
    const auto view = packet_bytes(m, scratch_);
    ASSERT_EQ(view.size(), m->pkt_len);
    ParsedPacket p;
    ASSERT_EQ(parse_frame(view, LinkType::kEthernet, p), ParseStatus::kOk);
    EXPECT_EQ(p.l3, l3);
    EXPECT_EQ(p.ip_proto, kIpProtoUdp);
    EXPECT_EQ(m->l2_len, 14u);
    EXPECT_EQ(m->l3_len, l3 == L3Proto::kIpv6 ? 40u : 20u);
    ASSERT_EQ(p.payload_len + 8, l4.size());
    EXPECT_TRUE(std::equal(l4.begin() + 8, l4.end(), p.payload));
    rte_pktmbuf_free(m);
  }

  uint64_t n(C c) const { return reasm_->counter(c); }

  std::unique_ptr<Reassembler> reasm_;
  Bytes scratch_ = Bytes(kMaxReassembledFrame);
};

TEST_F(ReassemblyTest, Ipv4_InOrder_Reassembles) {
  const Bytes l4 = udp_datagram(4000);
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 1480, true})), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {1480, 1480, true})), nullptr);
  rte_mbuf* out = offer(ipv4_fragment(l4, {2960, 1048, false}));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->nb_segs, 3u);
  EXPECT_EQ(out->pkt_len, 14u + 20 + 4008);
  expect_datagram(out, l4, L3Proto::kIpv4);
  EXPECT_EQ(n(C::kFragmentsIn), 3u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 1u);
}

TEST_F(ReassemblyTest, Ipv4_OutOfOrderWithOptions_Reassembles) {
  const Bytes l4 = udp_datagram(2000);
  EXPECT_EQ(offer(ipv4_fragment(l4, {1600, 408, false}, 7, 24)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 800, true}, 7, 24)), nullptr);
  rte_mbuf* out = offer(ipv4_fragment(l4, {800, 800, true}, 7, 24));
  ASSERT_NE(out, nullptr);
  const auto view = packet_bytes(out, scratch_);
  ParsedPacket p;
  ASSERT_EQ(parse_frame(view, LinkType::kEthernet, p), ParseStatus::kOk);
  EXPECT_EQ(p.l4_offset, 14u + 24);
  EXPECT_EQ(p.payload_len, 2000u);
  rte_pktmbuf_free(out);
}

TEST_F(ReassemblyTest, Ipv4_InterleavedDatagrams_ReassembleSeparately) {
  const Bytes a = udp_datagram(1000, 1111);
  const Bytes b = udp_datagram(1000, 2222);
  EXPECT_EQ(offer(ipv4_fragment(a, {0, 504, true}, 1)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(b, {504, 504, false}, 2)), nullptr);
  expect_datagram(offer(ipv4_fragment(a, {504, 504, false}, 1)), a, L3Proto::kIpv4);
  expect_datagram(offer(ipv4_fragment(b, {0, 504, true}, 2)), b, L3Proto::kIpv4);
  EXPECT_EQ(n(C::kDatagramsReassembled), 2u);
}

TEST_F(ReassemblyTest, Ipv6_ReverseOrder_Reassembles) {
  const Bytes l4 = udp_datagram(3000);
  EXPECT_EQ(offer(ipv6_fragment(l4, {2896, 112, false}, 9)), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {1448, 1448, true}, 9)), nullptr);
  rte_mbuf* out = offer(ipv6_fragment(l4, {0, 1448, true}, 9));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->pkt_len, 14u + 40 + 3008);
  expect_datagram(out, l4, L3Proto::kIpv6);
  EXPECT_EQ(n(C::kDatagramsReassembled), 1u);
}

TEST_F(ReassemblyTest, Ipv6_AtomicFragment_IsStrippedAndReturned) {
  const Bytes l4 = udp_datagram(100);
  const Bytes frame = ipv6_fragment(l4, {0, 108, false});
  ParsedPacket p;
  ASSERT_EQ(parse_frame(frame, LinkType::kEthernet, p), ParseStatus::kIpFragment);
  EXPECT_EQ(p.frag_offset, 54u);
  rte_mbuf* m = to_mbuf(frame);
  rte_mbuf* out = reasm_->reassemble(m, p, 1);
  EXPECT_EQ(out, m);
  expect_datagram(out, l4, L3Proto::kIpv6);
  EXPECT_EQ(n(C::kAtomicFragments), 1u);
}

TEST_F(ReassemblyTest, Ipv6_ExtensionHeaderBeforeFragment_DroppedAsUnsupported) {
  const Bytes l4 = udp_datagram(100);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 56, true}, 3, true)), nullptr);
  EXPECT_EQ(n(C::kUnsupportedExtHeaders), 1u);
}

TEST_F(ReassemblyTest, NotAFragment_ReturnedUnchanged) {
  const Bytes frame = ipv4_fragment(udp_datagram(40), {0, 48, false});
  rte_mbuf* m = to_mbuf(frame);
  ParsedPacket p;
  ASSERT_EQ(parse_frame(frame, LinkType::kEthernet, p), ParseStatus::kOk);
  EXPECT_EQ(reasm_->reassemble(m, p, 1), m);
  EXPECT_EQ(n(C::kNotFragment), 1u);
  rte_pktmbuf_free(m);
}

TEST_F(ReassemblyTest, DuplicateFragment_DropsDatagramAndCounts) {
  const Bytes l4 = udp_datagram(1000);
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 336, true})), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {336, 336, true})), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {336, 336, true})), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {672, 336, false})), nullptr);
  EXPECT_EQ(n(C::kFailedDatagrams), 1u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 0u);
}

TEST_F(ReassemblyTest, DuplicateFirstFragment_DropsDatagram) {
  const Bytes l4 = udp_datagram(1000);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 504, true})), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 504, true})), nullptr);
  EXPECT_EQ(n(C::kFailedDatagrams), 1u);
  // The identifier is free again: a clean retransmission reassembles.
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 504, true})), nullptr);
  expect_datagram(offer(ipv6_fragment(l4, {504, 504, false})), l4, L3Proto::kIpv6);
}

TEST_F(ReassemblyTest, OverlappingFragments_NeverReassembleGarbage) {
  const Bytes l4 = udp_datagram(24);  // 32 bytes of L4
  // Overlap summing past the total.
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 16, true}, 1)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {8, 16, true}, 1)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {24, 8, false}, 1)), nullptr);
  // Overlap whose byte count equals the total but leaves a hole at [16, 24).
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 16, true}, 2)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {8, 8, true}, 2)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {24, 8, false}, 2)), nullptr);
  EXPECT_EQ(n(C::kFailedDatagrams), 2u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 0u);
}

TEST_F(ReassemblyTest, NineFragments_TooManyDropped_EightOk) {
  const Bytes l4 = udp_datagram(8 * 9 - 8);  // 72 bytes = 9 fragments of 8
  for (uint32_t i = 0; i < 9; ++i) {
    EXPECT_EQ(offer(ipv4_fragment(l4, {i * 8, 8, i != 8}, 5)), nullptr);
  }
  EXPECT_GE(n(C::kFailedDatagrams), 1u);
  const Bytes ok = udp_datagram(8 * 8 - 8);
  rte_mbuf* out = nullptr;
  for (uint32_t i = 0; i < 8; ++i) out = offer(ipv4_fragment(ok, {i * 8, 8, i != 7}, 6));
  expect_datagram(out, ok, L3Proto::kIpv4);
}

TEST_F(ReassemblyTest, BadFragments_DroppedByReason) {
  const Bytes l4 = udp_datagram(200);
  // Zero-length fragment (IPv4 total length == IHL; IPv6 payload = fragment header only).
  EXPECT_EQ(offer(ipv4_fragment(l4, {8, 0, true})), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {8, 0, true})), nullptr);
  EXPECT_EQ(n(C::kZeroLength), 2u);
  // Non-last fragment not a multiple of 8.
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 13, true})), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 13, true})), nullptr);
  EXPECT_EQ(n(C::kMisaligned), 2u);
  // Offset + length past 65535.
  EXPECT_EQ(offer(ipv4_fragment(udp_datagram(65600), {65528, 64, false})), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(udp_datagram(65600), {65528, 64, false})), nullptr);
  EXPECT_EQ(n(C::kTooLarge), 2u);
  // Total length beyond the mbuf (the parser rejects it; the reassembler must too).
  rte_mbuf* m = to_mbuf(ipv4_fragment(l4, {0, 64, true}, 1, 20, 1500));
  EXPECT_EQ(reasm_->reassemble_ipv4(m, 14, 1), nullptr);
  // Headers beyond the frame, wrong version, fragment header offset inside the IPv6 header.
  m = to_mbuf(Bytes(30, 0x45));
  EXPECT_EQ(reasm_->reassemble_ipv4(m, 14, 1), nullptr);
  m = to_mbuf(ipv6_fragment(l4, {0, 64, true}));
  EXPECT_EQ(reasm_->reassemble_ipv4(m, 14, 1), nullptr);
  m = to_mbuf(ipv6_fragment(l4, {0, 64, true}));
  EXPECT_EQ(reasm_->reassemble_ipv6(m, 14, 30, 1), nullptr);
  m = to_mbuf(ipv6_fragment(l4, {0, 64, true}));
  EXPECT_EQ(reasm_->reassemble_ipv6(m, 200, 240, 1), nullptr);
  EXPECT_EQ(n(C::kBadLength), 5u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 0u);
}

TEST_F(ReassemblyTest, EthernetPadding_IsTrimmed) {
  const Bytes l4 = udp_datagram(8);  // 16 bytes: 2 fragments of 8
  Bytes first = ipv4_fragment(l4, {0, 8, true});
  first.resize(60, 0xEE);  // minimum Ethernet frame
  Bytes last = ipv4_fragment(l4, {8, 8, false});
  last.resize(60, 0xEE);
  EXPECT_EQ(offer(first), nullptr);
  rte_mbuf* out = offer(last);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->pkt_len, 14u + 20 + 16);
  expect_datagram(out, l4, L3Proto::kIpv4);
}

TEST_F(ReassemblyTest, Timeout_LazyAndSweepFreeHeldFragments) {
  const Bytes l4 = udp_datagram(1000);
  const uint64_t t = reasm_->timeout_cycles();
  ASSERT_GT(t, 0u);
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 504, true}, 1), 100), nullptr);
  // Same datagram after the timeout: the stale entry is recycled, its fragment freed.
  EXPECT_EQ(offer(ipv4_fragment(l4, {504, 504, false}, 1), 100 + t + 1), nullptr);
  EXPECT_EQ(n(C::kTimedOutFragments), 1u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 0u);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 504, true}, 2), 100 + t + 1), nullptr);
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 2u);
  reasm_->expire(100 + t);  // not yet
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 2u);
  reasm_->expire(100 + 2 * t + 2);
  EXPECT_EQ(n(C::kTimedOutFragments), 3u);
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u);
}

TEST_F(ReassemblyTest, Flood_MemoryBoundedAndDropsCounted) {
  make({.buckets = 16, .bucket_entries = 4, .max_entries = 32, .timeout_ms = 1000});
  const Bytes l4 = udp_datagram(1000);
  constexpr uint32_t kFlood = 20000;
  for (uint32_t i = 0; i < kFlood; ++i) {
    const Bytes f = i % 2 ? ipv6_fragment(l4, {0, 504, true}, i)
                          : ipv4_fragment(l4, {0, 504, true}, static_cast<uint16_t>(i));
    ParsedPacket p;
    ASSERT_EQ(parse_frame(f, LinkType::kEthernet, p), ParseStatus::kIpFragment);
    EXPECT_EQ(reasm_->reassemble(to_mbuf(f), p, 10), nullptr);
    if (i % 32 == 31) reasm_->flush();  // as once per burst
    ASSERT_LE(rte_mempool_in_use_count(g_pool), 32u + RTE_IP_FRAG_DEATH_ROW_MBUF_LEN);
  }
  reasm_->flush();
  const unsigned held = rte_mempool_in_use_count(g_pool);
  EXPECT_LE(held, 32u);
  EXPECT_GT(held, 0u);
  EXPECT_EQ(n(C::kFragmentsIn), kFlood);
  EXPECT_EQ(n(C::kTableFull), kFlood - held);
  reasm_->expire(10 + reasm_->timeout_cycles() + 1);
  EXPECT_EQ(n(C::kTimedOutFragments), held);
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u);
  // Room again: a datagram goes through.
  const Bytes ok = udp_datagram(1000);
  const uint64_t later = 20 + 2 * reasm_->timeout_cycles();
  EXPECT_EQ(offer(ipv4_fragment(ok, {0, 504, true}, 7), later), nullptr);
  expect_datagram(offer(ipv4_fragment(ok, {504, 504, false}, 7), later), ok, L3Proto::kIpv4);
}

// Issue 14 item 5: fragments still waiting at exit are counted, not silently freed.
TEST_F(ReassemblyTest, Drain_ReleasesHeldFragmentsAndCountsThemHeldAtExit) {
  const Bytes l4 = udp_datagram(1000);
  EXPECT_EQ(offer(ipv4_fragment(l4, {0, 504, true}, 1)), nullptr);
  EXPECT_EQ(offer(ipv4_fragment(l4, {504, 504, true}, 2)), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {0, 504, true}, 3)), nullptr);
  EXPECT_EQ(offer(ipv6_fragment(l4, {504, 504, true}, 3)), nullptr);
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 4u);
  reasm_->drain();
  EXPECT_EQ(n(C::kHeldAtExit), 4u);
  EXPECT_EQ(n(C::kTimedOutFragments), 0u);
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u);
  reasm_->drain();  // idempotent
  EXPECT_EQ(n(C::kHeldAtExit), 4u);
}

// ---- Hash flooding of the fragment table (issue 14 item 4). ----------------------------------
// rte_ip_frag 22.11 places an IPv4 datagram by CRC32C(src, dst, id) under the constant seed
// 0xeaad8405 into two buckets: sig & entry_mask and ((sig << 7) + (sig >> 14)) & entry_mask,
// with entry_mask = (2 * pow2(buckets) * assoc - 1) & ~(assoc - 1).
constexpr uint32_t kDpdkFragSeed = 0xeaad8405u;

struct Buckets {
  uint32_t a, b;
  friend bool operator==(const Buckets&, const Buckets&) = default;
};

// The buckets rte_ip_frag picks for a fragment whose header holds `src_dst` and `id_raw` (as
// stored: network byte order) in a table of `entries` slots, `assoc` per bucket.
Buckets dpdk_buckets(const uint8_t* src_dst, uint16_t id_raw, uint32_t entries, uint32_t assoc) {
  uint32_t p0, p1;
  std::memcpy(&p0, src_dst, 4);
  std::memcpy(&p1, src_dst + 4, 4);
  uint32_t v = rte_hash_crc_4byte(p0, kDpdkFragSeed);
  v = rte_hash_crc_4byte(p1, v);
  v = rte_hash_crc_4byte(id_raw, v);
  const uint32_t mask = (entries - 1) & ~(assoc - 1);
  return {v & mask, ((v << 7) + (v >> 14)) & mask};
}

// A first fragment 10.0.0.1 -> 10.0.<hi>.<lo> with `id`.
Bytes first_fragment_to(const Bytes& l4, uint8_t hi, uint8_t lo, uint16_t id) {
  Bytes f = ipv4_fragment(l4, {0, 504, true}, id);
  f[14 + 18] = hi;
  f[14 + 19] = lo;
  return f;
}

// Eight datagrams from other destinations that land in both buckets of the victim's (10.0.0.1 ->
// 10.0.0.2, id `victim_id`), the victim's table slots. `keyed`: the attacker knows the process
// key and XORs in fragment_id_mask() as the reassembler does.
std::vector<Bytes> bucket_flood(const Bytes& l4, uint16_t victim_id, bool keyed) {
  constexpr uint32_t kAssoc = 4;
  constexpr uint32_t kEntries = 2 * 16 * kAssoc;  // the FragmentFlood table
  const auto placed = [&](uint8_t hi, uint8_t lo, uint16_t id) {
    const uint8_t src_dst[8] = {10, 0, 0, 1, 10, 0, hi, lo};
    uint16_t raw = uint16_t(id >> 8 | id << 8);  // as the header stores it
    if (keyed) raw ^= uint16_t(fragment_id_mask(src_dst));
    return dpdk_buckets(src_dst, raw, kEntries, kAssoc);
  };
  const Buckets victim = placed(0, 2, victim_id);
  std::vector<Bytes> out;
  for (uint32_t d = 256; d < 65536 && out.size() < 2 * kAssoc; ++d) {
    for (uint16_t id = 1; id < 64 && out.size() < 2 * kAssoc; ++id) {
      if (placed(uint8_t(d >> 8), uint8_t(d), id) == victim) {
        out.push_back(first_fragment_to(l4, uint8_t(d >> 8), uint8_t(d), id));
      }
    }
  }
  return out;
}

// Fills the victim's buckets, then sends the victim's datagram; true when it reassembled.
bool victim_survives(Reassembler& r, const std::vector<Bytes>& flood, const Bytes& l4,
                     uint16_t victim_id) {
  for (const Bytes& f : flood) {
    ParsedPacket p;
    EXPECT_EQ(parse_frame(f, LinkType::kEthernet, p), ParseStatus::kIpFragment);
    EXPECT_EQ(r.reassemble(to_mbuf(f), p, 1), nullptr);
  }
  rte_mbuf* out = nullptr;
  for (const Frag fr : {Frag{0, 504, true}, Frag{504, 504, false}}) {
    const Bytes f = ipv4_fragment(l4, fr, victim_id);
    ParsedPacket p;
    EXPECT_EQ(parse_frame(f, LinkType::kEthernet, p), ParseStatus::kIpFragment);
    out = r.reassemble(to_mbuf(f), p, 1);
  }
  r.flush();
  if (out == nullptr) return false;
  // The reassembled datagram carries its own id, not the masked one.
  EXPECT_EQ(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(out, rte_ipv4_hdr*, 14)->packet_id), victim_id);
  rte_pktmbuf_free(out);
  return true;
}

class FragmentFlood : public ReassemblyTest {
 protected:
  void SetUp() override {
    saved_ = hash_key();
    set_hash_key({0x1111, 0x2222});  // reproducible placement
    make({.buckets = 16, .bucket_entries = 4, .max_entries = 64, .timeout_ms = 1000});
  }
  void TearDown() override {
    reasm_->drain();
    ReassemblyTest::TearDown();
    set_hash_key(saved_);
  }
  HashKey saved_;
};

// Eight datagrams precomputed to share the victim's two buckets under DPDK's unkeyed hash fill
// them and the victim's fragments were dropped (table_full). With keyed ids they land anywhere.
TEST_F(FragmentFlood, PrecomputedBucketCollisions_NoLongerStarveAVictim) {
  const Bytes l4 = udp_datagram(1000);
  const auto flood = bucket_flood(l4, 7, false);
  ASSERT_EQ(flood.size(), 8u);
  EXPECT_TRUE(victim_survives(*reasm_, flood, l4, 7));
  EXPECT_EQ(n(C::kTableFull), 0u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 1u);
}

// The model above is DPDK's: an attacker who knew the process key could still do it. (This is
// what checks that the collisions of the previous test were real ones.)
TEST_F(FragmentFlood, WithTheKey_TheSameAttackWorks_SoTheModelIsRight) {
  const Bytes l4 = udp_datagram(1000);
  const auto flood = bucket_flood(l4, 7, true);
  ASSERT_EQ(flood.size(), 8u);
  EXPECT_FALSE(victim_survives(*reasm_, flood, l4, 7));
  EXPECT_GE(n(C::kTableFull), 1u);
}

TEST_F(ReassemblyTest, RandomFragments_NoCrashNoLeakConsistentOutput) {
  std::mt19937 rng(42);
  const Bytes l4 = udp_datagram(3000);
  uint64_t now = 1;
  for (int iter = 0; iter < 30000; ++iter) {
    const bool v6 = rng() % 2;
    const uint32_t offset = (rng() % 48) * 64;
    const uint32_t len = std::min<uint32_t>(rng() % 4 == 0 ? rng() % 300 : (rng() % 9) * 64,
                                            static_cast<uint32_t>(l4.size()) - offset);
    const Frag fr{offset, len, rng() % 3 != 0};
    Bytes f = v6 ? ipv6_fragment(l4, fr, rng() % 4) : ipv4_fragment(l4, fr, rng() % 4);
    if (rng() % 10 == 0) f[14 + rng() % (f.size() - 14)] ^= static_cast<uint8_t>(rng());  // corrupt
    if (rng() % 10 == 0) f.resize(rng() % (f.size() + 1));  // truncated capture
    ParsedPacket p;
    if (parse_frame(f, LinkType::kEthernet, p) != ParseStatus::kIpFragment) continue;
    rte_mbuf* m = to_mbuf(f);
    ASSERT_NE(m, nullptr);
    now += rng() % 1000;
    rte_mbuf* out = reasm_->reassemble(m, p, now);
    if (out != nullptr) {
      // Whatever came out is self-consistent: parseable within its own bytes.
      const auto view = packet_bytes(out, scratch_);
      ASSERT_EQ(view.size(), out->pkt_len);
      ParsedPacket q;
      (void)parse_frame(view, LinkType::kEthernet, q);
      rte_pktmbuf_free(out);
    }
    if (iter % 32 == 0) reasm_->flush();
    if (iter % 1024 == 0) reasm_->expire(now);
  }
  reasm_->expire(now + 2 * reasm_->timeout_cycles());
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u);
  EXPECT_GT(n(C::kFragmentsIn), 10000u);
}

TEST_F(ReassemblyTest, HeplifyIpv6Capture_ReassemblesLikeWireshark) {
  const auto file = test::read_pcap(test::shared_pcap("heplify_ipv6_udp_fragmented.pcap"));
  ASSERT_EQ(file.frames.size(), 6u);
  std::vector<rte_mbuf*> datagrams;
  std::size_t fragments = 0;
  for (const auto& frame : file.frames) {
    ParsedPacket p;
    const auto st = parse_frame(frame.bytes, file.link, p);
    if (st == ParseStatus::kOk) continue;  // frames 1-2: plain UDP
    ASSERT_EQ(st, ParseStatus::kIpFragment);
    ++fragments;
    rte_mbuf* out = reasm_->reassemble(to_mbuf(frame.bytes), p, frame.timestamp_ns);
    if (out != nullptr) datagrams.push_back(out);
  }
  reasm_->flush();
  EXPECT_EQ(fragments, 4u);
  ASSERT_EQ(datagrams.size(), 1u);
  rte_mbuf* d = datagrams.front();
  // tshark -o ipv6.defragment:TRUE: 4 fragments, UDP 6363 -> 6363, length 5387, 5379 bytes data.
  EXPECT_EQ(d->pkt_len, 14u + 40 + 5387);
  EXPECT_GT(d->nb_segs, 1u);
  EXPECT_FALSE(linearize(d));  // 5.4 KB does not fit one default mbuf: packet_bytes() it is
  const auto view = packet_bytes(d, scratch_);
  ParsedPacket p;
  ASSERT_EQ(parse_frame(view, file.link, p), ParseStatus::kOk);
  EXPECT_EQ(p.l3, L3Proto::kIpv6);
  EXPECT_EQ(p.src_port, 6363);
  EXPECT_EQ(p.dst_port, 6363);
  EXPECT_EQ(p.payload_len, 5379u);
  const uint8_t head[] = {0x06, 0xfd, 0x14, 0xff, 0x07, 0x29, 0x08, 0x07, 0x65, 0x78};
  EXPECT_TRUE(std::equal(std::begin(head), std::end(head), p.payload));
  // FNV-1a 64 of the 5379 bytes tshark shows as the reassembled UDP data.
  uint64_t fnv = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < p.payload_len; ++i) fnv = (fnv ^ p.payload[i]) * 0x100000001b3ull;
  EXPECT_EQ(fnv, 0xe840faf63d6c76c7ull);
  // And the UDP checksum over the reassembled datagram holds.
  Bytes copy(view.begin(), view.end());
  uint16_t sent = 0;
  std::memcpy(&sent, &copy[p.l4_offset + 6], 2);
  copy[p.l4_offset + 6] = copy[p.l4_offset + 7] = 0;
  const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(copy.data() + p.l3_offset);
  EXPECT_EQ(rte_ipv6_udptcp_cksum(ip, copy.data() + p.l4_offset), sent);
  EXPECT_EQ(n(C::kFragmentsIn), 4u);
  EXPECT_EQ(n(C::kDatagramsReassembled), 1u);
  rte_pktmbuf_free(d);
}

TEST(ReassemblyConfigTest, InvalidConfig_IsRejected) {
  EXPECT_FALSE(Reassembler::create({.bucket_entries = 3}).has_value());
  EXPECT_FALSE(Reassembler::create({.buckets = 4, .bucket_entries = 4, .max_entries = 17}));
  EXPECT_FALSE(Reassembler::create({.timeout_ms = 0}).has_value());
  EXPECT_EQ(Reassembler::create({.max_entries = 0}).error().code(), ErrorCode::kInvalidArgument);
}

TEST(PacketBytes, ScratchTooSmall_IsEmpty) {
  rte_mbuf* a = to_mbuf(Bytes(100, 1));
  rte_mbuf* b = to_mbuf(Bytes(100, 2));
  ASSERT_EQ(rte_pktmbuf_chain(a, b), 0);
  Bytes small(150);
  EXPECT_TRUE(packet_bytes(a, small).empty());
  Bytes big(200);
  const auto v = packet_bytes(a, big);
  ASSERT_EQ(v.size(), 200u);
  EXPECT_EQ(v[99], 1);
  EXPECT_EQ(v[100], 2);
  EXPECT_TRUE(linearize(a));
  EXPECT_EQ(a->nb_segs, 1u);
  rte_pktmbuf_free(a);
}

}  // namespace
}  // namespace rv::dataplane
