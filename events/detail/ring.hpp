#pragma once
// RAII owners for the DPDK objects the fabric allocates at start-up: rings (rte_ring_init on
// rte_zmalloc memory, so they use no memzone and need no unique name) and per-type mempools.
// Control path only.

#include <cstdint>
#include <memory>

#include "events/error.hpp"

struct rte_ring;
struct rte_mempool;

namespace rv::events::detail {

struct RingDeleter {
  void operator()(rte_ring* r) const noexcept;
};
using RingPtr = std::unique_ptr<rte_ring, RingDeleter>;

enum class RingSync : uint8_t {
  kSpsc,     // one lcore producer, one consumer
  kMpRtsSc,  // control threads share the producer side (RTS: safe when preempted)
};

// A ring holding exactly `capacity` elements of `elem_size` bytes (multiple of 4).
Result<RingPtr> make_ring(uint32_t capacity, uint32_t elem_size, RingSync sync, int socket_id);

struct MempoolDeleter {
  void operator()(rte_mempool* p) const noexcept;
};
using MempoolPtr = std::unique_ptr<rte_mempool, MempoolDeleter>;

// A mempool of `count` objects of `obj_size` bytes with per-lcore caches.
Result<MempoolPtr> make_pool(uint32_t count, uint32_t obj_size, int socket_id);

// Objects currently taken from the pool (rings, subscribers, user references).
uint64_t pool_in_use(const rte_mempool* p) noexcept;

}  // namespace rv::events::detail
