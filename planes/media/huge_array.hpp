#pragma once
// HugeArray<T>: a fixed-size array of default-constructed T in anonymous memory advised to use
// transparent huge pages (MADV_HUGEPAGE): tables of 10^5..10^6 entries are touched at random
// on every packet, and with 4 KiB pages each touch is also a TLB miss. Allocated once at
// start-up (throws std::bad_alloc); T must be trivially destructible.

#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace rv::planes::media {

template <class T>
class HugeArray {
  static_assert(std::is_trivially_destructible_v<T>);
  static constexpr std::size_t kHugePage = 2u << 20;

 public:
  explicit HugeArray(std::size_t n) : bytes_(((n * sizeof(T)) + kHugePage - 1) & ~(kHugePage - 1)) {
    if (bytes_ == 0) bytes_ = kHugePage;
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, bytes_, MADV_HUGEPAGE);  // advisory: falls back to small pages
    data_ = static_cast<T*>(p);
    std::uninitialized_value_construct_n(data_, n);
  }
  ~HugeArray() { munmap(data_, bytes_); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;

  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* get() noexcept { return data_; }
  const T* get() const noexcept { return data_; }
  std::size_t mapped_bytes() const noexcept { return bytes_; }

 private:
  std::size_t bytes_;
  T* data_ = nullptr;
};

}  // namespace rv::planes::media
