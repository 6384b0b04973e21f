// pipeline_bench: packets per second on one lcore through the real packet path, beside the I/O
// limit in the same run (STYLE.md 22).
//
//   BM_Baseline_RxFree              rte_eth_rx_burst from a net_ring port + rte_pktmbuf_free_bulk
//   BM_Pipeline_ParseClassifySteer  the shard's RxPoller (with its reassembler): rx_burst, RX
//                                   time, L2-L4 parse, classify, ShardHandler::on_packet (steering
//                                   decision, in-line signaling and media planes), free
//
// Traffic: one "pass" of 2040 generated frames, a steady-state SIP+RTP mix of 24 calls: ~92% RTP
// (48 streams, sequence numbers and timestamps advancing from pass to pass), ~6% SIP (INVITE and
// 200 OK with SDP, 100, 180, ACK; the same dialogs every pass, so after the first pass they are
// retransmissions to the signaling plane), ~2% RTCP (SR+SDES); a quarter of the calls on VLAN
// 100, a quarter over IPv6. With vxlan_half=1 every other frame of the same pass arrives
// inside VXLAN (outer Ethernet + IPv4 + UDP 4789 + VXLAN, as cloud traffic mirroring sends it):
// the decapsulation cost is the ratio of the two runs' items/s.
//
// Between iterations (outside the measured time) the benchmark thread allocates fresh mbufs,
// copies the pass into them and enqueues them on the port's RX ring; each iteration measures
// (TSC, manual time) only draining the ring: rx -> work -> free, mbufs back to the pool as in
// production. Frames sit in cache when the loop reads them (no NIC DMA here): an upper bound.
//
//   pipeline_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dataplane/reassembly.hpp"
#include "dataplane/rx_clock.hpp"
#include "planes/shard_handler.hpp"
#include "planes/transport/classifier.hpp"
#include "planes/transport/rx_poller.hpp"
#include "planes/transport/transport_counters.hpp"

#include "tests/support/frame_bytes.hpp"

namespace bench {
namespace {

using rv::test::Bytes;
using rv::test::put16;
using rv::test::put32;
using rv::test::rtcp_sr_sdes;
using rv::test::text;

constexpr unsigned kRingSize = 4096;
constexpr std::size_t kPassFrames = 2048;
constexpr int kCalls = 24;

rte_mempool* g_pool = nullptr;
rte_ring* g_rx_ring = nullptr;
rte_ring* g_tx_ring = nullptr;
uint16_t g_port = 0;

// ---- Frames ------------------------------------------------------------------------------------

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
void append(Bytes& out, const Bytes& b) {
  out.insert(out.end(), b.begin(), b.end());
}

struct Host {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  std::string text;
};

Host host(bool v6, uint8_t last) {
  Host h;
  h.v6 = v6;
  if (v6) {
    h.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    std::array<char, 8> hex{};
    std::snprintf(hex.data(), hex.size(), "%x", last);  // the text form is hexadecimal
    h.text = std::string("2001:db8::") + hex.data();
  } else {
    h.addr = {10, 0, 0, last};
    h.text = "10.0.0." + std::to_string(last);
  }
  return h;
}

// Ethernet (optionally VLAN-tagged) + IPv4/IPv6 + UDP + payload.
Bytes udp_frame(const Host& s, uint16_t sp, const Host& d, uint16_t dp, const Bytes& payload,
                bool vlan) {
  Bytes f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  if (vlan) append(f, {0x81, 0x00, 0x00, 100});
  append(f, s.v6 ? Bytes{0x86, 0xDD} : Bytes{0x08, 0x00});
  Bytes l4(8, 0);
  put16(l4, 0, sp);
  put16(l4, 2, dp);
  put16(l4, 4, static_cast<uint16_t>(8 + payload.size()));
  append(l4, payload);
  if (s.v6) {
    Bytes ip(40, 0);
    ip[0] = 0x60;
    put16(ip, 4, static_cast<uint16_t>(l4.size()));
    ip[6] = 17;
    ip[7] = 64;
    std::memcpy(&ip[8], s.addr.data(), 16);
    std::memcpy(&ip[24], d.addr.data(), 16);
    append(f, ip);
  } else {
    Bytes ip(20, 0);
    ip[0] = 0x45;
    put16(ip, 2, static_cast<uint16_t>(20 + l4.size()));
    ip[8] = 64;
    ip[9] = 17;
    std::memcpy(&ip[12], s.addr.data(), 4);
    std::memcpy(&ip[16], d.addr.data(), 4);
    append(f, ip);
  }
  append(f, l4);
  return f;
}

std::string sdp(const Host& h, uint16_t port) {
  const std::string fam = h.v6 ? "IP6" : "IP4";
  return "v=0\r\no=- 1 1 IN " + fam + " " + h.text + "\r\ns=-\r\nc=IN " + fam + " " + h.text +
         "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n";
}

Bytes sip(const std::string& start, const std::string& call_id, const std::string& method,
          bool to_tag, const std::string& body) {
  std::string m = start;
  m.append("\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-").append(call_id);
  m.append("\r\nFrom: \"Alice\" <sip:alice@example.com>;tag=a-").append(call_id);
  m.append("\r\nTo: <sip:bob@example.com>").append(to_tag ? ";tag=b-" + call_id : "");
  m.append("\r\nCall-ID: ").append(call_id).append("@bench.example.com");
  m.append("\r\nCSeq: 1 ").append(method);
  m.append("\r\nContact: <sip:alice@192.0.2.1:5060>\r\nMax-Forwards: 70\r\n");
  m.append("User-Agent: pipeline_bench\r\n");
  if (!body.empty()) m.append("Content-Type: application/sdp\r\n");
  m.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  m.append(body);
  return text(m);
}

Bytes rtp_payload(uint8_t pt, uint32_t ssrc) {
  Bytes b(12 + 160, 0xD5);
  b[0] = 0x80;
  b[1] = pt;
  put32(b, 8, ssrc);
  return b;
}


// One frame of the pass; RTP frames get their sequence number and timestamp rewritten per pass.
struct Frame {
  Bytes bytes;
  uint32_t rtp_offset = 0;  // RTP header offset in the frame; 0 = not RTP
  uint16_t seq0 = 0;        // sequence number in pass 0
};

struct Traffic {
  std::vector<Frame> frames;
  uint16_t rtp_per_stream = 0;  // sequence advance per pass
  std::size_t sip = 0, rtp = 0, rtcp = 0, vlan = 0, v6 = 0, vxlan = 0;
};

constexpr std::size_t kVxlanOverhead = 14 + 20 + 8 + 8;

// `inner` as a mirror session sends it: Ethernet + IPv4 + UDP (4789) + VXLAN (VNI 42) + inner.
Bytes vxlan_wrap(const Bytes& inner, uint16_t sport) {
  Bytes f = {0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00};
  Bytes ip(20, 0);
  ip[0] = 0x45;
  put16(ip, 2, static_cast<uint16_t>(kVxlanOverhead - 14 + inner.size()));
  ip[8] = 64;
  ip[9] = 17;
  put32(ip, 12, 0xC0000201);  // 192.0.2.1 -> 192.0.2.2
  put32(ip, 16, 0xC0000202);
  append(f, ip);
  Bytes udp(16, 0);
  put16(udp, 0, sport);
  put16(udp, 2, 4789);
  put16(udp, 4, static_cast<uint16_t>(16 + inner.size()));
  udp[8] = 0x08;  // VNI present
  udp[14] = 42;
  append(f, udp);
  append(f, inner);
  return f;
}

// Every other frame wrapped in VXLAN (each class half in, half out).
void wrap_half_in_vxlan(Traffic& t) {
  for (std::size_t i = 1; i < t.frames.size(); i += 2) {
    Frame& f = t.frames[i];
    f.bytes = vxlan_wrap(f.bytes, static_cast<uint16_t>(49152 + i % 16384));
    if (f.rtp_offset != 0) f.rtp_offset += kVxlanOverhead;
    ++t.vxlan;
  }
}

Traffic make_traffic(bool vxlan_half) {
  Traffic t;
  std::vector<Frame> sip_frames;
  std::vector<Frame> rtcp_frames;
  struct Stream {
    Host src, dst;
    uint16_t sp, dp;
    uint32_t ssrc;
    uint8_t pt;
    bool vlan;
  };
  std::vector<Stream> streams;
  for (int c = 0; c < kCalls; ++c) {
    const bool v6 = c % 4 == 3;
    const bool vlan = c % 4 == 1;
    const Host a = host(v6, static_cast<uint8_t>(1 + c));
    const Host b = host(v6, static_cast<uint8_t>(101 + c));
    const auto ap = static_cast<uint16_t>(20000 + 2 * c);
    const auto bp = static_cast<uint16_t>(40000 + 2 * c);
    const std::string id = "bench-call-" + std::to_string(c);
    const auto add_sip = [&](bool from_a, const Bytes& m) {
      sip_frames.push_back(
          {from_a ? udp_frame(a, 5060, b, 5060, m, vlan) : udp_frame(b, 5060, a, 5060, m, vlan)});
    };
    add_sip(true, sip("INVITE sip:bob@example.com SIP/2.0", id, "INVITE", false, sdp(a, ap)));
    add_sip(false, sip("SIP/2.0 100 Trying", id, "INVITE", false, {}));
    add_sip(false, sip("SIP/2.0 180 Ringing", id, "INVITE", true, {}));
    add_sip(false, sip("SIP/2.0 200 OK", id, "INVITE", true, sdp(b, bp)));
    add_sip(true, sip("ACK sip:bob@example.com SIP/2.0", id, "ACK", true, {}));
    const uint8_t pt = c % 2 == 0 ? 0 : 8;
    streams.push_back({a, b, ap, bp, 0x10000u + static_cast<uint32_t>(c), pt, vlan});
    streams.push_back({b, a, bp, ap, 0x20000u + static_cast<uint32_t>(c), pt, vlan});
    rtcp_frames.push_back(
        {udp_frame(a, static_cast<uint16_t>(ap + 1), b, static_cast<uint16_t>(bp + 1),
                   rtcp_sr_sdes(0x10000u + static_cast<uint32_t>(c)), vlan)});
    rtcp_frames.push_back(
        {udp_frame(b, static_cast<uint16_t>(bp + 1), a, static_cast<uint16_t>(ap + 1),
                   rtcp_sr_sdes(0x20000u + static_cast<uint32_t>(c)), vlan)});
  }
  // SIP first (the SDP is learned before the media of pass 0), then RTP round-robin over the
  // streams with the RTCP spread through it.
  t.frames = sip_frames;
  // Every stream sends the same count per pass, so sequence numbers advance without a gap.
  const std::size_t per_stream =
      (kPassFrames - sip_frames.size() - rtcp_frames.size()) / streams.size();
  const std::size_t rtp_total = per_stream * streams.size();
  t.rtp_per_stream = static_cast<uint16_t>(per_stream);
  std::vector<uint16_t> sent(streams.size(), 0);
  const std::size_t rtcp_every = rtp_total / rtcp_frames.size();
  std::size_t next_rtcp = 0;
  for (std::size_t i = 0; i < rtp_total; ++i) {
    const std::size_t s = i % streams.size();
    const Stream& st = streams[s];
    Frame f{udp_frame(st.src, st.sp, st.dst, st.dp, rtp_payload(st.pt, st.ssrc), st.vlan)};
    f.rtp_offset = static_cast<uint32_t>(f.bytes.size() - (12 + 160));
    f.seq0 = sent[s]++;
    t.frames.push_back(std::move(f));
    if ((i + 1) % rtcp_every == 0 && next_rtcp < rtcp_frames.size()) {
      t.frames.push_back(rtcp_frames[next_rtcp++]);
    }
  }
  while (next_rtcp < rtcp_frames.size()) t.frames.push_back(rtcp_frames[next_rtcp++]);
  for (const Frame& f : t.frames) {
    if (f.rtp_offset != 0) ++t.rtp;
    if (f.bytes[12] == 0x81) ++t.vlan;
    if (f.bytes[f.bytes[12] == 0x81 ? 16 : 12] == 0x86) ++t.v6;
  }
  t.sip = sip_frames.size();
  t.rtcp = rtcp_frames.size();
  if (vxlan_half) wrap_half_in_vxlan(t);
  return t;
}

// mix 0: plain; mix 1: half of the frames in VXLAN.
const Traffic& traffic(int64_t mix = 0) {
  static const Traffic plain = make_traffic(false);
  static const Traffic vxlan = make_traffic(true);
  return mix == 0 ? plain : vxlan;
}

// Fills the RX ring with one pass in fresh mbufs (not measured). Pass `pass` advances RTP.
void feed(uint64_t pass, int64_t mix = 0) {
  const Traffic& t = traffic(mix);
  std::array<rte_mbuf*, kPassFrames> bufs;
  const std::size_t n = t.frames.size();
  if (rte_pktmbuf_alloc_bulk(g_pool, bufs.data(), static_cast<unsigned>(n)) != 0) {
    std::fprintf(stderr, "pool exhausted\n");
    std::abort();
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Frame& f = t.frames[i];
    auto* p = reinterpret_cast<uint8_t*>(
        rte_pktmbuf_append(bufs[i], static_cast<uint16_t>(f.bytes.size())));
    std::memcpy(p, f.bytes.data(), f.bytes.size());
    if (f.rtp_offset != 0) {
      const uint32_t seq = f.seq0 + static_cast<uint32_t>(pass * t.rtp_per_stream);
      p[f.rtp_offset + 2] = static_cast<uint8_t>(seq >> 8);
      p[f.rtp_offset + 3] = static_cast<uint8_t>(seq);
      put32(p + f.rtp_offset + 4, seq * 160u);
    }
  }
  if (rte_ring_enqueue_bulk(g_rx_ring, reinterpret_cast<void* const*>(bufs.data()),
                            static_cast<unsigned>(n), nullptr) != n) {
    std::fprintf(stderr, "rx ring full\n");
    std::abort();
  }
}

double seconds(uint64_t tsc) {
  return static_cast<double>(tsc) / static_cast<double>(rte_get_tsc_hz());
}

void report(benchmark::State& state, uint64_t packets, int64_t mix = 0) {
  const Traffic& t = traffic(mix);
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  state.counters["rtp_share"] = static_cast<double>(t.rtp) / static_cast<double>(t.frames.size());
  state.counters["sip_share"] = static_cast<double>(t.sip) / static_cast<double>(t.frames.size());
  state.counters["vlan_share"] = static_cast<double>(t.vlan) / static_cast<double>(t.frames.size());
  state.counters["ipv6_share"] = static_cast<double>(t.v6) / static_cast<double>(t.frames.size());
  state.counters["vxlan_share"] = static_cast<double>(t.vxlan) / static_cast<double>(t.frames.size());
}

// ---- Benchmarks
// ----------------------------------------------------------------------------------

// The I/O limit: rx_burst + free, nothing looked at.
void BM_Baseline_RxFree(benchmark::State& state) {
  const auto burst = static_cast<uint16_t>(state.range(0));
  std::array<rte_mbuf*, rv::planes::transport::kMaxBurst> bufs;
  uint64_t packets = 0;
  uint64_t pass = 0;
  for (auto _ : state) {
    feed(pass++);
    const uint64_t t0 = rte_rdtsc_precise();
    std::size_t left = traffic().frames.size();
    while (left > 0) {
      const uint16_t n = rte_eth_rx_burst(g_port, 0, bufs.data(), burst);
      benchmark::DoNotOptimize(n);
      rte_pktmbuf_free_bulk(bufs.data(), n);
      left -= n;
    }
    state.SetIterationTime(seconds(rte_rdtsc_precise() - t0));
    packets += traffic().frames.size();
  }
  report(state, packets);
}

// The shard's rx poller with its ShardHandler (one shard: every session is local, steered in-line).
void BM_Pipeline_ParseClassifySteer(benchmark::State& state) {
  const auto burst = static_cast<uint16_t>(state.range(0));
  const int64_t mix = state.range(1);
  rv::config::Config cfg;
  cfg.dataplane.burst_size = burst;
  cfg.planes.signaling.max_calls = 4096;
  cfg.planes.media.max_streams = 4096;
  const auto classifier = rv::planes::transport::ClassifierConfig::from(cfg.dataplane);
  std::atomic<const rv::planes::transport::ClassifierConfig*> slot{&classifier};
  rv::planes::ShardHandler handler(0, 1, cfg);
  rv::planes::transport::TransportCounters counters;
  std::vector<rv::planes::transport::RxQueue> queues(1);
  queues[0].port_id = g_port;
  queues[0].clock = rv::dataplane::RxClock(
      rv::dataplane::RxTimestampField{}, 1, rte_get_tsc_hz(), rte_rdtsc(),
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()));
  // As in a shard: a reassembler on the path (the mix has no fragments; it costs a flush per
  // burst).
  auto reassembler = rv::dataplane::Reassembler::create(rv::dataplane::ReassemblyConfig{});
  if (!reassembler) {
    state.SkipWithError(reassembler.error().message().c_str());
    return;
  }
  rv::planes::transport::RxPoller<rv::planes::ShardHandler> rx(
      std::move(queues), burst, &slot, handler, counters, reassembler->get());
  uint64_t packets = 0;
  uint64_t pass = 0;
  for (auto _ : state) {
    feed(pass++, mix);
    const uint64_t t0 = rte_rdtsc_precise();
    std::size_t left = traffic(mix).frames.size();
    while (left > 0) left -= rx.poll(rte_rdtsc());
    state.SetIterationTime(seconds(rte_rdtsc_precise() - t0));
    packets += traffic(mix).frames.size();
  }
  benchmark::DoNotOptimize(counters.rx_frames.load());
  report(state, packets, mix);
  const auto cls = [&](rv::planes::transport::PacketClass c) {
    return static_cast<double>(counters.by_class[static_cast<std::size_t>(c)].load()) /
           static_cast<double>(packets);
  };
  // What the planes saw, per packet: a check that the mix is classified as intended.
  state.counters["cls_rtp"] = cls(rv::planes::transport::PacketClass::kRtp);
  state.counters["cls_sip"] = cls(rv::planes::transport::PacketClass::kSip);
  state.counters["cls_rtcp"] = cls(rv::planes::transport::PacketClass::kRtcp);
  state.counters["cls_other"] = cls(rv::planes::transport::PacketClass::kOther);
  state.counters["streams"] = static_cast<double>(handler.media().counters().streams_total.load());
  const auto& sig = handler.signaling().counters();
  uint64_t sip_malformed = 0;
  for (const auto& m : sig.malformed) sip_malformed += m.load();
  state.counters["sip_malformed"] = static_cast<double>(sip_malformed);
  state.counters["sdp_bodies"] = static_cast<double>(sig.sdp_bodies.load());
  state.counters["endpoints"] =
      static_cast<double>(handler.media().counters().endpoints_learned.load());
  state.counters["associated"] =
      static_cast<double>(handler.media().counters().streams_associated.load());
}

BENCHMARK(BM_Baseline_RxFree)->ArgName("burst")->Arg(32)->Arg(64)->UseManualTime();
BENCHMARK(BM_Pipeline_ParseClassifySteer)
    ->ArgNames({"burst", "vxlan_half"})
    ->ArgsProduct({{32, 64}, {0, 1}})
    ->UseManualTime();

// ---- Set-up
// --------------------------------------------------------------------------------------

bool setup_port() {
  // Room for one pass in the ring plus the per-lcore cache.
  g_pool = rte_pktmbuf_pool_create("bench_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                   static_cast<int>(rte_socket_id()));
  g_rx_ring = rte_ring_create("bench_rx", kRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  g_tx_ring = rte_ring_create("bench_tx", kRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (g_pool == nullptr || g_rx_ring == nullptr || g_tx_ring == nullptr) return false;
  const int port = rte_eth_from_rings("bench", &g_rx_ring, 1, &g_tx_ring, 1, SOCKET_ID_ANY);
  if (port < 0) return false;
  g_port = static_cast<uint16_t>(port);
  rte_eth_conf conf{};
  return rte_eth_dev_configure(g_port, 1, 1, &conf) == 0 &&
         rte_eth_rx_queue_setup(g_port, 0, 1024, SOCKET_ID_ANY, nullptr, g_pool) == 0 &&
         rte_eth_tx_queue_setup(g_port, 0, 1024, SOCKET_ID_ANY, nullptr) == 0 &&
         rte_eth_dev_start(g_port) == 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  std::vector<std::string> eal{
      "pipeline_bench",     "--no-huge", "--no-shconf", "--no-pci", "-m", "512", "-l", "0",
      "--log-level=warning"};
  std::vector<char*> eal_argv;
  for (auto& a : eal) eal_argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    return 1;
  }
  if (!bench::setup_port()) {
    std::fprintf(stderr, "cannot create the net_ring port\n");
    return 1;
  }
  const auto& t = bench::traffic();
  std::fprintf(stderr, "pass: %zu frames: rtp %zu, sip %zu, rtcp %zu; vlan %zu, ipv6 %zu\n",
               t.frames.size(), t.rtp, t.sip, t.rtcp, t.vlan, t.v6);
  std::fprintf(stderr, "vxlan_half=1: the same pass with %zu frames in VXLAN\n",
               bench::traffic(1).vxlan);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rte_eal_cleanup();
  return 0;
}
