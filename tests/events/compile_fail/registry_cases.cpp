// Each RV_CASE must fail to compile with the message named in meson.build; RV_CASE 0 must
// compile (proves the harness and flags are right). Run by compile_fail.py.

#include <array>
#include <cstdint>
#include <string_view>

#include "events/event_system.hpp"

struct A {
  uint64_t x;
};
struct B {
  uint64_t y;
};
struct Big {
  std::array<uint8_t, 256> body;
};
struct NoTraits {
  int z;
};

template <>
struct rv::events::EventTraits<A> {
  static constexpr std::string_view kName = "a";
  static constexpr uint16_t kId = 1;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kIntraPlane;
};
template <>
struct rv::events::EventTraits<B> {
  static constexpr std::string_view kName = "b";
#if RV_CASE == 2
  static constexpr uint16_t kId = 1;  // same as A
#else
  static constexpr uint16_t kId = 2;
#endif
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kIntraPlane;
};
template <>
struct rv::events::EventTraits<Big> {
  static constexpr std::string_view kName = "big";
  static constexpr uint16_t kId = 3;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kIntraPlane;
  static constexpr bool kFastPath = true;  // not eligible: 256 bytes
};

using namespace rv::events;

#if RV_CASE == 0
using Ok = EventRegistry<A, B>;
static_assert(Ok::kSize == 2);
void use(EventSystem<Ok>& sys) { (void)sys.create_publisher<A>(); }
#elif RV_CASE == 1
using Dup = EventRegistry<A, B, A>;
static_assert(Dup::kSize == 3);
#elif RV_CASE == 2
using SameId = EventRegistry<A, B>;
static_assert(SameId::kSize == 2);
#elif RV_CASE == 3
void use(EventSystem<EventRegistry<A>>& sys) { (void)sys.create_publisher<B>(); }
#elif RV_CASE == 4
using TooBig = EventRegistry<A, Big>;
static_assert(TooBig::kSize == 2);
#elif RV_CASE == 5
using Untyped = EventRegistry<A, NoTraits>;
static_assert(Untyped::kSize == 2);
#endif
