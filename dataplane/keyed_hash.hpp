#pragma once
// Keyed hashing of bytes an outsider chooses (STYLE.md 28): Call-IDs, tags, 5-tuples, SSRCs.
// Every hash table, steering decision and fingerprint cache fed from the wire hashes through
// here, so nobody can precompute keys that land in one probe run (hash flooding).
//
// Two functions share one 128-bit process key:
//  - keyed_hash(): byte strings (Call-ID, tags, message fingerprints). SipHash-1-3 (Aumasson &
//    Bernstein; the variant Rust's HashMap and Linux's hsiphash use for hash tables), a PRF:
//    64-bit outputs nobody can predict or make collide without the key.
//  - TupleHasher: fixed-size keys of at most 12 32-bit chunks (endpoints, 5-tuples, 5-tuple +
//    SSRC) on the per-packet path. Thorup's vector multiply-shift, ((a0 + sum a_i x_i) mod 2^64)
//    >> 32 with random 64-bit a_i, is strongly universal onto 32 bits: for any two different
//    keys chosen without sight of the hash values, every subset of the output bits collides with
//    probability 2^-bits (Thorup, "High Speed Hashing for Integers and Strings", 2015, §3.4). A
//    passive tap returns nothing an attacker could time, so that is the model it faces. A fixed
//    bijective finaliser (murmur3 fmix32) keeps that bound and breaks up the arithmetic
//    structure multiply-shift leaves on dense benign key sets (sequential ports and addresses).
//    It costs a few multiplies where SipHash-1-3 of a 5-tuple costs five rounds (+13 % per RTP
//    packet in perf/rtp).
//
// The key is drawn from getrandom() by init_hash_key() at start-up, before any lcore runs and
// before any table holds a hash; after that it never changes (a table built under one key
// cannot be searched under another). Until init_hash_key() or set_hash_key() runs, a fixed
// built-in key is in force: unit tests and fuzzers are reproducible, the daemon is not
// predictable.
//
// Hash values are process-local: two processes (or two runs) disagree, so a hash never goes into
// a file, a report or a message to another host; the bytes it was computed from do.
//
// Thread safety: the key is written by one control thread before the lcores start and only read
// afterwards. Hashing is noexcept, allocation-free and reentrant.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "events/error.hpp"

namespace rv::dataplane {

struct HashKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
  friend bool operator==(const HashKey&, const HashKey&) = default;
};

inline constexpr std::size_t kTupleChunks = 12;

namespace detail {
// The multipliers a_0..a_12 of TupleHasher, derived from the process key.
struct alignas(64) TupleKeys {
  std::array<uint64_t, kTupleChunks + 1> a{};
};
// cp: wo once at start-up (before lcores), dp: ro. Defined in keyed_hash.cpp.
extern HashKey g_hash_key;
extern TupleKeys g_tuple_keys;
}  // namespace detail

// The environment variable that pins the key (32 hex digits) for a reproducible run, as
// PYTHONHASHSEED does for Python: shard placement and table layout then repeat across runs.
inline constexpr const char* kHashKeyEnv = "RVOIP_HASH_KEY";

// Sets the process key from RVOIP_HASH_KEY when set, else from getrandom(). Control thread, at
// start-up, before any lcore runs. Errors: kConfig (malformed RVOIP_HASH_KEY), kIo (getrandom).
Result<void> init_hash_key();
// Sets the process key and the tuple multipliers derived from it (tests, fuzzers; same rules as
// init_hash_key()).
void set_hash_key(HashKey key) noexcept;
inline HashKey hash_key() noexcept {
  return detail::g_hash_key;
}
// Parses 32 hex digits (k0 then k1, most significant first); false on anything else.
bool parse_hash_key(std::string_view hex, HashKey& out) noexcept;

// The SipHash state: the reference algorithm with c compression and d finalisation rounds.
template <int C, int D>
class SipHasher {
 public:
  explicit constexpr SipHasher(HashKey k) noexcept
      : v0_(k.k0 ^ 0x736f6d6570736575ull),
        v1_(k.k1 ^ 0x646f72616e646f6dull),
        v2_(k.k0 ^ 0x6c7967656e657261ull),
        v3_(k.k1 ^ 0x7465646279746573ull) {}

  // One 64-bit message word (a little-endian load of 8 message bytes).
  constexpr void add(uint64_t m) noexcept {
    v3_ ^= m;
    for (int i = 0; i < C; ++i) round();
    v0_ ^= m;
  }
  // The last word, then finalisation. For byte strings the last word is the tail bytes with
  // the length in its top byte; fixed-format keys (see flow_key.hpp) pack their own last word.
  constexpr uint64_t finish(uint64_t last) noexcept {
    add(last);
    v2_ ^= 0xff;
    for (int i = 0; i < D; ++i) round();
    return v0_ ^ v1_ ^ v2_ ^ v3_;
  }

 private:
  constexpr void round() noexcept {
    v0_ += v1_;
    v1_ = std::rotl(v1_, 13);
    v1_ ^= v0_;
    v0_ = std::rotl(v0_, 32);
    v2_ += v3_;
    v3_ = std::rotl(v3_, 16);
    v3_ ^= v2_;
    v0_ += v3_;
    v3_ = std::rotl(v3_, 21);
    v3_ ^= v0_;
    v2_ += v1_;
    v1_ = std::rotl(v1_, 17);
    v1_ ^= v2_;
    v2_ = std::rotl(v2_, 32);
  }

  uint64_t v0_, v1_, v2_, v3_;
};

// The hasher every table uses: SipHash-1-3 under the process key.
using KeyedHasher = SipHasher<1, 3>;
inline KeyedHasher keyed_hasher() noexcept {
  return KeyedHasher(detail::g_hash_key);
}

inline uint64_t load_le64(const uint8_t* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = std::byteswap(v);
  return v;
}

// SipHash-c-d of `len` bytes under `key` (the reference byte encoding: 8-byte little-endian
// words, then the 0..7 tail bytes with len mod 256 in the top byte). `data` may be null when
// `len` is 0.
template <int C, int D>
uint64_t siphash(HashKey key, const void* data, std::size_t len) noexcept {
  SipHasher<C, D> h(key);
  const auto* p = static_cast<const uint8_t*>(data);
  const std::size_t words = len / 8;
  for (std::size_t i = 0; i < words; ++i) h.add(load_le64(p + 8 * i));
  p += 8 * words;
  uint64_t last = uint64_t(len) << 56;
  switch (len & 7) {
    case 7:
      last |= uint64_t{p[6]} << 48;
      [[fallthrough]];
    case 6:
      last |= uint64_t{p[5]} << 40;
      [[fallthrough]];
    case 5:
      last |= uint64_t{p[4]} << 32;
      [[fallthrough]];
    case 4:
      last |= uint64_t{p[3]} << 24;
      [[fallthrough]];
    case 3:
      last |= uint64_t{p[2]} << 16;
      [[fallthrough]];
    case 2:
      last |= uint64_t{p[1]} << 8;
      [[fallthrough]];
    case 1:
      last |= uint64_t{p[0]};
      break;
    default:
      break;
  }
  return h.finish(last);
}

// SipHash-1-3 of `len` bytes under the process key; `seed` selects an independent function
// (it is folded into the key), so chained calls hash(b, hash(a)) hash the pair (a, b).
inline uint64_t keyed_hash(const void* data, std::size_t len, uint64_t seed = 0) noexcept {
  const HashKey k = detail::g_hash_key;
  return siphash<1, 3>(HashKey{k.k0 ^ seed, k.k1}, data, len);
}

inline uint64_t keyed_hash(std::string_view s, uint64_t seed = 0) noexcept {
  return keyed_hash(s.data(), s.size(), seed);
}

// The tuple multipliers for `key`: a_i = SipHash-1-3(key, "rv-tuple" word, i).
constexpr detail::TupleKeys derive_tuple_keys(HashKey key) noexcept {
  detail::TupleKeys t;
  for (std::size_t i = 0; i < t.a.size(); ++i) {
    SipHasher<1, 3> h(key);
    h.add(0x656c7075742d7672ull);  // "rv-tuple"
    t.a[i] = h.finish(uint64_t{i} | uint64_t{16} << 56);
  }
  return t;
}

// Strongly universal 32-bit hash of a vector of 32-bit chunks (see the file comment). Each
// chunk has a fixed position 0..kTupleChunks-1 in the key's encoding; positions a key does not
// use count as zero chunks, so a key shape must also be told apart by a chunk of its own (a
// family tag) when two shapes share a table.
class TupleHasher {
 public:
  TupleHasher() noexcept : sum_(detail::g_tuple_keys.a[kTupleChunks]) {}
  void add(std::size_t position, uint32_t chunk) noexcept {
    sum_ += detail::g_tuple_keys.a[position] * chunk;
  }
  uint32_t finish() const noexcept {
    auto x = static_cast<uint32_t>(sum_ >> 32);
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    return x ^ (x >> 16);
  }

 private:
  uint64_t sum_;
};

}  // namespace rv::dataplane
