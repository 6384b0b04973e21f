// libFuzzer harness: IPv4/IPv6 fragments through the L2-L4 parser and the reassembler (on DPDK
// rte_ip_frag, so the EAL starts once, without hugepages, in LLVMFuzzerInitialize). Frames are
// spread over chained mbufs as a NIC would deliver them; the reassembled datagram is parsed
// again. Oracle: after each input every mbuf is back in the pool (nothing leaks, nothing is freed
// twice).
// Input: [link selector] then frames, each [time step][segment size][16-bit length][bytes].

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "byte_reader.hpp"
#include "dataplane/packet_parser.hpp"
#include "dataplane/reassembly.hpp"

namespace {

rte_mempool* g_pool = nullptr;
std::unique_ptr<rv::dataplane::Reassembler> g_reassembler;
std::array<uint8_t, rv::dataplane::kMaxReassembledFrame> g_scratch;

// `bytes` in a chain of mbufs of at most `seg` bytes each (0: one segment when it fits).
rte_mbuf* to_mbuf(std::span<const uint8_t> bytes, uint16_t seg) {
  const uint16_t room = static_cast<uint16_t>(RTE_MBUF_DEFAULT_DATAROOM);
  seg = seg == 0 || seg > room ? room : seg;
  rte_mbuf* head = nullptr;
  std::size_t off = 0;
  do {
    rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
    if (m == nullptr) std::abort();  // the pool covers the table's worst case: a leak
    const auto n = static_cast<uint16_t>(std::min<std::size_t>(seg, bytes.size() - off));
    auto* dst = rte_pktmbuf_append(m, n);
    if (n != 0) std::copy_n(bytes.data() + off, n, reinterpret_cast<uint8_t*>(dst));
    off += n;
    if (head == nullptr) {
      head = m;
    } else if (rte_pktmbuf_chain(head, m) != 0) {
      rte_pktmbuf_free(m);
      break;
    }
  } while (off < bytes.size());
  return head;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* args[] = {"fuzz_ip_reassembly", "--no-huge", "--no-shconf", "--no-pci", "-m", "256",
                        "--log-level=error", "--no-telemetry"};
  std::vector<char*> argv;
  for (const char* a : args) argv.push_back(const_cast<char*>(a));
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    std::abort();
  }
  // No per-lcore cache, so the pool's count is exact.
  g_pool = rte_pktmbuf_pool_create("fuzz_frag", 16383, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  rv::dataplane::ReassemblyConfig cfg;
  cfg.buckets = 16;
  cfg.bucket_entries = 2;
  cfg.max_entries = 16;
  auto r = rv::dataplane::Reassembler::create(cfg);
  if (g_pool == nullptr || !r) std::abort();
  g_reassembler = std::move(*r);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::dataplane;
  rv::fuzz::ByteReader in({data, size});
  const LinkType link = (in.u8() & 1) != 0 ? LinkType::kRaw : LinkType::kEthernet;
  const unsigned free_before = rte_mempool_avail_count(g_pool);
  uint64_t now_tsc = 1'000'000'000ull;
  Reassembler& r = *g_reassembler;
  while (!in.empty()) {
    now_tsc += uint64_t{in.u8()} * (r.timeout_cycles() / 64 + 1);
    const uint16_t seg = in.u8() * 16u;
    rte_mbuf* m = to_mbuf(in.chunk(8192), seg);
    ParsedPacket pkt;
    const auto view = packet_bytes(m, g_scratch);
    if (parse_frame(view, link, pkt) != ParseStatus::kIpFragment) {
      rte_pktmbuf_free(m);
      continue;
    }
    rte_mbuf* whole = r.reassemble(m, pkt, now_tsc);
    if (whole != nullptr) {
      ParsedPacket full;
      (void)parse_frame(packet_bytes(whole, g_scratch), link, full);
      rte_pktmbuf_free(whole);
    }
    r.flush();
    if ((seg & 0x30) == 0x30) r.expire(now_tsc);
  }
  r.drain();
  if (rte_mempool_avail_count(g_pool) != free_before) std::abort();
  return 0;
}
