// AuthThrottle: per-client backoff after wrong credentials, on an injected clock.

#include "control/admin/auth_throttle.hpp"

#include <gtest/gtest.h>

namespace rv::control {
namespace {

using namespace std::chrono_literals;
using Clock = AuthThrottle::Clock;

AuthThrottle::Options options() {
  AuthThrottle::Options o;
  o.free_failures = 3;
  o.base_backoff = 1000ms;
  o.max_backoff = 5000ms;
  o.max_clients = 4;
  return o;
}

TEST(AuthThrottle, FreeFailures_ThenBackoffThatDoublesUpToTheCap) {
  AuthThrottle t(options());
  const auto t0 = Clock::now();
  t.failed("10.0.0.1", t0);
  t.failed("10.0.0.1", t0);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0), 0ms);
  t.failed("10.0.0.1", t0);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0), 1000ms);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0 + 400ms), 600ms);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0 + 1000ms), 0ms);
  t.failed("10.0.0.1", t0 + 1s);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0 + 1s), 2000ms);
  t.failed("10.0.0.1", t0 + 3s);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0 + 3s), 4000ms);
  for (int i = 0; i < 40; ++i) t.failed("10.0.0.1", t0 + 10s);
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0 + 10s), 5000ms);
  EXPECT_EQ(t.failures(), 45u);
  EXPECT_EQ(t.refused(), 5u);
}

TEST(AuthThrottle, ClientsAreIndependent_AndSuccessForgets) {
  AuthThrottle t(options());
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) t.failed("10.0.0.1", t0);
  EXPECT_GT(t.refuse_for("10.0.0.1", t0), 0ms);
  EXPECT_EQ(t.refuse_for("10.0.0.2", t0), 0ms);
  t.succeeded("10.0.0.1");
  EXPECT_EQ(t.refuse_for("10.0.0.1", t0), 0ms);
  EXPECT_EQ(t.clients(), 0u);
}

TEST(AuthThrottle, TableIsBounded_StalestRecordDropped) {
  AuthThrottle t(options());
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) t.failed("old", t0);
  for (int c = 0; c < 10; ++c) t.failed("client" + std::to_string(c), t0 + 1s + c * 1ms);
  EXPECT_EQ(t.clients(), 4u);
  EXPECT_EQ(t.refuse_for("old", t0 + 1s), 0ms) << "the stalest record goes first";
}

TEST(AuthThrottle, ClientKey_GroupsIpv6By64AndUnmapsIpv4) {
  EXPECT_EQ(AuthThrottle::client_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AuthThrottle::client_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AuthThrottle::client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(AuthThrottle::client_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(AuthThrottle::client_key("::1"), "::/64");
}

}  // namespace
}  // namespace rv::control
