#pragma once
// AuthThrottle: slows down password guessing on the admin endpoint. Each client (an IPv4
// address, or an IPv6 /64, since one host owns a whole /64) may fail `free_failures` times in a
// row; after that it is refused (HTTP 429) for a backoff that doubles with every further
// failure, from `base_backoff` up to `max_backoff`. A success clears the client's record. While
// refused, a client's credentials are not even checked, so guessing gains nothing. The table is
// bounded (`max_clients`): when full, the record that failed least recently is dropped.
// Thread-safe (one mutex, taken only on the auth path). Control-plane only.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rv::control {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    uint32_t free_failures = 5;
    std::chrono::milliseconds base_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
    std::size_t max_clients = 4096;
  };

  explicit AuthThrottle(Options o);

  // How long `client` must still wait; zero when it may try now. A refusal is counted.
  std::chrono::milliseconds refuse_for(std::string_view client, Clock::time_point now);
  // Wrong credentials from `client` (counted).
  void failed(std::string_view client, Clock::time_point now);
  // Right credentials: forgets the client's failures.
  void succeeded(std::string_view client);

  uint64_t failures() const;  // wrong credentials, every client, since start
  uint64_t refused() const;   // requests refused while backing off
  std::size_t clients() const;

  // The key a remote address is throttled under: IPv4 as is, IPv6 as its /64 ("2001:db8::/64"),
  // an IPv4-mapped IPv6 address as its IPv4 address.
  static std::string client_key(std::string_view remote_addr);

 private:
  struct Record {
    uint32_t failures = 0;
    Clock::time_point last_failure{};
    Clock::time_point blocked_until{};
  };
  void evict_one();

  const Options o_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Record> clients_;
  uint64_t failures_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace rv::control
