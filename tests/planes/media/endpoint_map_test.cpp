// EndpointMap: SDP-learned media endpoints, their call association, bounds and expiry.

#include "planes/media/endpoint_map.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace rv::planes::media {
namespace {

dataplane::Endpoint endpoint(uint8_t host, uint16_t port) {
  const uint8_t a[4] = {192, 0, 2, host};
  return {dataplane::IpAddress::v4(a), port};
}

// Issue 14 item 8: learning by hash alone (the Call-ID did not travel) copied the empty
// view's null data() with memcpy(dst, nullptr, 0) (UBSan: null pointer passed as argument 2).
TEST(EndpointMap, LearnByHashAlone_KeepsTheHashAndAnEmptyCallId) {
  EndpointMap m(8);
  const std::string_view none;
  ASSERT_EQ(none.data(), nullptr);
  const PayloadMapping pcma{8, Codec::kPcma, 8000};
  ASSERT_TRUE(m.learn(endpoint(1, 4000), 0x1234, none, {&pcma, 1}, 0));
  const CallAssociation* a = m.find(endpoint(1, 4000), 1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->call_hash, 0x1234u);
  EXPECT_EQ(a->call_id[0], '\0');
  EXPECT_EQ(a->lookup(8).clock_rate, 8000u);
  EXPECT_EQ(m.find_call(0x1234), a);
}

TEST(EndpointMap, LearnByCallId_JoinsOnTheCallHash) {
  EndpointMap m(8);
  ASSERT_TRUE(m.learn(endpoint(2, 4002), "abc@host", {}, 0));
  const CallAssociation* a = m.find(endpoint(2, 4002), 1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->call_hash, call_hash("abc@host"));
  EXPECT_STREQ(a->call_id.data(), "abc@host");
  EXPECT_TRUE(m.contains(endpoint(2, 4002)));
  EXPECT_FALSE(m.contains(endpoint(2, 4004)));
}

TEST(EndpointMap, FullTable_RefusesAndSweepFrees) {
  EndpointMap m(2);
  EXPECT_TRUE(m.learn(endpoint(1, 1000), "a", {}, 0));
  EXPECT_TRUE(m.learn(endpoint(1, 1002), "b", {}, 0));
  EXPECT_FALSE(m.learn(endpoint(1, 1004), "c", {}, 0));
  EXPECT_TRUE(m.learn(endpoint(1, 1000), "a2", {}, 5));  // replacing needs no room
  EXPECT_EQ(m.sweep(12, 10, 8), 1u);                     // 1002 idle since 0
  EXPECT_TRUE(m.learn(endpoint(1, 1004), "c", {}, 12));
  EXPECT_EQ(m.size(), 2u);
}

}  // namespace
}  // namespace rv::planes::media
