#pragma once
// Big-endian loads from packet bytes (no alignment assumed). Internal to planes/media.

#include <cstdint>

namespace rv::planes::media {

inline uint16_t load_be16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t load_be32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace rv::planes::media
