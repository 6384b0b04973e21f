#include "control/admin/admin_auth.hpp"

#include <crypt.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "config/validate.hpp"

namespace rv::control {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

AdminAuth::AdminAuth(BasicAuth auth) : auth_(std::move(auth)) {
  // Without a random key the cache would hold plain SHA-256 digests of passwords: refuse to run.
  if (RAND_bytes(cache_key_.data(), static_cast<int>(cache_key_.size())) != 1) std::abort();
}

Credentials AdminAuth::check(const char* authorization) {
  if (authorization == nullptr) return Credentials::kMissing;
  std::string_view v = authorization;
  const auto space = v.find(' ');
  if (space == std::string_view::npos || !iequals(v.substr(0, space), "basic")) {
    return Credentials::kWrong;
  }
  v.remove_prefix(space);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  const auto decoded = decode_base64(v);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return Credentials::kWrong;
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  return password_right(user, password) ? Credentials::kRight : Credentials::kWrong;
}

bool AdminAuth::password_right(std::string_view user, std::string_view password) {
  if (auth_.password_bcrypt.empty()) {
    // Both checks always run: the time taken does not tell which one failed.
    const bool pw = password_matches(password, auth_.password_sha256);
    return same_bytes(user, auth_.user) && pw;
  }
  const Digest d = digest(user, password);
  if (cached(d)) return true;
  bcrypt_checks_.fetch_add(1, std::memory_order_relaxed);
  const bool pw = bcrypt_matches(password, auth_.password_bcrypt);
  const bool right = same_bytes(user, auth_.user) && pw;
  if (right) remember(d);
  return right;
}

AdminAuth::Digest AdminAuth::digest(std::string_view user, std::string_view password) const {
  // The user's length goes first, so "a" + "b:c" and "a:b" + "c" differ.
  const std::string msg = fmt::format("{}:{}:{}", user.size(), user, password);
  Digest d{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), cache_key_.data(), static_cast<int>(cache_key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), d.data(), &len);
  return d;
}

bool AdminAuth::cached(const Digest& d) {
  std::lock_guard lock(mu_);
  bool hit = false;
  // Every entry is compared, in constant time: the time taken does not tell which one matched.
  for (std::size_t i = 0; i < cache_used_; ++i) {
    hit |= CRYPTO_memcmp(cache_[i].data(), d.data(), d.size()) == 0;
  }
  return hit;
}

void AdminAuth::remember(const Digest& d) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < cache_used_; ++i) {
    if (cache_[i] == d) return;  // two workers checked the same credentials at once
  }
  cache_[cache_next_] = d;
  cache_next_ = (cache_next_ + 1) % kCacheEntries;
  cache_used_ = std::min(cache_used_ + 1, kCacheEntries);
}

bool is_sha256_hex(std::string_view text) {
  return config::is_sha256_hex(text);
}

bool password_matches(std::string_view password, std::string_view sha256_hex) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!is_sha256_hex(sha256_hex) ||
      EVP_Digest(password.data(), password.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return false;
  }
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  std::string want(sha256_hex);
  for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return same_bytes(hex, want);
}

bool bcrypt_matches(std::string_view password, std::string_view bcrypt_hash) {
  // crypt() reads C strings: a password with a NUL byte would be checked cut short.
  if (!config::is_bcrypt_hash(bcrypt_hash) || password.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string pw(password);
  const std::string setting(bcrypt_hash);
  // 32 KiB of scratch space: on the heap, not on a civetweb worker's stack.
  const auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  return out != nullptr && same_bytes(out, bcrypt_hash);
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace rv::control
