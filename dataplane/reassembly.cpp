// rte_ip_frag_table_del_expired_entries() is experimental in DPDK 22.11.
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API
#endif
#include "dataplane/reassembly.hpp"

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstring>
#include <string>

#include "dataplane/keyed_hash.hpp"

namespace rv::dataplane {
namespace {

constexpr uint32_t kIpv6HeaderLen = sizeof(rte_ipv6_hdr);
constexpr uint32_t kFragHeaderLen = sizeof(rte_ipv6_fragment_ext);
constexpr uint32_t kMaxIpPayload = 65535;
// Selects the keyed hash that masks fragment ids (an independent function of the process key).
constexpr uint64_t kFragmentIdSeed = 0x6672'6167'2d69'6421ull;  // "frag-id!"
// One reassemble call puts at most a whole datagram plus the offered fragment on the death row.
constexpr uint32_t kDeathRowReserve = RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1;

constexpr bool is_power_of_two(uint32_t v) noexcept {
  return v != 0 && (v & (v - 1)) == 0;
}

// True when `seg` is `target` or `target` is chained behind it.
bool chain_holds(const rte_mbuf* seg, const rte_mbuf* target) noexcept {
  for (; seg != nullptr; seg = seg->next) {
    if (seg == target) return true;
  }
  return false;
}

// Drops trailing bytes past the IP datagram (Ethernet padding). False when they span segments.
bool trim_to(rte_mbuf* m, uint32_t frame_len) noexcept {
  if (m->pkt_len == frame_len) return true;
  return rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - frame_len)) == 0;
}

}  // namespace

Result<std::unique_ptr<Reassembler>> Reassembler::create(const ReassemblyConfig& config) {
  const uint64_t slots = uint64_t{config.buckets} * config.bucket_entries;
  if (config.buckets == 0 || !is_power_of_two(config.bucket_entries) || config.max_entries == 0 ||
      config.max_entries > slots || slots > (uint64_t{1} << 31) || config.timeout_ms == 0) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "reassembly: need buckets > 0, bucket_entries a power of two, 0 < "
        "max_entries <= buckets * bucket_entries, timeout_ms > 0 (got " +
            std::to_string(config.buckets) + ", " + std::to_string(config.bucket_entries) + ", " +
            std::to_string(config.max_entries) + ", " + std::to_string(config.timeout_ms) + ")");
  }
  const uint64_t cycles = rte_get_tsc_hz() / 1000 * config.timeout_ms;
  rte_ip_frag_tbl* table = rte_ip_frag_table_create(config.buckets, config.bucket_entries,
                                                    config.max_entries, cycles, config.socket_id);
  if (table == nullptr) {
    return make_error(ErrorCode::kDpdk, "reassembly: rte_ip_frag_table_create failed for " +
                                            std::to_string(config.max_entries) +
                                            " entries on socket " +
                                            std::to_string(config.socket_id));
  }
  return std::unique_ptr<Reassembler>(new Reassembler(table, cycles));
}

Reassembler::~Reassembler() {
  drain();
  rte_ip_frag_table_destroy(table_);
}

rte_mbuf* Reassembler::drop(rte_mbuf* m, ReassemblyCounter reason) noexcept {
  add(reason);
  rte_pktmbuf_free(m);
  return nullptr;
}

void Reassembler::make_death_row_room() noexcept {
  if (death_row_.cnt + kDeathRowReserve > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN) flush();
}

void Reassembler::flush() noexcept {
  if (death_row_.cnt != 0) rte_ip_frag_free_death_row(&death_row_, 0);
}

void Reassembler::expire(uint64_t now_tsc) noexcept {
  flush();
  // The call stops when the death row is full; loop until nothing more comes out.
  for (;;) {
    rte_ip_frag_table_del_expired_entries(table_, &death_row_, now_tsc);
    const uint32_t freed = death_row_.cnt;
    add(ReassemblyCounter::kTimedOutFragments, freed);
    flush();
    if (freed + kDeathRowReserve <= RTE_IP_FRAG_DEATH_ROW_MBUF_LEN) break;
  }
}

void Reassembler::drain() noexcept {
  flush();
  // Every entry is older than "the end of time"; the call stops when the death row is full.
  for (;;) {
    rte_ip_frag_table_del_expired_entries(table_, &death_row_, UINT64_MAX);
    const uint32_t freed = death_row_.cnt;
    add(ReassemblyCounter::kHeldAtExit, freed);
    flush();
    if (freed + kDeathRowReserve <= RTE_IP_FRAG_DEATH_ROW_MBUF_LEN) break;
  }
}

uint32_t fragment_id_mask(std::span<const uint8_t> addresses) noexcept {
  return static_cast<uint32_t>(keyed_hash(addresses.data(), addresses.size(), kFragmentIdSeed));
}

// rte_ip_frag keeps no readable statistics: what it put on the death row during this call tells
// what happened. Offered fragment among them: dropped alone = no room in the table, with others =
// the datagram failed. Anything else freed = an expired entry recycled by the lookup.
rte_mbuf* Reassembler::account(rte_mbuf* in, rte_mbuf* out, uint32_t before) noexcept {
  const uint32_t added = death_row_.cnt - before;
  if (out != nullptr) {
    add(ReassemblyCounter::kDatagramsReassembled);
    add(ReassemblyCounter::kTimedOutFragments, added);
    return out;
  }
  bool dropped_in = false;
  for (uint32_t i = before; i < death_row_.cnt && !dropped_in; ++i) {
    dropped_in = chain_holds(death_row_.row[i], in);
  }
  if (!dropped_in) {
    add(ReassemblyCounter::kTimedOutFragments, added);
  } else if (added == 1) {
    add(ReassemblyCounter::kTableFull);
  } else {
    add(ReassemblyCounter::kFailedDatagrams);
  }
  return nullptr;
}

rte_mbuf* Reassembler::reassemble(rte_mbuf* m, const ParsedPacket& parsed,
                                  uint64_t now_tsc) noexcept {
  if (parsed.l3 == L3Proto::kIpv6) {
    return reassemble_ipv6(m, parsed.l3_offset, parsed.frag_offset, now_tsc);
  }
  if (parsed.l3 == L3Proto::kIpv4) return reassemble_ipv4(m, parsed.l3_offset, now_tsc);
  return drop(m, ReassemblyCounter::kBadLength);
}

rte_mbuf* Reassembler::reassemble_ipv4(rte_mbuf* m, uint16_t l3_offset, uint64_t now_tsc) noexcept {
  const uint32_t l2 = l3_offset;
  if (m->data_len < l2 + sizeof(rte_ipv4_hdr)) return drop(m, ReassemblyCounter::kBadLength);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, l2);
  const uint32_t ihl = uint32_t{ip->version_ihl & 0x0Fu} * 4;
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(rte_ipv4_hdr) || m->data_len < l2 + ihl ||
      total < ihl || m->pkt_len < l2 + total) {
    return drop(m, ReassemblyCounter::kBadLength);
  }
  const uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
  const uint32_t offset = (frag & uint32_t{RTE_IPV4_HDR_OFFSET_MASK}) * RTE_IPV4_HDR_OFFSET_UNITS;
  const bool more = (frag & RTE_IPV4_HDR_MF_FLAG) != 0;
  if (offset == 0 && !more) {
    add(ReassemblyCounter::kNotFragment);
    return m;
  }
  add(ReassemblyCounter::kFragmentsIn);
  const uint32_t len = total - ihl;
  if (len == 0) return drop(m, ReassemblyCounter::kZeroLength);
  if (more && len % 8 != 0) return drop(m, ReassemblyCounter::kMisaligned);
  if (offset + len + ihl > kMaxIpPayload) return drop(m, ReassemblyCounter::kTooLarge);
  if (!trim_to(m, l2 + total)) return drop(m, ReassemblyCounter::kBadLength);
  m->l2_len = l2;
  m->l3_len = ihl;
  make_death_row_room();
  const uint32_t before = death_row_.cnt;
  const auto mask =
      static_cast<uint16_t>(fragment_id_mask({reinterpret_cast<const uint8_t*>(&ip->src_addr), 8}));
  ip->packet_id ^= mask;
  rte_mbuf* out = rte_ipv4_frag_reassemble_packet(table_, &death_row_, m, now_tsc, ip);
  if (out != nullptr) rte_pktmbuf_mtod_offset(out, rte_ipv4_hdr*, out->l2_len)->packet_id ^= mask;
  return account(m, out, before);
}

// RFC 6946: a fragment header with offset 0 and M=0 is not a fragment; remove the header.
rte_mbuf* Reassembler::strip_atomic_fragment(rte_mbuf* m, uint16_t l3_offset) noexcept {
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, l3_offset);
  const auto* fh = reinterpret_cast<const rte_ipv6_fragment_ext*>(ip + 1);
  ip->proto = fh->next_header;
  ip->payload_len =
      rte_cpu_to_be_16(static_cast<uint16_t>(rte_be_to_cpu_16(ip->payload_len) - kFragHeaderLen));
  auto* base = rte_pktmbuf_mtod(m, uint8_t*);
  std::memmove(base + kFragHeaderLen, base, l3_offset + kIpv6HeaderLen);
  rte_pktmbuf_adj(m, kFragHeaderLen);
  m->l2_len = l3_offset;
  m->l3_len = kIpv6HeaderLen;
  add(ReassemblyCounter::kAtomicFragments);
  return m;
}

rte_mbuf* Reassembler::reassemble_ipv6(rte_mbuf* m, uint16_t l3_offset, uint16_t frag_offset,
                                       uint64_t now_tsc) noexcept {
  const uint32_t l2 = l3_offset;
  if (frag_offset == 0) {
    add(ReassemblyCounter::kNotFragment);
    return m;
  }
  add(ReassemblyCounter::kFragmentsIn);
  if (frag_offset != l2 + kIpv6HeaderLen) {
    // rte_ip_frag assumes the fragment header follows the fixed header; it would corrupt these.
    return drop(m, frag_offset > l2 + kIpv6HeaderLen ? ReassemblyCounter::kUnsupportedExtHeaders
                                                     : ReassemblyCounter::kBadLength);
  }
  if (m->data_len < frag_offset + kFragHeaderLen) return drop(m, ReassemblyCounter::kBadLength);
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv6_hdr*, l2);
  auto* fh = rte_pktmbuf_mtod_offset(m, rte_ipv6_fragment_ext*, frag_offset);
  const uint32_t payload = rte_be_to_cpu_16(ip->payload_len);
  if ((ip->vtc_flow & rte_cpu_to_be_32(0xF0000000u)) != rte_cpu_to_be_32(0x60000000u) ||
      ip->proto != IPPROTO_FRAGMENT || payload < kFragHeaderLen ||
      m->pkt_len < l2 + kIpv6HeaderLen + payload) {
    return drop(m, ReassemblyCounter::kBadLength);
  }
  if (!trim_to(m, l2 + kIpv6HeaderLen + payload)) return drop(m, ReassemblyCounter::kBadLength);
  const uint16_t frag = rte_be_to_cpu_16(fh->frag_data);
  const uint32_t offset = frag & 0xFFF8u;  // 13-bit offset in 8-byte units, already scaled
  const bool more = (frag & 1u) != 0;
  const uint32_t len = payload - kFragHeaderLen;
  if (offset == 0 && !more) return strip_atomic_fragment(m, l3_offset);
  if (len == 0) return drop(m, ReassemblyCounter::kZeroLength);
  if (more && len % 8 != 0) return drop(m, ReassemblyCounter::kMisaligned);
  if (offset + len > kMaxIpPayload) return drop(m, ReassemblyCounter::kTooLarge);
  m->l2_len = l2;
  m->l3_len = kIpv6HeaderLen + kFragHeaderLen;
  make_death_row_room();
  const uint32_t before = death_row_.cnt;
  // The reassembled datagram has no fragment header: nothing to restore.
  fh->id ^= fragment_id_mask({ip->src_addr, sizeof(ip->src_addr) + sizeof(ip->dst_addr)});
  rte_mbuf* out = rte_ipv6_frag_reassemble_packet(table_, &death_row_, m, now_tsc, ip, fh);
  if (out != nullptr) out->l3_len = kIpv6HeaderLen;  // the fragment header is gone
  return account(m, out, before);
}

std::span<const uint8_t> packet_bytes(const rte_mbuf* m, std::span<uint8_t> scratch) noexcept {
  if (m->nb_segs == 1) return {rte_pktmbuf_mtod(m, const uint8_t*), m->data_len};
  if (scratch.size() < m->pkt_len) return {};
  const void* p = rte_pktmbuf_read(m, 0, m->pkt_len, scratch.data());
  if (p == nullptr) return {};
  return {static_cast<const uint8_t*>(p), m->pkt_len};
}

bool linearize(rte_mbuf* m) noexcept {
  return rte_pktmbuf_linearize(m) == 0;
}

}  // namespace rv::dataplane
