#include "dataplane/keyed_hash.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace rv::dataplane {

namespace detail {
// The built-in key in force until start-up sets the process key (tests, fuzzers, tools).
constexpr HashKey kBuiltInKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
constinit HashKey g_hash_key = kBuiltInKey;
constinit TupleKeys g_tuple_keys = derive_tuple_keys(kBuiltInKey);
}  // namespace detail

void set_hash_key(HashKey key) noexcept {
  detail::g_hash_key = key;
  detail::g_tuple_keys = derive_tuple_keys(key);
}

bool parse_hash_key(std::string_view hex, HashKey& out) noexcept {
  if (hex.size() != 32) return false;
  uint64_t words[2] = {0, 0};
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    uint64_t d = 0;
    if (c >= '0' && c <= '9') {
      d = uint64_t(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = uint64_t(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = uint64_t(c - 'A' + 10);
    } else {
      return false;
    }
    words[i / 16] = (words[i / 16] << 4) | d;
  }
  out = HashKey{words[0], words[1]};
  return true;
}

Result<void> init_hash_key() {
  if (const char* pinned = std::getenv(kHashKeyEnv); pinned != nullptr) {
    HashKey k;
    if (!parse_hash_key(pinned, k)) {
      return make_error(ErrorCode::kConfig, std::string(kHashKeyEnv) +
                                                " must be 32 hex digits (a 128-bit hash key); "
                                                "unset it to draw a random key");
    }
    set_hash_key(k);
    return {};
  }
  uint8_t buf[16];
  std::size_t got = 0;
  while (got < sizeof(buf)) {
    const ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::kIo,
                        std::string("hash key: getrandom failed: ") + std::strerror(errno));
    }
    got += std::size_t(n);
  }
  set_hash_key(HashKey{load_le64(buf), load_le64(buf + 8)});
  return {};
}

}  // namespace rv::dataplane
