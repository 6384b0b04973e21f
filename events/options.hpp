#pragma once
// Fabric configuration (set through EventSystemBuilder) and producer identities.

#include <rte_lcore.h>

#include <chrono>
#include <cstdint>

#include "events/error.hpp"

namespace rv::events {

enum class Implementation : uint8_t {
  kStaticFastPath,  // eligible types copied into ring slots; others use their mempool
  kZeroCopy,        // every type lives in its mempool; rings carry refcounted pointers
};

struct FabricOptions {
  Implementation implementation = Implementation::kStaticFastPath;
  uint32_t channel_capacity = 1024;  // per ring, a power of two
  bool enable_priority = true;       // false: one ring per (producer, consumer), FIFO
  uint32_t batch_size = 32;          // burst size for enqueue staging and dequeue
  uint32_t shard_count = 1;          // shards that ShardedEvent keys map to
  bool enable_metrics = true;        // latency sampling and ring high-water marks
  uint32_t latency_sample_every = 64;  // 1 in N events stamped (power of two)
  uint32_t overflow_capacity = 256;    // per-producer Critical overflow ring
  uint32_t pool_size = 8191;           // objects per zero-copy type (2^n - 1 is optimal)
  std::chrono::microseconds control_wait{1000};  // bounded wait for control producers
  std::chrono::milliseconds drain_timeout{200};  // shutdown: wait for consumers to drain
  // Lossless delivery (replay): producers, lcores included, wait for room instead of dropping,
  // up to lossless_wait per event (then dropped{wait_timeout}). Switchable while running.
  bool lossless = false;
  std::chrono::milliseconds lossless_wait{10000};
  int socket_id = -1;                            // SOCKET_ID_ANY

  // Rejects values that cannot work, with a message saying what to change.
  Result<void> validate() const;
};

// Who publishes: an lcore (one SPSC ring per consumer and class) or the control group (threads
// that share one MP ring per consumer and class in RTS mode, safe when preempted).
class ProducerId {
 public:
  static constexpr uint32_t kControl = ~0u;
  static constexpr ProducerId lcore(uint32_t id) noexcept { return ProducerId(id); }
  static constexpr ProducerId control() noexcept { return ProducerId(kControl); }
  // The calling thread's identity: its lcore when it is an EAL/registered lcore, else control.
  static ProducerId current() noexcept {
    const unsigned id = rte_lcore_id();
    return id == LCORE_ID_ANY ? control() : lcore(id);
  }
  constexpr bool is_control() const noexcept { return id_ == kControl; }
  constexpr uint32_t lcore_id() const noexcept { return id_; }
  constexpr bool operator==(const ProducerId&) const = default;

 private:
  constexpr explicit ProducerId(uint32_t id) : id_(id) {}
  uint32_t id_;
};

}  // namespace rv::events
