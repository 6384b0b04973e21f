#include "planes/transport/classifier_slot.hpp"

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace rv::planes::transport {

Result<std::unique_ptr<ClassifierSlot>> ClassifierSlot::create(ClassifierConfig initial,
                                                               unsigned readers) {
  std::unique_ptr<ClassifierSlot> s(new ClassifierSlot());
  s->readers_ = std::max(1u, readers);
  // Plain heap memory (not the EAL's): the slot may outlive rte_eal_cleanup().
  const std::size_t size = RTE_ALIGN_CEIL(rte_rcu_qsbr_get_memsize(s->readers_), RTE_CACHE_LINE_SIZE);
  s->qsbr_ = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, size));
  if (s->qsbr_ != nullptr) std::memset(s->qsbr_, 0, size);
  if (s->qsbr_ == nullptr) {
    return make_error(ErrorCode::kResourceExhausted, "cannot allocate the classifier QSBR variable");
  }
  if (rte_rcu_qsbr_init(s->qsbr_, s->readers_) != 0) {
    return make_error(ErrorCode::kDpdk, "cannot initialise the classifier QSBR variable");
  }
  for (unsigned r = 0; r < s->readers_; ++r) {
    (void)rte_rcu_qsbr_thread_register(s->qsbr_, r);
    rte_rcu_qsbr_thread_online(s->qsbr_, r);
  }
  s->current_ = std::make_unique<ClassifierConfig>(std::move(initial));
  s->current_ptr_.store(s->current_.get(), std::memory_order_release);
  return s;
}

ClassifierSlot::~ClassifierSlot() { std::free(qsbr_); }

void ClassifierSlot::quiescent(unsigned reader) noexcept {
  if (reader < readers_) rte_rcu_qsbr_quiescent(qsbr_, reader);
}

void ClassifierSlot::offline(unsigned reader) noexcept {
  if (reader < readers_) rte_rcu_qsbr_thread_offline(qsbr_, reader);
}

std::size_t ClassifierSlot::publish(ClassifierConfig next) {
  auto fresh = std::make_unique<ClassifierConfig>(std::move(next));
  current_ptr_.store(fresh.get(), std::memory_order_release);
  retired_.push_back({std::move(current_), rte_rcu_qsbr_start(qsbr_)});
  current_ = std::move(fresh);
  ++generation_;
  return reclaim();
}

std::size_t ClassifierSlot::reclaim() {
  const auto before = retired_.size();
  std::erase_if(retired_, [this](const Retired& r) { return rte_rcu_qsbr_check(qsbr_, r.token, false) == 1; });
  reclaimed_ += before - retired_.size();
  return retired_.size();
}

}  // namespace rv::planes::transport
