#pragma once
// ByteReader: splits one fuzzer input into the small decisions and byte strings a harness needs
// (a kind, a length, a chunk). Reading past the end yields zeros and empty chunks, so every
// input, however short, is a valid program for the harness.

#include <cstddef>
#include <cstdint>
#include <span>

namespace rv::fuzz {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) noexcept : data_(data) {}

  bool empty() const noexcept { return pos_ >= data_.size(); }
  std::size_t remaining() const noexcept { return empty() ? 0 : data_.size() - pos_; }

  uint8_t u8() noexcept { return empty() ? 0 : data_[pos_++]; }
  uint16_t u16() noexcept { return static_cast<uint16_t>(u8() << 8 | u8()); }
  uint32_t u32() noexcept { return static_cast<uint32_t>(u16()) << 16 | u16(); }

  // The next `n` bytes (fewer at the end).
  std::span<const uint8_t> take(std::size_t n) noexcept {
    const std::size_t k = n < remaining() ? n : remaining();
    const auto out = data_.subspan(empty() ? data_.size() : pos_, k);
    pos_ += k;
    return out;
  }
  // A chunk whose length is the next 16-bit value, at most `max` bytes.
  std::span<const uint8_t> chunk(std::size_t max) noexcept {
    const std::size_t n = u16();
    return take(n < max ? n : max);
  }
  std::span<const uint8_t> rest() noexcept { return take(remaining()); }

 private:
  std::span<const uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace rv::fuzz
