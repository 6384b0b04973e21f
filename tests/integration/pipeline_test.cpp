// The packet path end to end in one process: crafted frames are injected as mbufs into the RX
// ring of a net_ring port, a planes::Shard runs its lcore loop on lcore 1 (rx_burst -> parse ->
// classify -> in-line signaling and media planes -> free), and the test checks what every
// counter says. A second test proves the lcore neither allocates from the heap nor keeps mbufs.

#include <execinfo.h>
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "dataplane/port.hpp"
#include "dataplane/rx_clock.hpp"
#include "planes/shard.hpp"
#include "planes/transport/classifier.hpp"

// ---- Heap allocation counting on the lcore thread --------------------------------------------
// Every heap allocation of the binary is seen (operator new ends in malloc). Only those made while
// g_count_allocations is set on the calling thread are counted; the first one's backtrace is kept
// to say where it came from. In a plain build, malloc and friends are interposed; under
// AddressSanitizer, which owns the heap (a library freeing an ASan pointer through an interposed
// free would abort), its malloc hook is installed instead.

namespace {

thread_local bool g_count_allocations = false;
std::atomic<uint64_t> g_lcore_allocations{0};
std::array<void*, 48> g_first_allocation_trace{};
std::atomic<int> g_first_allocation_depth{0};

void note_allocation() noexcept {
  if (!g_count_allocations) return;
  g_count_allocations = false;  // backtrace() may allocate itself
  if (g_lcore_allocations.fetch_add(1) == 0) {
    g_first_allocation_depth = backtrace(g_first_allocation_trace.data(),
                                         static_cast<int>(g_first_allocation_trace.size()));
  }
  g_count_allocations = true;
}

}  // namespace

#if defined(__SANITIZE_ADDRESS__)

// The sanitizer runtime's hook API (GCC ships the runtime but not clang's
// <sanitizer/allocator_interface.h>).
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, std::size_t), void (*free_hook)(const volatile void*));

namespace {

void on_sanitizer_malloc(const volatile void*, std::size_t) { note_allocation(); }
void on_sanitizer_free(const volatile void*) {}

const bool g_malloc_hook_installed =
    __sanitizer_install_malloc_and_free_hooks(on_sanitizer_malloc, on_sanitizer_free) != 0;

}  // namespace

#else

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
  note_allocation();
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  note_allocation();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  note_allocation();
  return __libc_realloc(p, n);
}
void* memalign(std::size_t align, std::size_t n) {
  note_allocation();
  return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  note_allocation();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  note_allocation();
  void* p = __libc_memalign(align, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
void free(void* p) {
  __libc_free(p);
}
}

#endif

#include "tests/support/frame_bytes.hpp"

namespace rv {
namespace {

using test::Bytes;
using test::put16;
using test::put32;
using test::rtcp_sr_sdes;
using test::text;
using dataplane::ParseStatus;
using planes::transport::PacketClass;

// ---- EAL, pool and the net_ring port (once per process) --------------------------------------

constexpr unsigned kWorkerLcore = 1;
constexpr unsigned kRingSize = 4096;

rte_mempool* g_pool = nullptr;  // test mbufs; no per-lcore cache, so in-use counts are exact
rte_ring* g_rx_ring = nullptr;  // what the port receives
rte_ring* g_tx_ring = nullptr;
uint16_t g_port = 0;

class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // Warm up the unwinder outside the lcore (its first call may load libgcc_s).
    std::array<void*, 4> warm{};
    backtrace(warm.data(), static_cast<int>(warm.size()));
    const char* args[] = {
        "test_pipeline", "--no-huge",        "--no-shconf",        "--no-pci", "-m",
        "256",           "--lcores=0@0,1@1", "--log-level=warning"};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    ASSERT_GE(rte_eal_init(static_cast<int>(argv.size()), argv.data()), 0) << "rte_eal_init";
    ASSERT_TRUE(rte_lcore_is_enabled(kWorkerLcore));
    g_pool =
        rte_pktmbuf_pool_create("pipe_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(g_pool, nullptr);
    g_rx_ring = rte_ring_create("pipe_rx", kRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    g_tx_ring = rte_ring_create("pipe_tx", kRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_NE(g_rx_ring, nullptr);
    ASSERT_NE(g_tx_ring, nullptr);
    const int port = rte_eth_from_rings("pipe", &g_rx_ring, 1, &g_tx_ring, 1, SOCKET_ID_ANY);
    ASSERT_GE(port, 0) << "rte_eth_from_rings";
    g_port = static_cast<uint16_t>(port);
    // The ethdev is named "net_ring_<name>": ask for it rather than assume.
    std::array<char, RTE_ETH_NAME_MAX_LEN> name{};
    ASSERT_EQ(rte_eth_dev_get_name_by_port(g_port, name.data()), 0);
    // The production port bring-up on the ring port (its own pool stays unused by net_ring).
    config::DataplaneConfig dc;
    dc.mbufs = 511;
    dc.mbuf_cache = 0;
    auto ports = dataplane::start_ports({dataplane::PortRequest{name.data()}}, dc, 1);
    ASSERT_TRUE(ports.has_value()) << ports.error().message();
    ASSERT_EQ(ports->size(), 1u);
    ASSERT_EQ((*ports)[0].port_id, g_port);
  }
};
const auto* const kEal = ::testing::AddGlobalTestEnvironment(new EalEnvironment);

// ---- Frame builders ----------------------------------------------------------------------------

using Ip4 = std::array<uint8_t, 4>;
using Ip6 = std::array<uint8_t, 16>;

constexpr Ip4 kAlice4 = {10, 0, 0, 1};
constexpr Ip4 kBob4 = {10, 0, 0, 2};
constexpr Ip6 kAlice6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
constexpr Ip6 kBob6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes h(8, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, static_cast<uint16_t>(8 + payload.size()));
  return cat({h, payload});
}
Bytes tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const Bytes& payload) {
  Bytes h(20, 0);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put32(h, 4, seq);
  h[12] = 0x50;
  h[13] = flags;
  put16(h, 14, 65535);
  return cat({h, payload});
}
Bytes ipv4(const Ip4& src, const Ip4& dst, uint8_t proto, const Bytes& l4, uint16_t frag = 0,
           uint16_t id = 1) {
  Bytes h(20, 0);
  h[0] = 0x45;
  put16(h, 2, static_cast<uint16_t>(20 + l4.size()));
  put16(h, 4, id);
  put16(h, 6, frag);
  h[8] = 64;
  h[9] = proto;
  std::memcpy(&h[12], src.data(), 4);
  std::memcpy(&h[16], dst.data(), 4);
  return cat({h, l4});
}
Bytes ipv6(const Ip6& src, const Ip6& dst, uint8_t nh, const Bytes& rest) {
  Bytes h(40, 0);
  h[0] = 0x60;
  put16(h, 4, static_cast<uint16_t>(rest.size()));
  h[6] = nh;
  h[7] = 64;
  std::memcpy(&h[8], src.data(), 16);
  std::memcpy(&h[24], dst.data(), 16);
  return cat({h, rest});
}
Bytes ether(uint16_t type, const Bytes& l3, const std::vector<uint16_t>& vlans = {}) {
  Bytes f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  for (uint16_t v : vlans)
    f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
  f.push_back(static_cast<uint8_t>(type >> 8));
  f.push_back(static_cast<uint8_t>(type));
  return cat({f, l3});
}
Bytes udp4(const Ip4& s, uint16_t sp, const Ip4& d, uint16_t dp, const Bytes& payload,
           const std::vector<uint16_t>& vlans = {}) {
  return ether(0x0800, ipv4(s, d, dataplane::kIpProtoUdp, udp(sp, dp, payload)), vlans);
}
Bytes udp6(const Ip6& s, uint16_t sp, const Ip6& d, uint16_t dp, const Bytes& payload) {
  return ether(0x86DD, ipv6(s, d, dataplane::kIpProtoUdp, udp(sp, dp, payload)));
}

Bytes rtp(uint8_t pt, uint16_t seq, uint32_t ssrc, std::size_t body = 160) {
  Bytes b(12 + body, 0xD5);
  b[0] = 0x80;
  b[1] = pt;
  put16(b, 2, seq);
  put32(b, 4, uint32_t{seq} * 160u);
  put32(b, 8, ssrc);
  return b;
}


std::string sdp(const std::string& family, const std::string& ip, uint16_t port) {
  return "v=0\r\no=- 1 1 IN " + family + " " + ip + "\r\ns=-\r\nc=IN " + family + " " + ip +
         "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
}

struct Dialog {
  std::string call_id;
  std::string to_tag = "btag";
  std::string host = "10.0.0.1";

  std::string headers(uint32_t cseq, const std::string& method, bool with_to_tag,
                      const std::string& body) const {
    std::string h = "Via: SIP/2.0/UDP " + host + ":5060;branch=z9hG4bK-" + call_id + "-" +
                    std::to_string(cseq) + method + "\r\n" +
                    "From: <sip:alice@example.com>;tag=atag\r\n" + "To: <sip:bob@example.com>" +
                    (with_to_tag ? ";tag=" + to_tag : "") + "\r\n" + "Call-ID: " + call_id +
                    "\r\n" + "CSeq: " + std::to_string(cseq) + " " + method + "\r\n" +
                    "Contact: <sip:alice@" + host + ":5060>\r\nMax-Forwards: 70\r\n";
    if (!body.empty()) h += "Content-Type: application/sdp\r\n";
    return h + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  Bytes request(const std::string& method, uint32_t cseq, const std::string& body = {}) const {
    return text(method + " sip:bob@example.com SIP/2.0\r\n" +
                headers(cseq, method, method != "INVITE", body));
  }
  Bytes response(int code, const std::string& reason, uint32_t cseq, const std::string& method,
                 const std::string& body = {}) const {
    return text("SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n" +
                headers(cseq, method, code > 100, body));
  }
};

// ---- Running the shard
// ---------------------------------------------------------------------------

using planes::transport::ClassifierSlot;

config::Config small_config() {
  config::Config cfg;
  cfg.planes.signaling.max_calls = 4096;
  cfg.planes.signaling.max_tcp_streams = 64;
  cfg.planes.media.max_streams = 4096;
  cfg.dataplane.burst_size = 32;
  cfg.dataplane.housekeeping_interval = 64;
  return cfg;
}

uint64_t realtime_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The one-shard Shard of the lcore loop. A null `reassembler` counts fragments uninspected.
std::unique_ptr<planes::Shard> make_shard(const config::Config& cfg, ClassifierSlot* slot,
                                          std::unique_ptr<dataplane::Reassembler> reassembler) {
  std::vector<planes::transport::RxQueue> queues(1);
  queues[0].port_id = g_port;
  queues[0].queue_id = 0;
  queues[0].link = dataplane::LinkType::kEthernet;
  queues[0].clock = dataplane::RxClock(dataplane::RxTimestampField{}, 1, rte_get_tsc_hz(),
                                       rte_rdtsc(), realtime_ns());
  return std::make_unique<planes::Shard>(kWorkerLcore, 0u, 1u, std::move(queues), cfg, slot,
                                         std::move(reassembler));
}

struct LcoreArgs {
  planes::Shard* shard = nullptr;
  dataplane::LcoreLoop::StopGroup* group = nullptr;
  bool count_allocations = false;
};

int lcore_main(void* arg) {
  auto* a = static_cast<LcoreArgs*>(arg);
  g_count_allocations = a->count_allocations;
  a->shard->loop().run(*a->group);
  g_count_allocations = false;
  return 0;
}

// Keeps the compiler from eliding an allocation whose result is unused.
void escape(void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

rte_mbuf* to_mbuf(const Bytes& frame) {
  rte_mbuf* m = nullptr;
  while ((m = rte_pktmbuf_alloc(g_pool)) == nullptr) std::this_thread::yield();  // lcore frees
  char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  if (p == nullptr) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  std::memcpy(p, frame.data(), frame.size());
  return m;
}

// Enqueues every frame into the port's RX ring, waiting for room as the lcore drains it.
void inject(const std::vector<Bytes>& frames) {
  for (const Bytes& f : frames) {
    rte_mbuf* m = to_mbuf(f);
    ASSERT_NE(m, nullptr) << "frame of " << f.size() << " bytes does not fit one mbuf";
    while (rte_ring_enqueue(g_rx_ring, m) != 0) std::this_thread::yield();
  }
}

// Waits (bounded; not a timing assertion) until the shard has taken `n` frames.
bool wait_for_frames(const planes::Shard& shard, uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (shard.transport_counters().rx_frames.load() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = small_config();
    auto slot = ClassifierSlot::create(planes::transport::ClassifierConfig::from(cfg_.dataplane), 1);
    ASSERT_TRUE(slot.has_value());
    slot_ = std::move(*slot);
    shard_ = make_shard(cfg_, slot_.get(), nullptr);
    rte_eth_stats_reset(g_port);
    pool_in_use_at_start_ = rte_mempool_in_use_count(g_pool);
  }

  void launch(bool count_allocations) {
    args_ = LcoreArgs{shard_.get(), &group_, count_allocations};
    ASSERT_EQ(rte_eal_remote_launch(lcore_main, &args_, kWorkerLcore), 0);
    launched_ = true;
  }

  void stop() {
    group_.stop.store(true, std::memory_order_release);
    if (launched_) rte_eal_wait_lcore(kWorkerLcore);
    launched_ = false;
  }

  void TearDown() override {
    stop();
    shard_.reset();
  }

  uint64_t by_class(PacketClass c) const {
    return shard_->transport_counters().by_class[static_cast<std::size_t>(c)].load();
  }
  uint64_t by_status(ParseStatus s) const {
    return shard_->transport_counters().by_status[static_cast<std::size_t>(s)].load();
  }

  config::Config cfg_;
  std::unique_ptr<ClassifierSlot> slot_;
  std::unique_ptr<planes::Shard> shard_;
  dataplane::LcoreLoop::StopGroup group_;
  LcoreArgs args_;
  bool launched_ = false;
  unsigned pool_in_use_at_start_ = 0;
};

// ---- The traffic of the first test -----------------------------------------------------------

struct Traffic {
  std::vector<Bytes> frames;
  std::array<uint64_t, planes::transport::kPacketClassCount> classes{};
  std::array<uint64_t, dataplane::kParseStatusCount> statuses{};

  void add(Bytes f, PacketClass c, ParseStatus s = ParseStatus::kOk) {
    frames.push_back(std::move(f));
    if (!dataplane::is_malformed(s)) ++classes[static_cast<std::size_t>(c)];
    ++statuses[static_cast<std::size_t>(s)];
  }
  void add_malformed(Bytes f, ParseStatus s) { add(std::move(f), PacketClass::kOther, s); }
};

constexpr int kRtpPerDirection4 = 50;
constexpr int kRtpPerDirection6 = 20;

// Call 1 over IPv4 (SIP untagged, its media on VLAN 100): INVITE/100/180/200 with SDP, ACK,
// RTP both ways, RTCP, BYE/200.
void add_ipv4_call(Traffic& t) {
  const Dialog d{"call-v4@pipeline"};
  const auto sip_ab = [&](const Bytes& m) { return udp4(kAlice4, 5060, kBob4, 5060, m); };
  const auto sip_ba = [&](const Bytes& m) { return udp4(kBob4, 5060, kAlice4, 5060, m); };
  t.add(sip_ab(d.request("INVITE", 1, sdp("IP4", "10.0.0.1", 20000))), PacketClass::kSip);
  t.add(sip_ba(d.response(100, "Trying", 1, "INVITE")), PacketClass::kSip);
  t.add(sip_ba(d.response(180, "Ringing", 1, "INVITE")), PacketClass::kSip);
  t.add(sip_ba(d.response(200, "OK", 1, "INVITE", sdp("IP4", "10.0.0.2", 30000))),
        PacketClass::kSip);
  t.add(sip_ab(d.request("ACK", 1)), PacketClass::kSip);
  for (int i = 0; i < kRtpPerDirection4; ++i) {
    const auto seq = static_cast<uint16_t>(1000 + i);
    t.add(udp4(kAlice4, 20000, kBob4, 30000, rtp(0, seq, 0xA11CE), {100}), PacketClass::kRtp);
    t.add(udp4(kBob4, 30000, kAlice4, 20000, rtp(0, seq, 0xB0B), {100}), PacketClass::kRtp);
  }
  t.add(udp4(kAlice4, 20001, kBob4, 30001, rtcp_sr_sdes(0xA11CE), {100}), PacketClass::kRtcp);
  t.add(udp4(kBob4, 30001, kAlice4, 20001, rtcp_sr_sdes(0xB0B), {100}), PacketClass::kRtcp);
  t.add(sip_ab(d.request("BYE", 2)), PacketClass::kSip);
  t.add(sip_ba(d.response(200, "OK", 2, "BYE")), PacketClass::kSip);
}

// Call 2 over IPv6, answered and still up: INVITE/200 with SDP, ACK, RTP both ways.
void add_ipv6_call(Traffic& t) {
  const Dialog d{"call-v6@pipeline", "btag6", "[2001:db8::1]"};
  t.add(udp6(kAlice6, 5060, kBob6, 5060, d.request("INVITE", 1, sdp("IP6", "2001:db8::1", 40000))),
        PacketClass::kSip);
  t.add(udp6(kBob6, 5060, kAlice6, 5060,
             d.response(200, "OK", 1, "INVITE", sdp("IP6", "2001:db8::2", 40002))),
        PacketClass::kSip);
  t.add(udp6(kAlice6, 5060, kBob6, 5060, d.request("ACK", 1)), PacketClass::kSip);
  for (int i = 0; i < kRtpPerDirection6; ++i) {
    const auto seq = static_cast<uint16_t>(i);
    t.add(udp6(kAlice6, 40000, kBob6, 40002, rtp(8, seq, 0x6A)), PacketClass::kRtp);
    t.add(udp6(kBob6, 40002, kAlice6, 40000, rtp(8, seq, 0x6B)), PacketClass::kRtp);
  }
}

// SIP over TCP on a non-SIP port, frames that are not for the planes, malformed frames and
// fragments (first fragments only: never complete, so they stay fragments in every setup).
void add_the_rest(Traffic& t) {
  const Dialog d{"options-tcp@pipeline"};
  t.add(ether(0x0800, ipv4(kAlice4, kBob4, dataplane::kIpProtoTcp,
                           tcp(45000, 5080, 1, 0x18, d.request("OPTIONS", 1)))),
        PacketClass::kSip);
  // Not for the planes: ARP, ICMP, DNS, HTTP on the SIP port.
  t.add(ether(0x0806, Bytes(28, 0)), PacketClass::kOther, ParseStatus::kNotIp);
  t.add(ether(0x0800, ipv4(kAlice4, kBob4, 1, Bytes(16, 0))), PacketClass::kOther,
        ParseStatus::kOtherL4);
  t.add(udp4(kAlice4, 40000, kBob4, 53, rtp(0, 1, 1)), PacketClass::kOther);
  t.add(udp4(kAlice4, 40000, kBob4, 5060, text("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
        PacketClass::kOther);
  // Malformed, one per reason.
  t.add_malformed(Bytes(10, 0), ParseStatus::kTruncatedL2);
  Bytes bad_ihl = udp4(kAlice4, 1, kBob4, 2, Bytes(8, 0));
  bad_ihl[14] = 0x43;
  t.add_malformed(bad_ihl, ParseStatus::kBadIpv4HeaderLength);
  Bytes zero_udp = udp4(kAlice4, 30000, kBob4, 30002, rtp(0, 1, 1));
  put16(zero_udp, 14 + 20 + 4, 0);
  t.add_malformed(zero_udp, ParseStatus::kBadUdpLength);
  t.add_malformed(udp4(kAlice4, 1, kBob4, 2, Bytes(8, 0), {1, 2, 3, 4, 5}),  // beyond the bound of 4 tags
                  ParseStatus::kTooManyVlanTags);
  Bytes v6_zero = udp6(kAlice6, 1, kBob6, 2, Bytes(8, 0));
  put16(v6_zero, 14 + 4, 0);
  t.add_malformed(v6_zero, ParseStatus::kBadIpv6PayloadLength);
  Bytes tcp_doff = ether(
      0x0800, ipv4(kAlice4, kBob4, dataplane::kIpProtoTcp, tcp(1, 5060, 1, 0x18, text("INVITE"))));
  tcp_doff[14 + 20 + 12] = 0x30;
  t.add_malformed(tcp_doff, ParseStatus::kBadTcpHeaderLength);
  Bytes short_ipv4 = udp4(kAlice4, 1, kBob4, 2, Bytes(8, 0));
  short_ipv4.resize(14 + 12);
  t.add_malformed(short_ipv4, ParseStatus::kTruncatedIpv4);
  // Fragments: an IPv4 first fragment and an IPv6 first fragment.
  t.add(ether(0x0800,
              ipv4(kAlice4, kBob4, dataplane::kIpProtoUdp, udp(1, 2, Bytes(64, 0)), 0x2000, 77)),
        PacketClass::kOther, ParseStatus::kIpFragment);
  Bytes frag6 = {dataplane::kIpProtoUdp, 0, 0x00, 0x01, 0, 0, 0, 9};
  t.add(ether(0x86DD, ipv6(kAlice6, kBob6, 44, cat({frag6, udp(1, 2, Bytes(64, 0))}))),
        PacketClass::kOther, ParseStatus::kIpFragment);
}

TEST_F(PipelineTest, CraftedTraffic_CountersAddUpAndPlanesSeeTheCallsAndStreams) {
  Traffic t;
  add_ipv4_call(t);
  add_ipv6_call(t);
  add_the_rest(t);
  ASSERT_LT(t.frames.size(), std::size_t{kRingSize});
  inject(t.frames);
  launch(false);
  ASSERT_TRUE(wait_for_frames(*shard_, t.frames.size()));
  stop();

  const auto& tc = shard_->transport_counters();
  EXPECT_EQ(tc.rx_frames.load(), t.frames.size());
  uint64_t bytes = 0;
  for (const auto& f : t.frames) bytes += f.size();
  EXPECT_EQ(tc.rx_bytes.load(), bytes);
  EXPECT_EQ(dataplane::read_port_stats(g_port).ipackets, t.frames.size());
  for (std::size_t c = 0; c < planes::transport::kPacketClassCount; ++c) {
    EXPECT_EQ(tc.by_class[c].load(), t.classes[c]) << to_string(static_cast<PacketClass>(c));
  }
  uint64_t classified = 0;
  uint64_t malformed = 0;
  for (std::size_t s = 0; s < dataplane::kParseStatusCount; ++s) {
    const auto st = static_cast<ParseStatus>(s);
    EXPECT_EQ(tc.by_status[s].load(), t.statuses[s]) << to_string(st);
    if (dataplane::is_malformed(st)) malformed += tc.by_status[s].load();
  }
  for (const auto& c : tc.by_class) classified += c.load();
  EXPECT_EQ(classified + malformed, tc.rx_frames.load()) << "every frame is a class or malformed";
  EXPECT_EQ(tc.oversize_frames.load(), 0u);
  EXPECT_EQ(by_class(PacketClass::kSip), 11u);
  EXPECT_EQ(by_class(PacketClass::kRtp), 2u * (kRtpPerDirection4 + kRtpPerDirection6));
  EXPECT_EQ(by_class(PacketClass::kRtcp), 2u);

  // Signaling: both calls, their SDP, the answered-and-ended first call.
  const auto& sig = shard_->handler().signaling().counters();
  using planes::signaling::CallResult;
  using planes::signaling::SipMethod;
  EXPECT_EQ(sig.request_count(SipMethod::kInvite), 2u);
  EXPECT_EQ(sig.request_count(SipMethod::kAck), 2u);
  EXPECT_EQ(sig.request_count(SipMethod::kBye), 1u);
  EXPECT_EQ(sig.request_count(SipMethod::kOptions), 1u) << "SIP over TCP reached the plane";
  EXPECT_EQ(sig.response_count(100), 1u);
  EXPECT_EQ(sig.response_count(180), 1u);
  EXPECT_EQ(sig.response_count(200), 3u);
  EXPECT_EQ(sig.sdp_bodies.load(), 4u);
  EXPECT_EQ(sig.media_endpoints.load(), 4u);
  EXPECT_EQ(sig.call_count(CallResult::kAnswered), 2u) << "counted at the 200 OK";
  EXPECT_EQ(sig.calls_active.load(), 1u) << "the first call ended with its BYE";
  EXPECT_EQ(sig.tcp_segments.load(), 1u);

  // Media: four streams, each matched to an SDP endpoint; every RTP and RTCP packet accounted.
  const auto& med = shard_->handler().media().counters();
  EXPECT_EQ(med.rtp_packets.load(), 2u * (kRtpPerDirection4 + kRtpPerDirection6));
  EXPECT_EQ(med.streams_total.load(), 4u);
  EXPECT_EQ(med.streams_associated.load(), 4u);
  EXPECT_EQ(med.endpoints_learned.load(), 4u);
  EXPECT_EQ(med.rtcp_datagrams.load(), 2u);
  EXPECT_EQ(med.rtp_lost.load(), 0u);
  EXPECT_EQ(shard_->handler().event_counters().media_endpoints.load(), 4u);

  EXPECT_EQ(rte_mempool_in_use_count(g_pool), pool_in_use_at_start_) << "every mbuf was freed";
}

// ---- Fragments reassembled on the shard -----------------------------------------------------

// One IPv4 fragment: bytes [offset, offset + len) of `l4` (UDP header + payload).
Bytes frag4(const Bytes& l4, uint16_t id, std::size_t offset, std::size_t len, bool more) {
  const Bytes part(l4.begin() + static_cast<std::ptrdiff_t>(offset),
                   l4.begin() + static_cast<std::ptrdiff_t>(offset + len));
  const auto field = static_cast<uint16_t>((more ? 0x2000 : 0) | (offset / 8));
  return ether(0x0800, ipv4(kAlice4, kBob4, dataplane::kIpProtoUdp, part, field, id));
}

// One IPv6 fragment (fragment header right after the fixed header).
Bytes frag6(const Bytes& l4, uint32_t id, std::size_t offset, std::size_t len, bool more) {
  Bytes hdr(8, 0);
  hdr[0] = dataplane::kIpProtoUdp;
  put16(hdr, 2, static_cast<uint16_t>(offset | (more ? 1 : 0)));
  put32(hdr, 4, id);
  const Bytes part(l4.begin() + static_cast<std::ptrdiff_t>(offset),
                   l4.begin() + static_cast<std::ptrdiff_t>(offset + len));
  return ether(0x86DD, ipv6(kAlice6, kBob6, 44, cat({hdr, part})));
}

class PipelineReassemblyTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    shard_.reset();  // one ShardHandler at a time (its ring name is per shard index)
    auto r = dataplane::Reassembler::create(dataplane::ReassemblyConfig{});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    reassembler_ = r->get();
    shard_ = make_shard(cfg_, slot_.get(), std::move(*r));
  }
  const dataplane::Reassembler* reassembler_ = nullptr;  // owned by the shard
};

TEST_F(PipelineReassemblyTest, FragmentedInvites_AreReassembledAndReachTheSignalingPlane) {
  const Dialog d4{"frag-v4@pipeline"};
  const Dialog d6{"frag-v6@pipeline", "btag6", "[2001:db8::1]"};
  const Bytes invite4 = udp(5060, 5060, d4.request("INVITE", 1, sdp("IP4", "10.0.0.1", 20000)));
  const Bytes invite6 = udp(5060, 5060, d6.request("INVITE", 1, sdp("IP6", "2001:db8::1", 40000)));
  ASSERT_GT(invite4.size(), 400u);
  ASSERT_GT(invite6.size(), 400u);
  const Bytes lone = udp(5060, 5060, d4.request("OPTIONS", 7));
  std::vector<Bytes> frames = {
      // IPv4, last fragment first.
      frag4(invite4, 11, 256, invite4.size() - 256, false),
      frag4(invite4, 11, 0, 256, true),
      // IPv6 in three fragments.
      frag6(invite6, 12, 0, 128, true),
      frag6(invite6, 12, 128, 128, true),
      frag6(invite6, 12, 256, invite6.size() - 256, false),
      // A duplicated fragment: the datagram is dropped, never delivered.
      frag4(invite4, 13, 0, 200, true),
      frag4(invite4, 13, 0, 200, true),
      frag4(invite4, 13, 200, invite4.size() - 200, false),
      // A first fragment whose rest never comes: held until the shard goes.
      frag4(lone, 14, 0, 24, true),
  };
  inject(frames);
  launch(false);
  ASSERT_TRUE(wait_for_frames(*shard_, frames.size()));
  stop();

  const auto& tc = shard_->transport_counters();
  EXPECT_EQ(by_status(ParseStatus::kIpFragment), frames.size());
  // The frame completing a datagram counts with the datagram's class, the rest as other.
  EXPECT_EQ(by_class(PacketClass::kSip), 2u);
  EXPECT_EQ(by_class(PacketClass::kOther), frames.size() - 2);
  EXPECT_EQ(tc.reassembled.load(), 2u);
  EXPECT_EQ(tc.reassembled_unparsed.load(), 0u);
  using C = dataplane::ReassemblyCounter;
  EXPECT_EQ(reassembler_->counter(C::kDatagramsReassembled), 2u);
  EXPECT_EQ(reassembler_->counter(C::kFailedDatagrams), 1u);
  EXPECT_EQ(reassembler_->counter(C::kFragmentsIn), frames.size());

  const auto& sig = shard_->handler().signaling().counters();
  EXPECT_EQ(sig.request_count(planes::signaling::SipMethod::kInvite), 2u);
  EXPECT_EQ(sig.request_count(planes::signaling::SipMethod::kOptions), 0u);
  EXPECT_EQ(sig.sdp_bodies.load(), 2u);
  EXPECT_EQ(sig.media_endpoints.load(), 2u);

  shard_.reset();  // frees the held fragment with the table
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), pool_in_use_at_start_) << "mbufs kept";
}

// ---- No heap allocation and no mbuf kept on the lcore ----------------------------------------

constexpr std::size_t kAllocTestPackets = 100'000;
constexpr int kAllocTestCalls = 100;

// 100 calls of 1000 frames each: 7 SIP messages (INVITE/100/180/200, ACK, BYE/200; SDP in the
// INVITE and the 200), 2 RTCP and 991 RTP, over IPv4 and IPv6, some VLAN-tagged; every tenth
// INVITE comes in two IPv4 fragments (and one RTP less). Every table of both planes and the
// reassembly table is inserted into and removed from.
std::vector<Bytes> alloc_test_traffic() {
  std::vector<Bytes> frames;
  frames.reserve(kAllocTestPackets);
  for (int c = 0; c < kAllocTestCalls; ++c) {
    const bool v6 = c % 4 == 3;
    // append(), not "lit" + std::string: GCC 12 warns falsely (-Wrestrict) on the latter at -O3.
    std::string call_id = "call-";
    call_id.append(std::to_string(c)).append("@alloc");
    std::string tag = "t";
    tag.append(std::to_string(c));
    const Dialog d{call_id, tag};
    const auto a_port = static_cast<uint16_t>(20000 + 4 * c);
    const auto b_port = static_cast<uint16_t>(40000 + 4 * c);
    const auto send = [&](bool from_alice, uint16_t sp, uint16_t dp, const Bytes& payload,
                          bool vlan) {
      if (v6) {
        frames.push_back(from_alice ? udp6(kAlice6, sp, kBob6, dp, payload)
                                    : udp6(kBob6, sp, kAlice6, dp, payload));
      } else {
        const std::vector<uint16_t> tags =
            vlan ? std::vector<uint16_t>{7} : std::vector<uint16_t>{};
        frames.push_back(from_alice ? udp4(kAlice4, sp, kBob4, dp, payload, tags)
                                    : udp4(kBob4, sp, kAlice4, dp, payload, tags));
      }
    };
    const std::string fam = v6 ? "IP6" : "IP4";
    const std::string a_ip = v6 ? "2001:db8::1" : "10.0.0.1";
    const std::string b_ip = v6 ? "2001:db8::2" : "10.0.0.2";
    const bool fragmented = c % 10 == 0;  // IPv4 calls: their INVITE comes in two fragments
    const Bytes invite = d.request("INVITE", 1, sdp(fam, a_ip, a_port));
    if (fragmented) {
      const Bytes l4 = udp(5060, 5060, invite);
      frames.push_back(frag4(l4, static_cast<uint16_t>(1000 + c), 0, 256, true));
      frames.push_back(frag4(l4, static_cast<uint16_t>(1000 + c), 256, l4.size() - 256, false));
    } else {
      send(true, 5060, 5060, invite, false);
    }
    send(false, 5060, 5060, d.response(100, "Trying", 1, "INVITE"), false);
    send(false, 5060, 5060, d.response(180, "Ringing", 1, "INVITE"), false);
    send(false, 5060, 5060, d.response(200, "OK", 1, "INVITE", sdp(fam, b_ip, b_port)), false);
    send(true, 5060, 5060, d.request("ACK", 1), false);
    for (int i = 0; i < (fragmented ? 990 : 991); ++i) {
      const bool ab = i % 2 == 0;
      const auto seq = static_cast<uint16_t>(i / 2);
      send(ab, ab ? a_port : b_port, ab ? b_port : a_port,
           rtp(0, seq, ab ? 0x1000u + c : 0x2000u + c), c % 2 == 1);
    }
    send(true, a_port + 1, b_port + 1, rtcp_sr_sdes(0x1000u + c), false);
    send(false, b_port + 1, a_port + 1, rtcp_sr_sdes(0x2000u + c), false);
    send(true, 5060, 5060, d.request("BYE", 2), false);
    send(false, 5060, 5060, d.response(200, "OK", 2, "BYE"), false);
  }
  return frames;
}

// The counting hook itself: an allocation on the lcore (operator new and malloc) is seen.
int allocate_on_lcore(void*) {
  g_count_allocations = true;
  auto p = std::make_unique<std::array<char, 100>>();
  void* q = std::malloc(10);
  escape(p.get());
  escape(q);
  std::free(q);
  g_count_allocations = false;
  return 0;
}

TEST(AllocationHook, AllocationOnTheLcore_IsCounted) {
  g_lcore_allocations = 0;
  ASSERT_EQ(rte_eal_remote_launch(allocate_on_lcore, nullptr, kWorkerLcore), 0);
  rte_eal_wait_lcore(kWorkerLcore);
  EXPECT_EQ(g_lcore_allocations.load(), 2u);
  g_lcore_allocations = 0;
}

TEST_F(PipelineReassemblyTest, HundredThousandPackets_NoHeapAllocationOnTheLcoreAndNoMbufKept) {
  const std::vector<Bytes> frames = alloc_test_traffic();
  ASSERT_EQ(frames.size(), kAllocTestPackets);
  g_lcore_allocations = 0;
  launch(true);
  inject(frames);  // the pool (4095 mbufs) is far smaller: the lcore must give every mbuf back
  ASSERT_TRUE(wait_for_frames(*shard_, kAllocTestPackets));
  stop();

  const uint64_t allocations = g_lcore_allocations.load();
  if (allocations != 0) {
    std::fprintf(stderr, "first heap allocation on the lcore:\n");
    backtrace_symbols_fd(g_first_allocation_trace.data(), g_first_allocation_depth.load(), 2);
  }
  EXPECT_EQ(allocations, 0u) << "heap allocations on the lcore after start (backtrace above)";
  EXPECT_EQ(rte_mempool_in_use_count(g_pool), pool_in_use_at_start_) << "mbufs kept";

  const auto& tc = shard_->transport_counters();
  EXPECT_EQ(tc.rx_frames.load(), kAllocTestPackets);
  EXPECT_EQ(by_class(PacketClass::kSip), 7u * kAllocTestCalls);
  EXPECT_EQ(by_class(PacketClass::kRtcp), 2u * kAllocTestCalls);
  EXPECT_EQ(by_class(PacketClass::kRtp), 991u * kAllocTestCalls - kAllocTestCalls / 10);
  EXPECT_EQ(tc.reassembled.load(), kAllocTestCalls / 10u);
  EXPECT_EQ(
      shard_->handler().signaling().counters().call_count(planes::signaling::CallResult::kAnswered),
      static_cast<uint64_t>(kAllocTestCalls));
  EXPECT_EQ(shard_->handler().media().counters().streams_total.load(), 2u * kAllocTestCalls);
}


// A reload publishes a new classifier snapshot: the running lcore switches to it at its next
// housekeeping tick, reports a quiescent state, and the control plane frees the old snapshot.
TEST_F(PipelineTest, ReloadedClassifierSnapshots_AreReclaimedOnceTheLcorePassedAQuiescentState) {
  launch(false);
  auto next = cfg_.dataplane;
  next.rtp_heuristic = false;  // observable: RTP on an unknown flow is no longer recognised
  for (int i = 0; i < 3; ++i) slot_->publish(planes::transport::ClassifierConfig::from(next));
  EXPECT_EQ(slot_->generation(), 3u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::size_t waiting = 1;
  while ((waiting = slot_->reclaim()) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(waiting, 0u);
  EXPECT_EQ(slot_->reclaimed(), 3u);
  // The lcore now classifies with the newest snapshot.
  inject({udp4(kAlice4, 40000, kBob4, 40002, rtp(0, 1, 0x1234))});
  ASSERT_TRUE(wait_for_frames(*shard_, 1));
  // rx_frames counts a frame before it is classified: wait for the class too.
  const auto classified = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (by_class(PacketClass::kOther) + by_class(PacketClass::kRtp) == 0 &&
         std::chrono::steady_clock::now() < classified) {
    std::this_thread::yield();
  }
  EXPECT_EQ(by_class(PacketClass::kRtp), 0u);
  EXPECT_EQ(by_class(PacketClass::kOther), 1u)
      << "sip " << by_class(PacketClass::kSip) << " rtcp " << by_class(PacketClass::kRtcp)
      << " rx " << shard_->transport_counters().rx_frames.load();
  stop();
  // A stopped lcore is offline: it holds nothing back.
  slot_->publish(planes::transport::ClassifierConfig::from(cfg_.dataplane));
  EXPECT_EQ(slot_->reclaim(), 0u);
}

}  // namespace
}  // namespace rv
