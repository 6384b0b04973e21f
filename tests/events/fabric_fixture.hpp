#pragma once
// Typed fixture shared by the fabric test files: one EventSystem per test, built with the
// implementation under test (StaticFastPath or ZeroCopy).

#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include "tests/events/test_events.hpp"

namespace rv::events::test {

inline constexpr ProducerId kProducer = ProducerId::lcore(1);  // publishers used on the worker lcore
inline constexpr uint32_t kMain = 0;

template <typename T>
class FabricTest : public ::testing::Test {
 protected:
  static constexpr Implementation kImpl = T::value;
  TestBuilder builder() {
    TestBuilder b;
    b.implementation(kImpl).channel_capacity(64).batch_size(8).pool_size(4095);
    return b;
  }
  TestSystem make(TestBuilder b) {
    auto sys = b.build();
    EXPECT_TRUE(sys.has_value()) << (sys ? "" : sys.error().to_string());
    EXPECT_TRUE(sys->start().has_value());
    return std::move(*sys);
  }
  // Accounting invariant for one type: copies = delivered + dropped + filtered + in_flight.
  static void expect_invariant(const EventTypeMetrics& m) {
    EXPECT_EQ(m.copies, m.delivered + m.dropped_total() + m.filtered + m.in_flight)
        << m.name << ": published=" << m.published << " delivered=" << m.delivered
        << " dropped=" << m.dropped_total() << " filtered=" << m.filtered
        << " in_flight=" << m.in_flight;
  }
};

using Impls = ::testing::Types<std::integral_constant<Implementation, Implementation::kStaticFastPath>,
                               std::integral_constant<Implementation, Implementation::kZeroCopy>>;
class ImplNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::value == Implementation::kStaticFastPath ? "StaticFastPath" : "ZeroCopy";
  }
};

}  // namespace rv::events::test
