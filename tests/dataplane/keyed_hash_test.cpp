// The keyed hashes (dataplane/keyed_hash.hpp, flow_key.hpp): reference SipHash outputs, key
// dependence, the key's start-up sources, and the tuple hash's properties.
#include "dataplane/keyed_hash.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/flow_key.hpp"

namespace rv::dataplane {
namespace {

// Restores the process key after each test: other tests in the binary rely on the built-in key.
class KeyedHash : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = hash_key(); }
  void TearDown() override { set_hash_key(saved_); }
  HashKey saved_;
};

constexpr HashKey kPaperKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};  // bytes 00..0f

std::vector<uint8_t> counting_bytes(std::size_t n) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

TEST_F(KeyedHash, SipHash24_MatchesTheReferenceVectors) {
  // SipHash paper, appendix A, and the reference vectors.h (key 00..0f, message 00..len-1).
  EXPECT_EQ((siphash<2, 4>(kPaperKey, nullptr, 0)), 0x726fdb47dd0e0e31ull);
  const auto m = counting_bytes(15);
  EXPECT_EQ((siphash<2, 4>(kPaperKey, m.data(), m.size())), 0xa129ca6149be45e5ull);
}

TEST_F(KeyedHash, SipHash13_MatchesCPythonsBytesHash) {
  // CPython >= 3.11 hashes bytes with SipHash-1-3; PYTHONHASHSEED=0 makes its key zero:
  //   PYTHONHASHSEED=0 python3 -c 'print(hex(hash(b"...") & (2**64-1)))'
  const HashKey zero{0, 0};
  const auto h = [&](std::string_view s) { return siphash<1, 3>(zero, s.data(), s.size()); };
  EXPECT_EQ(h("a"), 0x407448d2b89b1813ull);
  EXPECT_EQ(h("abcdefgh"), 0x3f7b849c0b8e35eaull);
  EXPECT_EQ(h("0123456789abcde"), 0x26f4d862282d8fcbull);
  EXPECT_EQ(h("a84b4c76e66710@pc33.atlanta.example.com"), 0xe249b5027b55af40ull);
}

TEST_F(KeyedHash, KeyedHash_IsSipHash13UnderTheProcessKey) {
  set_hash_key({0, 0});
  EXPECT_EQ(keyed_hash(std::string_view("abcdefgh")), 0x3f7b849c0b8e35eaull);
  EXPECT_EQ(hash_bytes("abcdefgh", 8), 0x3f7b849c0b8e35eaull);
}

TEST_F(KeyedHash, EveryHash_DependsOnTheKey) {
  const std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  const uint8_t a[4] = {192, 0, 2, 1};
  const uint8_t b[4] = {198, 51, 100, 7};
  const FlowKey flow{{IpAddress::v4(a), 5060}, {IpAddress::v4(b), 40000}, kIpProtoUdp};
  set_hash_key({1, 2});
  const uint64_t s1 = hash_bytes(call_id.data(), call_id.size());
  const uint64_t f1 = hash_flow(flow);
  const uint64_t e1 = hash_endpoint(flow.src);
  const uint64_t r1 = hash_flow_with(flow, 0x12345678);
  set_hash_key({3, 4});
  EXPECT_NE(hash_bytes(call_id.data(), call_id.size()), s1);
  EXPECT_NE(hash_flow(flow), f1);
  EXPECT_NE(hash_endpoint(flow.src), e1);
  EXPECT_NE(hash_flow_with(flow, 0x12345678), r1);
  set_hash_key({1, 2});  // and come back: a pure function of key and input
  EXPECT_EQ(hash_bytes(call_id.data(), call_id.size()), s1);
  EXPECT_EQ(hash_flow(flow), f1);
}

TEST_F(KeyedHash, SeedSelectsAnIndependentFunction) {
  EXPECT_NE(keyed_hash("abc", 3, 0), keyed_hash("abc", 3, 1));
  EXPECT_EQ(keyed_hash("abc", 3, 7), keyed_hash("abc", 3, 7));
}

// Issue 14 item 8: the old hash copied the tail with memcpy(dst, nullptr, 0) for an empty view
// (UBSan: null pointer passed as argument 2, which is declared to never be null).
TEST_F(KeyedHash, EmptyInput_WithNullData_IsDefined) {
  const std::string_view empty;
  ASSERT_EQ(empty.data(), nullptr);
  EXPECT_EQ(hash_bytes(empty.data(), empty.size()), hash_bytes("", 0));
  EXPECT_EQ(keyed_hash(empty), keyed_hash(std::string_view("")));
}

TEST_F(KeyedHash, ParseHashKey_TakesExactly32HexDigits) {
  HashKey k;
  ASSERT_TRUE(parse_hash_key("000102030405060708090a0B0c0D0e0F", k));
  EXPECT_EQ(k.k0, 0x0001020304050607ull);
  EXPECT_EQ(k.k1, 0x08090a0b0c0d0e0full);
  EXPECT_FALSE(parse_hash_key("", k));
  EXPECT_FALSE(parse_hash_key("000102030405060708090a0b0c0d0e0", k));    // 31
  EXPECT_FALSE(parse_hash_key("000102030405060708090a0b0c0d0e0f0", k));  // 33
  EXPECT_FALSE(parse_hash_key("000102030405060708090a0b0c0d0e0g", k));
}

TEST_F(KeyedHash, InitHashKey_PinnedByTheEnvironment) {
  ASSERT_EQ(setenv(kHashKeyEnv, "00000000000000010000000000000002", 1), 0);
  ASSERT_TRUE(init_hash_key().has_value());
  EXPECT_EQ(hash_key(), (HashKey{1, 2}));
  ASSERT_EQ(setenv(kHashKeyEnv, "not-a-key", 1), 0);
  const auto bad = init_hash_key();
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kConfig);
  EXPECT_NE(bad.error().message().find(kHashKeyEnv), std::string::npos);
  ASSERT_EQ(unsetenv(kHashKeyEnv), 0);
}

TEST_F(KeyedHash, InitHashKey_DrawsAFreshRandomKeyEachTime) {
  ASSERT_EQ(unsetenv(kHashKeyEnv), 0);
  ASSERT_TRUE(init_hash_key().has_value());
  const HashKey first = hash_key();
  ASSERT_TRUE(init_hash_key().has_value());
  EXPECT_NE(hash_key(), first);
  EXPECT_NE(first, kPaperKey);  // not the built-in key
}

TEST_F(KeyedHash, TupleHash_EqualKeysHashEqual_FamiliesApart) {
  uint8_t v4[4] = {10, 0, 0, 1};
  uint8_t v6[16] = {10, 0, 0, 1};  // the same 16 bytes as the IPv4 address holds
  const Endpoint e4{IpAddress::v4(v4), 4000};
  const Endpoint e6{IpAddress::v6(v6), 4000};
  ASSERT_EQ(e4.addr.bytes, e6.addr.bytes);
  EXPECT_EQ(hash_endpoint(e4), hash_endpoint(Endpoint{IpAddress::v4(v4), 4000}));
  EXPECT_NE(hash_endpoint(e4), hash_endpoint(e6));
  const FlowKey f44{e4, e4, kIpProtoUdp};
  const FlowKey f46{e4, e6, kIpProtoUdp};
  const FlowKey f66{e6, e6, kIpProtoUdp};
  EXPECT_NE(hash_flow(f44), hash_flow(f46));
  EXPECT_NE(hash_flow(f46), hash_flow(f66));
  EXPECT_NE(hash_flow(f44), hash_flow(FlowKey{e4, e4, kIpProtoTcp}));
}

// Dense, structured key sets (consecutive SSRCs, ports, addresses: what sipp-style traffic
// and a naive flood look like) spread over the low bits like random ones.
TEST_F(KeyedHash, TupleHash_SpreadsDenseKeySetsOverTheLowBits) {
  constexpr uint32_t kBuckets = 4096;
  constexpr uint32_t kKeys = 4096;
  const uint8_t a[4] = {192, 0, 2, 1};
  const uint8_t b[4] = {198, 51, 100, 7};
  const FlowKey base{{IpAddress::v4(a), 20000}, {IpAddress::v4(b), 30000}, kIpProtoUdp};
  const auto spread = [&](auto key_of) {
    std::set<uint32_t> used;
    for (uint32_t i = 0; i < kKeys; ++i) used.insert(uint32_t(key_of(i)) & (kBuckets - 1));
    return used.size();
  };
  // Random placement of 4096 keys into 4096 buckets fills 1 - 1/e = 63 % of them.
  const std::size_t kAtLeast = kBuckets * 58 / 100;
  EXPECT_GE(spread([&](uint32_t i) { return hash_flow_with(base, i); }), kAtLeast);
  EXPECT_GE(spread([&](uint32_t i) { return hash_flow_with(base, i << 16); }), kAtLeast);
  EXPECT_GE(spread([&](uint32_t i) {
              FlowKey k = base;
              k.src.port = uint16_t(i * 2);
              return hash_flow(k);
            }),
            kAtLeast);
  EXPECT_GE(spread([&](uint32_t i) {
              FlowKey k = base;
              k.dst.addr.bytes[2] = uint8_t(i >> 8);
              k.dst.addr.bytes[3] = uint8_t(i);
              return hash_flow(k);
            }),
            kAtLeast);
}

}  // namespace
}  // namespace rv::dataplane
