// CallTable under hash flooding (issue 14 item 4): Call-IDs precomputed to collide under the
// unkeyed Call-ID hash the appliance used to have must spread over the table like random ones,
// so linear probing stays short. Asserts on probe lengths, not on time.
#include "planes/signaling/call_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dataplane/keyed_hash.hpp"
#include "planes/media/media_events.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "tests/planes/signaling/sip_messages.hpp"

namespace rv::planes::signaling {
namespace {

// ---- The Call-ID hash before issue 14: a fixed multiply-xorshift, no secret. ----------------
constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMix = 0xd6e8feb86659fd93ull;
constexpr uint64_t kOldSeed = 0xcbf29ce484222325ull;

constexpr uint64_t old_mix64(uint64_t x) {
  x ^= x >> 32;
  x *= kMix;
  x ^= x >> 32;
  x *= kMix;
  return x ^ (x >> 32);
}

uint64_t old_hash_call_id(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  std::size_t len = s.size();
  uint64_t h = kOldSeed ^ (uint64_t(len) * kMul);
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ old_mix64(v)) * kMul;
  }
  uint64_t tail = 0;
  for (std::size_t i = 0; i < len; ++i) tail |= uint64_t{p[i]} << (8 * i);
  h = (h ^ old_mix64(tail ^ (uint64_t(len) << 56))) * kMul;
  h = old_mix64(h);
  return h == 0 ? 1 : h;
}

constexpr uint64_t inverse(uint64_t odd) {  // mod 2^64, Newton's iteration
  uint64_t x = odd;
  for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
  return x;
}

constexpr uint64_t old_unmix64(uint64_t x) {
  constexpr uint64_t kInv = inverse(kMix);
  x ^= x >> 32;
  x *= kInv;
  x ^= x >> 32;
  x *= kInv;
  return x ^ (x >> 32);
}
static_assert(old_unmix64(old_mix64(0x0123456789abcdefull)) == 0x0123456789abcdefull);

bool alnum_word(uint64_t w) {
  for (int i = 0; i < 8; ++i) {
    const auto c = static_cast<char>(w >> (8 * i));
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

std::string word_bytes(uint64_t w) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &w, 8);  // the old hash loads blocks in host order: the same here
  return s;
}

// 2^stages alphanumeric Call-IDs with one and the same old hash: Joux's multicollision. The
// old hash is an iterated bijection per 8-byte block, so a two-block collision from a given
// state costs one inversion per candidate (~84 000 tries for an alphanumeric second block);
// chaining `stages` of them and picking either pair at each stage gives 2^stages messages.
std::vector<std::string> old_hash_multicollision(int stages, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto random_word = [&] {
    static constexpr char kAlnum[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w |= uint64_t(uint8_t(kAlnum[rng() % 62])) << (8 * i);
    return w;
  };
  const std::size_t len = std::size_t(stages) * 16;
  uint64_t h = kOldSeed ^ (uint64_t(len) * kMul);
  std::vector<std::array<std::string, 2>> pairs;
  for (int s = 0; s < stages; ++s) {
    const uint64_t a0 = random_word();
    uint64_t a1 = random_word();
    while (a1 == a0) a1 = random_word();
    const uint64_t x0 = (h ^ old_mix64(a0)) * kMul;
    const uint64_t x1 = (h ^ old_mix64(a1)) * kMul;
    for (;;) {
      const uint64_t b0 = random_word();
      const uint64_t b1 = old_unmix64(old_mix64(b0) ^ x0 ^ x1);
      if (!alnum_word(b1)) continue;
      pairs.push_back({word_bytes(a0) + word_bytes(b0), word_bytes(a1) + word_bytes(b1)});
      h = (x0 ^ old_mix64(b0)) * kMul;
      break;
    }
  }
  std::vector<std::string> out;
  for (uint32_t pick = 0; pick < (1u << stages); ++pick) {
    std::string id;
    for (int s = 0; s < stages; ++s) id += pairs[std::size_t(s)][(pick >> s) & 1];
    out.push_back(std::move(id));
  }
  return out;
}

// Probe length of every record: 1 + its distance from its home slot.
struct Probes {
  std::size_t max = 0;
  double mean = 0;
};
Probes probe_lengths(const CallTable& t) {
  Probes p;
  std::size_t n = 0;
  std::size_t sum = 0;
  for (std::size_t i = 0; i < t.capacity(); ++i) {
    if (t.at(i).empty()) continue;
    const std::size_t len = t.probe_length(i);
    p.max = std::max(p.max, len);
    sum += len;
    ++n;
  }
  p.mean = n ? double(sum) / double(n) : 0;
  return p;
}

constexpr int kStages = 13;  // 8192 Call-IDs, as in the issue

TEST(CallTableFlood, GeneratedCallIds_AllCollideUnderTheOldHash) {
  const auto ids = old_hash_multicollision(kStages, 1);
  ASSERT_EQ(ids.size(), 8192u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  const uint64_t h = old_hash_call_id(ids[0]);
  for (const auto& id : ids) ASSERT_EQ(old_hash_call_id(id), h) << id;
}

// Inserts `ids`, checks every one is found again, returns the probe lengths.
Probes flood(const std::vector<std::string>& ids) {
  CallTable table(16384);  // 32768 index entries, load 0.25 after the flood
  std::set<uint64_t> hashes;
  for (const auto& id : ids) {
    const uint64_t h = hash_call_id(id);
    hashes.insert(h);
    EXPECT_EQ(table.find(h, id), nullptr);
    EXPECT_NE(table.insert(h, id), nullptr);
  }
  EXPECT_EQ(hashes.size(), ids.size()) << "64-bit hashes of distinct Call-IDs collide";
  for (const auto& id : ids) EXPECT_NE(table.find(hash_call_id(id), id), nullptr);
  return probe_lengths(table);
}

// Random keys at load 0.25: mean ~1.2 probes, the longest run a few dozen at most. Under the
// old hash every insert walked the whole run: mean 4096, max 8192.
constexpr double kMaxMeanProbes = 2.0;
constexpr std::size_t kMaxProbes = 48;

TEST(CallTableFlood, OldHashCollisions_SpreadLikeRandomKeys) {
  const Probes p = flood(old_hash_multicollision(kStages, 2));
  EXPECT_LT(p.mean, kMaxMeanProbes);
  EXPECT_LT(p.max, kMaxProbes);
}

TEST(CallTableFlood, OldHashCollisions_SpreadLikeRandomKeys_UnderRandomProcessKeys) {
  const auto ids = old_hash_multicollision(kStages, 3);
  const dataplane::HashKey saved = dataplane::hash_key();
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3; ++round) {
    dataplane::set_hash_key({rng(), rng()});
    const Probes p = flood(ids);
    EXPECT_LT(p.mean, kMaxMeanProbes) << "round " << round;
    EXPECT_LT(p.max, kMaxProbes) << "round " << round;
  }
  dataplane::set_hash_key(saved);
}

// Through the plane: 8192 INVITEs with the colliding Call-IDs are 8192 calls. The old hash made
// Call-IDs with equal hash, length and first 80 bytes (the part a record keeps) one call.
TEST(CallTableFlood, OldHashCollisions_ThroughThePlane_StayDistinctCalls) {
  const auto ids = old_hash_multicollision(kStages, 4);
  SignalingPlaneConfig cfg;
  cfg.max_calls = 16384;
  SignalingPlane plane(cfg);
  const dataplane::FlowKey flow{};
  uint64_t ts = 1'000'000'000ull;
  for (const auto& id : ids) {
    test_support::Msg m;
    m.call_id = id;
    const std::string invite = m.request("INVITE");
    ASSERT_EQ(plane.on_payload(test_support::bytes(invite), flow, false, 0, 0, ts += 1000), 1u);
  }
  EXPECT_EQ(plane.counters().calls_in_table.load(), ids.size());
  EXPECT_EQ(plane.counters().calls_active.load(), ids.size());
  EXPECT_EQ(plane.counters().retransmissions.load(), 0u);
}

// Media and signaling join streams to calls on this hash: both must compute the same value.
TEST(CallTableFlood, SignalingAndMediaCallHashes_Agree) {
  for (const std::string id : {"a84b4c76e66710@pc33.atlanta.example.com", "x", "12345678",
                               "call-id-with-exactly-32-bytes-xx"}) {
    EXPECT_EQ(hash_call_id(id), media::call_hash(id)) << id;
    EXPECT_NE(hash_call_id(id), 0u);
  }
  EXPECT_EQ(media::call_hash(""), 0u);  // "no call"
}

}  // namespace
}  // namespace rv::planes::signaling
