#pragma once
// HugeArray<T>: a fixed-size array of default-constructed T in anonymous memory advised to use
// transparent huge pages (MADV_HUGEPAGE): tables of 10^5..10^6 entries are touched at random
// on every packet, and with 4 KiB pages each touch is also a TLB miss. Reserved once at
// start-up (throws std::bad_alloc); T must be trivially destructible.
//
// Memory follows use: nothing is written at start-up when a default T is all zero bytes, or when
// the owner asks for Fill::kZero (it reads only fields whose zero means "empty" and assigns a
// whole T before using an entry). The kernel's zero pages stand for the untouched entries and a
// page (a huge page where granted) is committed when an entry on it is first written: resident
// memory grows with the entries in use, up to the configured bound.
//
// A table smaller than one huge page (tests, fuzzing, tiny configs) is an ordinary zeroed heap
// block instead: a mapping would commit and zero a whole 2 MiB page at its first write, and
// each unmapping shoots down the TLBs of every thread, for a few KiB of entries. (Under ASan a
// heap block also has its bounds checked.)

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

namespace rv::dataplane {

enum class Fill : uint8_t {
  kDefault,  // every entry is a default T
  kZero,     // entries are zero bytes until the owner assigns them
};

template <class T>
class HugeArray {
  static_assert(std::is_trivially_destructible_v<T>);
  static constexpr std::size_t kHugePage = 2u << 20;
  // Heap blocks start on a cache line, as mappings do (and as alignas(64) entries need).
  static constexpr std::align_val_t kAlign{alignof(T) > 64 ? alignof(T) : 64};

 public:
  explicit HugeArray(std::size_t n, Fill fill = Fill::kDefault) : bytes_(n * sizeof(T)) {
    if (bytes_ < kHugePage) {
      data_ = static_cast<T*>(::operator new(bytes_ == 0 ? 1 : bytes_, kAlign));
      std::memset(static_cast<void*>(data_), 0, bytes_);
    } else {
      bytes_ = (bytes_ + kHugePage - 1) & ~(kHugePage - 1);
      void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      madvise(p, bytes_, MADV_HUGEPAGE);  // advisory: falls back to small pages
      data_ = static_cast<T*>(p);
    }
    if (fill == Fill::kDefault && !default_is_zero()) std::uninitialized_value_construct_n(data_, n);
  }
  ~HugeArray() {
    if (bytes_ < kHugePage) {
      ::operator delete(static_cast<void*>(data_), kAlign);
    } else {
      munmap(data_, bytes_);
    }
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;

  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* get() noexcept { return data_; }
  const T* get() const noexcept { return data_; }
  std::size_t mapped_bytes() const noexcept { return bytes_; }

 private:
  static bool default_is_zero() noexcept {
    alignas(T) unsigned char probe[sizeof(T)] = {};
    ::new (static_cast<void*>(probe)) T();
    for (const unsigned char b : probe) {
      if (b != 0) return false;
    }
    return true;
  }

  std::size_t bytes_;
  T* data_ = nullptr;
};

}  // namespace rv::dataplane
