#pragma once
// ClassifierSlot: the classifier snapshot every lcore reads, replaced by the control plane on
// reload and reclaimed safely with DPDK's QSBR (rte_rcu_qsbr).
//
// Readers (one per shard, id = shard index) load the current snapshot with acquire order, keep
// it between housekeeping ticks, and report a quiescent state after each tick's reload: from
// then on they hold no older snapshot. The control plane publishes a new snapshot, keeps the old
// one with a QSBR token, and frees it once every online reader has reported past that token.
// A reader whose loop returned goes offline and no longer holds reclamation back.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "events/error.hpp"
#include "planes/transport/classifier.hpp"

struct rte_rcu_qsbr;

namespace rv::planes::transport {

class ClassifierSlot {
 public:
  // `readers`: the number of lcores that read the slot (ids 0 .. readers-1), all online.
  static Result<std::unique_ptr<ClassifierSlot>> create(ClassifierConfig initial, unsigned readers);
  ~ClassifierSlot();
  ClassifierSlot(const ClassifierSlot&) = delete;
  ClassifierSlot& operator=(const ClassifierSlot&) = delete;

  // The pointer readers load (acquire) — what RxPoller holds.
  const std::atomic<const ClassifierConfig*>& pointer() const noexcept { return current_ptr_; }

  // Reader side (lcores): no older snapshot is held any more / the reader stopped for good.
  void quiescent(unsigned reader) noexcept;
  void offline(unsigned reader) noexcept;

  // Control side, not concurrent with itself: publishes `next` (release), retires the old
  // snapshot, and frees every retired snapshot no reader can still hold. Returns how many
  // retired snapshots are still waiting for a reader.
  std::size_t publish(ClassifierConfig next);
  // Frees what can be freed now; returns how many still wait.
  std::size_t reclaim();
  uint64_t generation() const noexcept { return generation_; }
  uint64_t reclaimed() const noexcept { return reclaimed_; }

 private:
  ClassifierSlot() = default;
  struct Retired {
    std::unique_ptr<ClassifierConfig> config;
    uint64_t token;
  };

  rte_rcu_qsbr* qsbr_ = nullptr;
  unsigned readers_ = 0;
  std::unique_ptr<ClassifierConfig> current_;
  std::atomic<const ClassifierConfig*> current_ptr_{nullptr};  // cp: wo, dp: ro
  std::vector<Retired> retired_;                               // cp only
  uint64_t generation_ = 0;                                    // cp only
  uint64_t reclaimed_ = 0;                                     // cp only
};

}  // namespace rv::planes::transport
