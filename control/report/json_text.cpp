#include "control/report/json_text.hpp"

#include <cstdint>

namespace rv::control {
namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// at most U+10FFFF), or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  bool copied = false;
  while (i < s.size()) {
    const std::size_t n = sequence_length(s, i);
    if (n != 0) {
      if (copied) out.append(s.substr(i, n));
      i += n;
      continue;
    }
    if (!copied) {
      out.assign(s.substr(0, i));
      copied = true;
    }
    out += "\xEF\xBF\xBD";
    ++i;
  }
  return copied ? out : std::string(s);
}

}  // namespace rv::control
