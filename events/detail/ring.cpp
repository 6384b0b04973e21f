#include "events/detail/ring.hpp"

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>

namespace rv::events::detail {

namespace {
std::atomic<uint32_t> g_object_seq{0};
}  // namespace

void RingDeleter::operator()(rte_ring* r) const noexcept { rte_free(r); }

Result<RingPtr> make_ring(uint32_t capacity, uint32_t elem_size, RingSync sync, int socket_id) {
  if (capacity == 0 || elem_size == 0 || elem_size % 4 != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ring capacity must be > 0 and element size a multiple of 4");
  }
  // RING_F_EXACT_SZ: usable capacity is exactly `capacity` (the slot array is the next power
  // of two above it).
  const uint32_t slots = rte_align32pow2(capacity + 1);
  const ssize_t bytes = rte_ring_get_memsize_elem(elem_size, slots);
  if (bytes < 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ring of " + std::to_string(capacity) + " elements of " +
                          std::to_string(elem_size) + " bytes is too large");
  }
  auto* r = static_cast<rte_ring*>(
      rte_zmalloc_socket("rv_event_ring", static_cast<size_t>(bytes), RTE_CACHE_LINE_SIZE,
                         socket_id));
  if (r == nullptr) {
    return make_error(ErrorCode::kDpdk,
                      "cannot allocate " + std::to_string(bytes) +
                          " bytes for an event ring: is the EAL initialised (rte_eal_init) and "
                          "is -m large enough? Lower channel_capacity or raise EAL memory");
  }
  unsigned flags = RING_F_EXACT_SZ | RING_F_SC_DEQ;
  flags |= sync == RingSync::kSpsc ? RING_F_SP_ENQ : RING_F_MP_RTS_ENQ;
  char name[RTE_RING_NAMESIZE];
  std::snprintf(name, sizeof(name), "rv_ev%u", g_object_seq.fetch_add(1));
  if (const int rc = rte_ring_init(r, name, capacity, flags); rc != 0) {
    rte_free(r);
    return make_error(ErrorCode::kDpdk, std::string("rte_ring_init failed: ") + rte_strerror(-rc));
  }
  return RingPtr(r);
}

void MempoolDeleter::operator()(rte_mempool* p) const noexcept { rte_mempool_free(p); }

Result<MempoolPtr> make_pool(uint32_t count, uint32_t obj_size, int socket_id) {
  char name[RTE_MEMPOOL_NAMESIZE];
  std::snprintf(name, sizeof(name), "rv_evp%u", g_object_seq.fetch_add(1));
  // Per-lcore caches keep get/put off the shared ring; bounded so small pools still work.
  const uint32_t cache = std::min<uint32_t>(256, count / 8);
  rte_mempool* p = rte_mempool_create(name, count, obj_size, cache, 0, nullptr, nullptr, nullptr,
                                      nullptr, socket_id, 0);
  if (p == nullptr) {
    return make_error(ErrorCode::kDpdk,
                      std::string("rte_mempool_create failed (") + rte_strerror(rte_errno) +
                          "): is the EAL initialised and is -m large enough? Lower pool_size");
  }
  return MempoolPtr(p);
}

uint64_t pool_in_use(const rte_mempool* p) noexcept {
  return p == nullptr ? 0 : rte_mempool_in_use_count(p);
}

}  // namespace rv::events::detail
