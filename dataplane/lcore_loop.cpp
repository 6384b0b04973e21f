#include "dataplane/lcore_loop.hpp"

#include <rte_cycles.h>

namespace rv::dataplane {

LcoreLoop::LcoreLoop(unsigned lcore_id, std::vector<Poller*> sources,
                     std::vector<Poller*> drains, std::vector<Poller*> housekeeping,
                     uint32_t housekeeping_interval, std::vector<Poller*> finishers)
    : lcore_id_(lcore_id),
      sources_(std::move(sources)),
      drains_(std::move(drains)),
      housekeeping_(std::move(housekeeping)),
      finishers_(std::move(finishers)),
      housekeeping_interval_(housekeeping_interval == 0 ? 1 : housekeeping_interval) {}

uint32_t LcoreLoop::run_pollers(std::span<Poller* const> pollers, uint64_t now) noexcept {
  uint32_t work = 0;
  for (Poller* p : pollers) work += p->poll(now);
  return work;
}

void LcoreLoop::run(StopGroup& group) noexcept {
  bool quiesced = false;
  bool finished = false;
  uint64_t iterations = 0;
  uint64_t busy = 0;
  uint64_t idle = 0;
  uint64_t items = 0;
  uint64_t prev = rte_rdtsc();
  stats_.heartbeat_tsc.set(prev);
  for (;;) {
    const bool stopping = group.stop.load(std::memory_order_acquire);
    if (stopping && !quiesced) {
      // This iteration polls no source: from now on this loop feeds no ring.
      quiesced = true;
      group.quiesced.fetch_add(1, std::memory_order_acq_rel);
    }
    uint32_t work = stopping ? 0 : run_pollers(sources_, prev);
    work += run_pollers(drains_, prev);
    ++iterations;
    if (iterations % housekeeping_interval_ == 0 || stopping) {
      stats_.heartbeat_tsc.set(prev);
      work += run_pollers(housekeeping_, prev);
      // Publish the loop's own counters at the tick: cheaper than per iteration.
      stats_.iterations.set(iterations);
      stats_.busy_cycles.set(busy);
      stats_.idle_cycles.set(idle);
      stats_.work_items.set(items);
    }
    const uint64_t now = rte_rdtsc();
    (work != 0 ? busy : idle) += now - prev;
    items += work;
    prev = now;
    // Drained: every producer of the group is quiet and a full pass found nothing to do. Then
    // the finishers run once; the loop ends when every loop finished and nothing is left.
    const unsigned members = group.members.load(std::memory_order_acquire);
    if (stopping && work == 0 && group.quiesced.load(std::memory_order_acquire) >= members) {
      if (!finished) {
        finished = true;
        run_pollers(finishers_, prev);
        group.finished.fetch_add(1, std::memory_order_acq_rel);
      } else if (group.finished.load(std::memory_order_acquire) >= members) {
        break;
      }
    }
  }
  for (const auto* list : {&sources_, &drains_, &housekeeping_}) {
    for (Poller* p : *list) p->on_stop();
  }
  stats_.iterations.set(iterations);
  stats_.busy_cycles.set(busy);
  stats_.idle_cycles.set(idle);
  stats_.work_items.set(items);
}

int LcoreLoop::launch_entry(void* arg) noexcept {
  auto* a = static_cast<LaunchArgs*>(arg);
  a->loop->run(*a->group);
  return 0;
}

}  // namespace rv::dataplane
