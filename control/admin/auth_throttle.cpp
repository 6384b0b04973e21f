#include "control/admin/auth_throttle.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace rv::control {

using std::chrono::milliseconds;

AuthThrottle::AuthThrottle(Options o) : o_(o) {}

milliseconds AuthThrottle::refuse_for(std::string_view client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  const auto it = clients_.find(std::string(client));
  if (it == clients_.end() || it->second.blocked_until <= now) return milliseconds(0);
  ++refused_;
  // Round up: a client told to wait 0 ms would retry at once.
  return std::chrono::ceil<milliseconds>(it->second.blocked_until - now);
}

void AuthThrottle::failed(std::string_view client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  ++failures_;
  auto it = clients_.find(std::string(client));
  if (it == clients_.end()) {
    if (clients_.size() >= o_.max_clients) evict_one();
    it = clients_.emplace(std::string(client), Record{}).first;
  }
  Record& r = it->second;
  ++r.failures;
  r.last_failure = now;
  if (r.failures < o_.free_failures) return;
  // 1x, 2x, 4x ... the base backoff, capped; the shift is bounded so it cannot overflow.
  const uint32_t doublings = std::min<uint32_t>(r.failures - o_.free_failures, 20);
  const auto backoff =
      std::min<milliseconds>(o_.base_backoff * (int64_t{1} << doublings), o_.max_backoff);
  r.blocked_until = now + backoff;
}

void AuthThrottle::succeeded(std::string_view client) {
  std::lock_guard lock(mu_);
  clients_.erase(std::string(client));
}

void AuthThrottle::evict_one() {
  const auto oldest = std::min_element(
      clients_.begin(), clients_.end(),
      [](const auto& a, const auto& b) { return a.second.last_failure < b.second.last_failure; });
  if (oldest != clients_.end()) clients_.erase(oldest);
}

uint64_t AuthThrottle::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

uint64_t AuthThrottle::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

std::size_t AuthThrottle::clients() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

std::string AuthThrottle::client_key(std::string_view remote_addr) {
  const std::string addr(remote_addr);
  in6_addr a6{};
  if (inet_pton(AF_INET6, addr.c_str(), &a6) != 1) return addr;  // IPv4 (or unknown): as is
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buf[INET6_ADDRSTRLEN] = {};
  if (std::memcmp(a6.s6_addr, kMapped.data(), kMapped.size()) == 0) {
    in_addr a4{};
    std::memcpy(&a4, a6.s6_addr + 12, 4);
    return inet_ntop(AF_INET, &a4, buf, sizeof(buf)) != nullptr ? std::string(buf) : addr;
  }
  std::memset(a6.s6_addr + 8, 0, 8);
  if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) == nullptr) return addr;
  return std::string(buf) + "/64";
}

}  // namespace rv::control
