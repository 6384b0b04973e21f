#pragma once
// EventRegistry<Es...>: the compile-time list of event types a system carries.
// Listing a type twice, or two types with the same kId or kName, fails to compile: the
// original re-registered channels at run time and earlier subscribers went dead.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "events/event_traits.hpp"

namespace rv::events {

namespace detail {

template <typename... Es>
constexpr bool types_unique() noexcept {
  constexpr std::size_t n = sizeof...(Es);
  constexpr std::array<bool, n * n> same = [] {
    std::array<bool, n * n> out{};
    std::size_t i = 0;
    (
        [&]<typename A>() {
          ((out[i++] = std::is_same_v<A, Es>), ...);
        }.template operator()<Es>(),
        ...);
    return out;
  }();
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a != b && same[a * n + b]) return false;
    }
  }
  return true;
}

template <typename T, std::size_t N>
constexpr bool values_unique(const std::array<T, N>& v) noexcept {
  for (std::size_t a = 0; a < N; ++a) {
    for (std::size_t b = a + 1; b < N; ++b) {
      if (v[a] == v[b]) return false;
    }
  }
  return true;
}

template <typename E, typename... Es>
constexpr std::size_t index_in() noexcept {
  constexpr std::array<bool, sizeof...(Es)> hits{std::is_same_v<E, Es>...};
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (hits[i]) return i;
  }
  return sizeof...(Es);
}

}  // namespace detail

template <Event... Es>
struct EventRegistry {
  static constexpr std::size_t kSize = sizeof...(Es);
  static constexpr std::array<std::string_view, kSize> kNames{EventTraits<Es>::kName...};
  static constexpr std::array<uint16_t, kSize> kIds{EventTraits<Es>::kId...};

  static_assert(kSize > 0, "an EventRegistry needs at least one event type");
  static_assert(detail::types_unique<Es...>(), "an event type is registered twice");
  static_assert(detail::values_unique(kIds), "two event types share the same EventTraits::kId");
  static_assert(detail::values_unique(kNames),
                "two event types share the same EventTraits::kName");
  // Evaluates every trait's kFastPath static_assert.
  static_assert(((uses_fast_path<Es>() || !uses_fast_path<Es>()) && ...));

  template <typename E>
  static constexpr bool contains = (std::is_same_v<E, Es> || ...);

  template <typename E>
    requires contains<E>
  static constexpr std::size_t index_of = detail::index_in<E, Es...>();

  // Calls f.template operator()<E>() for each type, in registry order (start-up use only).
  template <typename F>
  static constexpr void for_each(F&& f) {
    (f.template operator()<Es>(), ...);
  }
};

}  // namespace rv::events
