#include "control/lcore_log.hpp"

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include <spdlog/spdlog.h>

#include "control/logging.hpp"

namespace rv::control {
namespace {

spdlog::level::level_enum to_spdlog(LcoreLogLevel l) {
  switch (l) {
    case LcoreLogLevel::kDebug: return spdlog::level::debug;
    case LcoreLogLevel::kInfo: return spdlog::level::info;
    case LcoreLogLevel::kWarn: return spdlog::level::warn;
    case LcoreLogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

Result<std::unique_ptr<LcoreLog>> LcoreLog::create(const Options& options) {
  if (options.tsc_hz == 0 || options.rate_per_s == 0 || options.burst == 0 ||
      (options.capacity & (options.capacity - 1)) != 0 || options.capacity < 2) {
    return make_error(ErrorCode::kInvalidArgument,
                      "lcore log: capacity must be a power of two, rate, burst and tsc_hz > 0");
  }
  std::unique_ptr<LcoreLog> l(new LcoreLog());
  l->options_ = options;
  // rte_ring_init on our own memory: the ring needs no memzone, hence no EAL (unit tests).
  const ssize_t size = rte_ring_get_memsize_elem(sizeof(LcoreLogRecord), options.capacity);
  if (size < 0) return make_error(ErrorCode::kDpdk, "lcore log: bad ring size");
  l->memory_ = std::aligned_alloc(64, (static_cast<std::size_t>(size) + 63) & ~std::size_t{63});
  if (l->memory_ == nullptr) return make_error(ErrorCode::kResourceExhausted, "lcore log: no memory");
  l->ring_ = static_cast<rte_ring*>(l->memory_);
  // RING_F_EXACT_SZ is not needed: capacity is a power of two; usable slots are capacity - 1.
  if (rte_ring_init(l->ring_, "rv_lcore_log", options.capacity, RING_F_SC_DEQ) != 0) {
    return make_error(ErrorCode::kDpdk, "lcore log: rte_ring_init failed");
  }
  l->buckets_ = std::make_unique<Bucket[]>(kMaxLcores);
  for (unsigned i = 0; i < kMaxLcores; ++i) l->buckets_[i].tokens = options.burst;
  return l;
}

LcoreLog::~LcoreLog() { std::free(memory_); }

bool LcoreLog::log(unsigned lcore_id, LcoreLogLevel level, uint64_t now_tsc,
                   std::string_view text) noexcept {
  Bucket& b = buckets_[lcore_id % kMaxLcores];
  if (b.last_tsc != 0 && now_tsc > b.last_tsc) {
    const double refill = double(now_tsc - b.last_tsc) * options_.rate_per_s / double(options_.tsc_hz);
    b.tokens = std::min<double>(options_.burst, b.tokens + refill);
  }
  b.last_tsc = now_tsc;
  if (b.tokens < 1.0) {
    b.suppressed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  b.tokens -= 1.0;
  LcoreLogRecord r;
  r.tsc = now_tsc;
  r.lcore_id = static_cast<uint16_t>(lcore_id);
  r.level = level;
  r.length = static_cast<uint8_t>(std::min(text.size(), sizeof(r.text)));
  std::memcpy(r.text, text.data(), r.length);
  if (rte_ring_mp_enqueue_elem(ring_, &r, sizeof(r)) != 0) {
    b.suppressed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  b.enqueued.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::size_t LcoreLog::drain(std::size_t max) {
  auto logger = component_logger("lcore");
  std::array<LcoreLogRecord, 32> batch;
  std::size_t total = 0;
  while (total < max) {
    const unsigned want = static_cast<unsigned>(std::min(batch.size(), max - total));
    const unsigned n = rte_ring_sc_dequeue_burst_elem(ring_, batch.data(), sizeof(LcoreLogRecord),
                                                      want, nullptr);
    for (unsigned i = 0; i < n; ++i) {
      const auto& r = batch[i];
      logger->log(to_spdlog(r.level), "lcore {}: {}", r.lcore_id, std::string_view(r.text, r.length));
    }
    total += n;
    if (n < want) break;
  }
  drained_.fetch_add(total, std::memory_order_relaxed);
  return total;
}

uint64_t LcoreLog::suppressed() const noexcept {
  uint64_t n = 0;
  for (unsigned i = 0; i < kMaxLcores; ++i) n += buckets_[i].suppressed.load(std::memory_order_relaxed);
  return n;
}

uint64_t LcoreLog::enqueued() const noexcept {
  uint64_t n = 0;
  for (unsigned i = 0; i < kMaxLcores; ++i) n += buckets_[i].enqueued.load(std::memory_order_relaxed);
  return n;
}

Result<void> LcoreLog::start(TaskManager& tasks) {
  auto id = tasks.spawn("lcore-log", [this](std::stop_token token) {
    std::mutex mu;
    std::condition_variable_any cv;
    while (!token.stop_requested()) {
      (void)drain();
      std::unique_lock lock(mu);
      cv.wait_for(lock, token, std::chrono::milliseconds(20), [] { return false; });
    }
    (void)drain(options_.capacity);
  });
  if (!id) return std::unexpected(std::move(id.error()));
  task_ = *id;
  return {};
}

bool LcoreLog::stop(TaskManager& tasks, std::chrono::milliseconds timeout) {
  if (!task_) return true;
  const bool stopped = tasks.stop(*task_, timeout);
  task_.reset();
  return stopped;
}

}  // namespace rv::control
