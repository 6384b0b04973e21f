#pragma once
// AdminAuth: HTTP basic auth of the admin endpoint (RFC 7617). The password is configured as its
// SHA-256 (control.auth_password_sha256) or as a bcrypt hash (control.auth_password_bcrypt, as
// htpasswd -B and Prometheus' web config write it). bcrypt is slow by design (tens to hundreds of
// milliseconds), so right credentials are remembered in a small cache: a scraper sending the same
// credentials every 15 s costs one bcrypt computation, not one per scrape. The cache holds
// HMAC-SHA-256 digests of user and password under a per-process key, never the password, and
// only credentials that passed. Wrong ones are not cached; AuthThrottle (in front) limits them.
// Thread-safe (civetweb's workers call check() concurrently). Control-plane only.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace rv::control {

// HTTP basic auth: every endpoint answers 401 without `user` and its password, given either as
// `password_sha256` (64 hex digits) or as `password_bcrypt` ($2y$ / $2b$); exactly one is set
// (config validation sees to it).
struct BasicAuth {
  std::string user;
  std::string password_sha256;
  bool probes_open = false;  // /health and /ready answer without credentials (load balancers)
  std::string password_bcrypt;
};

// What an Authorization header holds against the configured credentials.
enum class Credentials { kRight, kMissing, kWrong };

class AdminAuth {
 public:
  explicit AdminAuth(BasicAuth auth);

  // Checks the value of a request's Authorization header (nullptr: the request has none). The
  // scheme is case-insensitive ("Basic", "basic"), then spaces, then base64 of user:password.
  Credentials check(const char* authorization);

  // bcrypt computations since start: the checks the cache did not answer.
  uint64_t bcrypt_checks() const noexcept { return bcrypt_checks_.load(std::memory_order_relaxed); }

 private:
  using Digest = std::array<unsigned char, 32>;
  static constexpr std::size_t kCacheEntries = 4;

  bool password_right(std::string_view user, std::string_view password);
  Digest digest(std::string_view user, std::string_view password) const;
  bool cached(const Digest& d);
  void remember(const Digest& d);

  const BasicAuth auth_;
  std::array<unsigned char, 32> cache_key_{};  // per process, from the OS's random source
  std::mutex mu_;                              // guards the cache
  std::array<Digest, kCacheEntries> cache_{};
  std::size_t cache_used_ = 0;
  std::size_t cache_next_ = 0;  // the slot replaced next (the oldest once full)
  std::atomic<uint64_t> bcrypt_checks_{0};
};

// True when `password`'s SHA-256, in hex, equals `sha256_hex` (case-insensitive, constant time).
bool password_matches(std::string_view password, std::string_view sha256_hex);
// True when bcrypt of `password` with the salt and cost of `bcrypt_hash` gives `bcrypt_hash`
// (libxcrypt's crypt_rn; compared in constant time). Slow by design; thread-safe.
bool bcrypt_matches(std::string_view password, std::string_view bcrypt_hash);
// True when `text` is 64 hex digits.
bool is_sha256_hex(std::string_view text);
// Decodes standard base64; nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace rv::control
