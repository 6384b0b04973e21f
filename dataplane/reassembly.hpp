#pragma once
// IPv4 and IPv6 fragment reassembly on an lcore (DESIGN.md §4), on DPDK rte_ip_frag.
//
// One Reassembler per lcore: no locks, no sharing. The table is bounded (buckets × entries,
// max_entries datagrams in flight, at most RTE_LIBRTE_IP_FRAG_MAX_FRAG = 8 fragments each), so a
// fragment flood holds at most max_entries × 8 mbufs; the rest are dropped and counted.
// Incomplete datagrams time out after `timeout_ms`.
//
// rte_ip_frag 22.11 places a datagram by CRC32C of (addresses, id) under a constant seed, and CRC
// is linear: anyone can compute ids that fill the two buckets another datagram needs, so its
// fragments are dropped as table_full. Before DPDK sees a fragment its id is XORed with a keyed
// hash of its addresses (fragment_id_mask(), dataplane/keyed_hash.hpp), and the reassembled
// datagram gets its id back: placement then depends on the process key. Fragments of one
// datagram share addresses and id, so they still meet; datagrams of one address pair keep
// distinct ids.
//
// Every fragment is checked before DPDK sees it (rte_ip_frag 22.11 trusts its input): headers
// inside the first segment, lengths consistent with the mbuf, non-last fragments a multiple of 8,
// offset + length within 65535, IPv6 fragment header right after the fixed header. Duplicate or
// overlapping fragments make rte_ip_frag drop the whole datagram (RFC 5722 behaviour for IPv6,
// applied to IPv4 too); that is counted as a failed datagram.
//
// Per-burst use on the owning lcore (all noexcept, no allocation, no logging):
//   for each frame parsed as ParseStatus::kIpFragment:
//     rte_mbuf* whole = r.reassemble(m, parsed, now_tsc);  // takes `m`
//     if (whole != nullptr) { view = packet_bytes(whole, scratch); parse_frame(view, ...); ... }
//   r.flush();                  // end of burst: free what was dropped (death row)
//   r.expire(rte_rdtsc());      // housekeeping tick: release timed-out datagrams
//   r.drain();                  // the lcore stops: release what is held, counted held_at_exit
// Counters are read by any thread (relaxed).

#include <rte_ip_frag.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "dataplane/counter.hpp"
#include "dataplane/packet.hpp"
#include "events/error.hpp"

struct rte_mbuf;

namespace rv::dataplane {

struct ReassemblyConfig {
  uint32_t buckets = 1024;      // hash buckets
  uint32_t bucket_entries = 4;  // associativity, power of two
  uint32_t max_entries = 4096;  // datagrams in flight, <= buckets * bucket_entries
  uint32_t timeout_ms = 2000;   // an incomplete datagram is dropped after this
  int socket_id = -1;           // NUMA socket of the table; -1 = SOCKET_ID_ANY
};

enum class ReassemblyCounter : uint8_t {
  kFragmentsIn = 0,        // fragments offered (after the "is it a fragment" check)
  kDatagramsReassembled,   // complete datagrams returned
  kAtomicFragments,        // IPv6 fragment header with offset 0, M=0: header stripped, returned
  kNotFragment,            // offered but not a fragment: returned unchanged
  kTimedOutFragments,      // fragments freed because their datagram timed out
  kTableFull,              // fragment dropped: no free entry in its bucket or the table
  kFailedDatagrams,        // duplicate, overlapping, too many fragments, holes: datagram dropped
  kZeroLength,             // fragment with no payload
  kBadLength,              // header lengths disagree with the mbuf, or headers not contiguous
  kMisaligned,             // non-last fragment whose length is not a multiple of 8
  kTooLarge,               // offset + length beyond 65535
  kUnsupportedExtHeaders,  // IPv6 extension headers before the fragment header
  kHeldAtExit,             // fragments still waiting for their datagram when the lcore stopped
  kCount,
};

inline constexpr std::size_t kReassemblyCounterCount =
    static_cast<std::size_t>(ReassemblyCounter::kCount);

// Stable names (metrics label / report key).
constexpr std::string_view to_string(ReassemblyCounter c) noexcept {
  constexpr std::array<std::string_view, kReassemblyCounterCount> kNames = {
      "fragments_in",        "datagrams_reassembled",
      "atomic_fragments",    "not_fragment",
      "timed_out_fragments", "table_full",
      "failed_datagrams",    "zero_length",
      "bad_length",          "misaligned",
      "too_large",           "unsupported_ext_headers",
      "held_at_exit",
  };
  const auto i = static_cast<std::size_t>(c);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// Largest frame a reassembled datagram can make: L2 header + IPv6 header + 65535 bytes.
inline constexpr std::size_t kMaxReassembledFrame = 64 + 40 + 65535;

class Reassembler {
 public:
  // Creates the table (rte_ip_frag_table_create) on config.socket_id. Needs the EAL.
  // Control plane, at start-up. Errors: kInvalidArgument (config), kDpdk (no memory).
  static Result<std::unique_ptr<Reassembler>> create(const ReassemblyConfig& config);
  ~Reassembler();  // frees every held fragment and the table
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // Offers one fragment; always takes ownership of `m`. `parsed` is parse_frame()'s output for
  // `m` (status kIpFragment): l3, l3_offset and, for IPv6, frag_offset are used; the headers are
  // re-read from `m`. `now_tsc` is the arrival time in TSC cycles.
  // Returns the reassembled datagram (may be multi-segment; l2_len/l3_len set) for the caller to
  // own, `m` itself for a non-fragment or an IPv6 atomic fragment, or nullptr (held, or dropped
  // and counted). Owning lcore only.
  rte_mbuf* reassemble(rte_mbuf* m, const ParsedPacket& parsed, uint64_t now_tsc) noexcept;
  rte_mbuf* reassemble_ipv4(rte_mbuf* m, uint16_t l3_offset, uint64_t now_tsc) noexcept;
  rte_mbuf* reassemble_ipv6(rte_mbuf* m, uint16_t l3_offset, uint16_t frag_offset,
                            uint64_t now_tsc) noexcept;

  // Frees the mbufs dropped so far (the death row). Once per burst. Owning lcore only.
  void flush() noexcept;
  // Drops datagrams older than the timeout (counted), then flush(). Housekeeping tick.
  void expire(uint64_t now_tsc) noexcept;
  // Releases every held fragment, counted as kHeldAtExit, then flush(). Owning lcore when it
  // stops (or the control thread once it has), so the count is there for the report.
  void drain() noexcept;

  // Any thread.
  uint64_t counter(ReassemblyCounter c) const noexcept {
    return counters_.values[static_cast<std::size_t>(c)].load();
  }
  uint64_t timeout_cycles() const noexcept { return timeout_cycles_; }

 private:
  Reassembler(rte_ip_frag_tbl* table, uint64_t timeout_cycles) noexcept
      : table_(table), timeout_cycles_(timeout_cycles) {}

  void add(ReassemblyCounter c, uint64_t n = 1) noexcept {
    counters_.values[static_cast<std::size_t>(c)].add(n);
  }
  rte_mbuf* drop(rte_mbuf* m, ReassemblyCounter reason) noexcept;
  void make_death_row_room() noexcept;
  rte_mbuf* account(rte_mbuf* in, rte_mbuf* out, uint32_t death_row_before) noexcept;
  rte_mbuf* strip_atomic_fragment(rte_mbuf* m, uint16_t l3_offset) noexcept;

  struct alignas(64) Counters {
    std::array<Counter, kReassemblyCounterCount> values{};  // dp: wo, cp: ro
  };

  rte_ip_frag_tbl* table_;             // dp: rw (owner lcore)
  uint64_t timeout_cycles_;            // immutable
  rte_ip_frag_death_row death_row_{};  // dp: rw (owner lcore)
  Counters counters_;
};

// The value XORed into the fragment id of a datagram between `addresses` (IPv4: source and
// destination, 8 bytes; IPv6: 32 bytes, as they sit in the header) before rte_ip_frag hashes it.
uint32_t fragment_id_mask(std::span<const uint8_t> addresses) noexcept;

// The bytes of `m` as one contiguous span: the mbuf's own data when it has one segment, else a
// copy into `scratch` (rte_pktmbuf_read). Empty when `scratch` is too small. Size `scratch`
// kMaxReassembledFrame to fit any datagram. noexcept, no allocation.
std::span<const uint8_t> packet_bytes(const rte_mbuf* m, std::span<uint8_t> scratch) noexcept;

// Makes `m` one segment in place (rte_pktmbuf_linearize). Fails (false, `m` untouched) when the
// first segment lacks tailroom for the whole packet, as it does for most multi-KB datagrams with
// default 2 KB mbufs: prefer packet_bytes().
bool linearize(rte_mbuf* m) noexcept;

}  // namespace rv::dataplane
