#include "control/lifecycle/lifecycle.hpp"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <thread>

#include <fmt/format.h>

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

// The arena's threads come from TBB's global market, which by default has one worker fewer than
// the CPUs (a single worker on a 2-CPU box). Independent components block in their start (EAL,
// bind, join), so allow a few more; the lowest active limit wins, so this is set once.
void allow_parallelism(unsigned threads) {
  static const tbb::global_control kLimit(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>({threads + 1, std::thread::hardware_concurrency(), 8}));
}

// Strongly connected components of the sub-graph `nodes` (Tarjan), only those forming a cycle.
std::vector<std::vector<std::size_t>> cycles(const std::vector<std::vector<std::size_t>>& deps,
                                             const std::vector<bool>& in_graph) {
  const std::size_t n = deps.size();
  std::vector<int> index(n, -1);
  std::vector<int> low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::vector<std::vector<std::size_t>> out;
  int next = 0;
  std::function<void(std::size_t)> visit = [&](std::size_t v) {
    index[v] = low[v] = next++;
    stack.push_back(v);
    on_stack[v] = true;
    for (std::size_t w : deps[v]) {
      if (!in_graph[w]) continue;
      if (index[w] < 0) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<std::size_t> scc;
    std::size_t w = 0;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      scc.push_back(w);
    } while (w != v);
    const bool self_loop = std::find(deps[v].begin(), deps[v].end(), v) != deps[v].end();
    if (scc.size() > 1 || self_loop) {
      std::sort(scc.begin(), scc.end());
      out.push_back(std::move(scc));
    }
  };
  for (std::size_t v = 0; v < n; ++v) {
    if (in_graph[v] && index[v] < 0) visit(v);
  }
  return out;
}

}  // namespace

std::string_view to_string(LifecycleState s) noexcept {
  switch (s) {
    case LifecycleState::kStarting: return "starting";
    case LifecycleState::kInitializing: return "initializing";
    case LifecycleState::kLive: return "live";
    case LifecycleState::kDraining: return "draining";
    case LifecycleState::kStopped: return "stopped";
  }
  return "unknown";
}

std::string_view to_string(HealthLevel h) noexcept {
  switch (h) {
    case HealthLevel::kOk: return "ok";
    case HealthLevel::kDegraded: return "degraded";
    case HealthLevel::kFailed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(ComponentState s) noexcept {
  switch (s) {
    case ComponentState::kRegistered: return "registered";
    case ComponentState::kInitialized: return "initialized";
    case ComponentState::kLive: return "live";
    case ComponentState::kStopping: return "stopping";
    case ComponentState::kStopped: return "stopped";
    case ComponentState::kFailed: return "failed";
  }
  return "unknown";
}

struct LifecycleManager::Node {
  ComponentSpec spec;
  ComponentState state = ComponentState::kRegistered;  // guarded by LifecycleManager::mu_
  std::string failure;                                 // guarded by LifecycleManager::mu_
};

// The arena and the count of calls still running on it (the destructor waits for them).
struct LifecycleManager::Arena {
  explicit Arena(unsigned threads) : arena(static_cast<int>(threads), 0) {}
  tbb::task_arena arena;
  std::mutex mu;
  std::condition_variable idle;
  unsigned outstanding = 0;
};

LifecycleManager::LifecycleManager(PhaseTimeouts timeouts, unsigned parallelism)
    : timeouts_(timeouts), arena_(std::make_unique<Arena>(std::max(parallelism, 2u))) {
  allow_parallelism(std::max(parallelism, 2u));
}

LifecycleManager::~LifecycleManager() {
  std::unique_lock lock(arena_->mu);
  arena_->idle.wait(lock, [&] { return arena_->outstanding == 0; });
}

Result<void> LifecycleManager::add(ComponentSpec spec) {
  if (spec.name.empty()) return make_error(ErrorCode::kInvalidArgument, "component without a name");
  if (state() != LifecycleState::kStarting || !started_.empty()) {
    return make_error(ErrorCode::kState, fmt::format("cannot add '{}' after start", spec.name));
  }
  for (const auto& n : nodes_) {
    if (n->spec.name == spec.name) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("component '{}' added twice", spec.name));
    }
  }
  auto node = std::make_shared<Node>();
  node->spec = std::move(spec);
  nodes_.push_back(std::move(node));
  return {};
}

namespace {

Result<std::vector<std::vector<std::size_t>>> levels_of(
    const std::vector<std::string>& names, const std::vector<std::vector<std::string>>& dep_names) {
  const std::size_t n = names.size();
  std::map<std::string, std::size_t, std::less<>> by_name;
  for (std::size_t i = 0; i < n; ++i) by_name.emplace(names[i], i);
  std::vector<std::vector<std::size_t>> deps(n);
  std::vector<std::vector<std::size_t>> dependants(n);
  std::vector<std::size_t> pending(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& d : dep_names[i]) {
      const auto it = by_name.find(d);
      if (it == by_name.end()) {
        return make_error(ErrorCode::kConfig,
                          fmt::format("component '{}' depends on unknown component '{}'", names[i], d));
      }
      if (std::find(deps[i].begin(), deps[i].end(), it->second) != deps[i].end()) continue;
      deps[i].push_back(it->second);
      dependants[it->second].push_back(i);
      ++pending[i];
    }
  }
  // Kahn by levels: every component whose dependencies are all placed joins the next level.
  std::vector<std::vector<std::size_t>> levels;
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::size_t placed = 0;
  while (!ready.empty()) {
    levels.push_back(ready);
    placed += ready.size();
    std::vector<std::size_t> next;
    for (std::size_t v : ready) {
      for (std::size_t d : dependants[v]) {
        if (--pending[d] == 0) next.push_back(d);
      }
    }
    std::sort(next.begin(), next.end());
    ready = std::move(next);
  }
  if (placed == n) return levels;
  std::vector<bool> left(n, false);
  for (std::size_t i = 0; i < n; ++i) left[i] = pending[i] != 0;
  std::vector<std::string> described;
  for (const auto& c : cycles(deps, left)) {
    std::vector<std::string> members;
    for (std::size_t v : c) members.push_back(names[v]);
    described.push_back(fmt::format("[{}]", fmt::join(members, ", ")));
  }
  return make_error(ErrorCode::kConfig,
                    fmt::format("dependency cycle among components {}", fmt::join(described, " and ")));
}

}  // namespace

Result<std::vector<std::vector<std::string>>> LifecycleManager::plan() const {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> deps;
  for (const auto& node : nodes_) {
    names.push_back(node->spec.name);
    deps.push_back(node->spec.depends_on);
  }
  auto levels = levels_of(names, deps);
  if (!levels) return std::unexpected(levels.error());
  std::vector<std::vector<std::string>> out;
  for (const auto& level : *levels) {
    auto& named = out.emplace_back();
    for (std::size_t i : level) named.push_back(names[i]);
  }
  return out;
}

std::chrono::milliseconds LifecycleManager::timeout_of(const Node& n, Phase phase) const {
  switch (phase) {
    case Phase::kInit: return timeouts_.init;
    case Phase::kStart: return timeouts_.start;
    case Phase::kStop: return n.spec.stop_timeout.value_or(timeouts_.stop);
  }
  return timeouts_.stop;
}

namespace {

Result<void> call(const std::function<Result<void>()>& f) noexcept {
  if (!f) return {};
  try {
    return f();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, e.what());
  } catch (...) {
    return make_error(ErrorCode::kInternal, "unknown exception");
  }
}

const std::function<Result<void>()>& phase_fn(const ComponentSpec& s, int phase) {
  return phase == 0 ? s.init : phase == 1 ? s.start : s.stop;
}

constexpr std::string_view kPhaseNames[] = {"init", "start", "stop"};

}  // namespace

void LifecycleManager::set_component_state(std::size_t index, ComponentState s) {
  std::lock_guard lock(mu_);
  nodes_[index]->state = s;
}

void LifecycleManager::notify(std::string_view component, std::string_view what) const {
  if (observer_) observer_(component, what);
}

// Runs one phase of a level: arena components dispatched first, caller-thread ones inline, then
// every arena call awaited up to its own deadline. Returns the first error.
Result<void> LifecycleManager::run_level(const std::vector<std::size_t>& level, Phase phase) {
  std::vector<PhaseResult> results;
  auto pending = dispatch(level, phase);
  for (std::size_t i : level) {
    if (nodes_[i]->spec.caller_thread) results.push_back({i, run_inline(i, phase)});
  }
  for (auto& w : pending) results.push_back(await(w, phase));
  return record(results, phase);
}

std::vector<LifecycleManager::Pending> LifecycleManager::dispatch(
    const std::vector<std::size_t>& level, Phase phase) {
  const int p = static_cast<int>(phase);
  std::vector<Pending> pending;
  for (std::size_t i : level) {
    auto node = nodes_[i];
    if (node->spec.caller_thread) continue;
    auto promise = std::make_shared<std::promise<Result<void>>>();
    pending.push_back({i, promise->get_future(), Clock::now() + timeout_of(*node, phase)});
    {
      std::lock_guard lock(arena_->mu);
      ++arena_->outstanding;
    }
    Arena* arena = arena_.get();
    arena_->arena.enqueue([node, promise, p, arena] {
      promise->set_value(call(phase_fn(node->spec, p)));
      std::lock_guard lock(arena->mu);
      if (--arena->outstanding == 0) arena->idle.notify_all();
    });
  }
  return pending;
}

// A caller-thread call cannot be abandoned; an overrun is reported after the fact.
Result<void> LifecycleManager::run_inline(std::size_t index, Phase phase) {
  const int p = static_cast<int>(phase);
  const auto& node = *nodes_[index];
  const auto budget = timeout_of(node, phase);
  const auto t0 = Clock::now();
  auto r = call(phase_fn(node.spec, p));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  if (r && budget.count() > 0 && took > budget) {
    notify(node.spec.name, fmt::format("{} took {} ms, over its {} ms budget", kPhaseNames[p],
                                       took.count(), budget.count()));
  }
  return r;
}

LifecycleManager::PhaseResult LifecycleManager::await(Pending& w, Phase phase) {
  const int p = static_cast<int>(phase);
  const auto budget = timeout_of(*nodes_[w.index], phase);
  if (budget.count() == 0 || w.done.wait_until(w.deadline) == std::future_status::ready) {
    return {w.index, w.done.get()};
  }
  {
    std::lock_guard lock(mu_);
    stragglers_.push_back(fmt::format("{} ({})", nodes_[w.index]->spec.name, kPhaseNames[p]));
  }
  return {w.index, make_error(ErrorCode::kTimeout, fmt::format("{} did not finish within {} ms",
                                                               kPhaseNames[p], budget.count()))};
}

Result<void> LifecycleManager::record(std::vector<PhaseResult>& results, Phase phase) {
  const int p = static_cast<int>(phase);
  std::optional<Error> first;
  for (auto& [i, r] : results) {
    Node& node = *nodes_[i];
    if (r) {
      set_component_state(i, phase == Phase::kInit    ? ComponentState::kInitialized
                             : phase == Phase::kStart ? ComponentState::kLive
                                                      : ComponentState::kStopped);
      if (phase == Phase::kInit) initialized_.push_back(i);
      if (phase == Phase::kStart) started_.push_back(i);
      notify(node.spec.name, fmt::format("{} ok", kPhaseNames[p]));
      continue;
    }
    const std::string failure = fmt::format("{} failed: {}", kPhaseNames[p], r.error().to_string());
    {
      std::lock_guard lock(mu_);
      node.state = ComponentState::kFailed;
      node.failure = failure;
    }
    notify(node.spec.name, failure);
    if (!first) first = std::move(r.error()).with_context(node.spec.name);
  }
  if (first) return std::unexpected(std::move(*first));
  return {};
}

Result<void> LifecycleManager::start() {
  if (state() != LifecycleState::kStarting || !started_.empty()) {
    return make_error(ErrorCode::kState, "lifecycle already started");
  }
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> deps;
  for (const auto& node : nodes_) {
    names.push_back(node->spec.name);
    deps.push_back(node->spec.depends_on);
  }
  auto levels = levels_of(names, deps);
  if (!levels) {
    state_.store(LifecycleState::kStopped, std::memory_order_release);
    return std::unexpected(std::move(levels.error()).with_context("planning the components"));
  }
  state_.store(LifecycleState::kInitializing, std::memory_order_release);
  for (Phase phase : {Phase::kInit, Phase::kStart}) {
    for (const auto& level : *levels) {
      if (auto r = run_level(level, phase); !r) {
        rollback();
        return std::unexpected(std::move(r.error()));
      }
    }
  }
  state_.store(LifecycleState::kLive, std::memory_order_release);
  return {};
}

void LifecycleManager::rollback() {
  // Components initialized but never started sit at or above the failing level, so they depend
  // on the started ones, never the reverse: they are stopped first (their stop releases what
  // init acquired), newest first, then the started ones in reverse start order.
  std::vector<std::size_t> initialized;
  {
    std::lock_guard lock(mu_);
    for (std::size_t i : initialized_) {
      if (nodes_[i]->state == ComponentState::kInitialized) initialized.push_back(i);
    }
  }
  for (auto it = initialized.rbegin(); it != initialized.rend(); ++it) {
    set_component_state(*it, ComponentState::kStopping);
    (void)run_level({*it}, Phase::kStop);
  }
  (void)stop();
}

Result<void> LifecycleManager::stop() {
  if (stopped_) return {};
  stopped_ = true;
  state_.store(LifecycleState::kDraining, std::memory_order_release);
  std::optional<Error> first;
  for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
    set_component_state(*it, ComponentState::kStopping);
    if (auto r = run_level({*it}, Phase::kStop); !r && !first) first = std::move(r.error());
  }
  state_.store(LifecycleState::kStopped, std::memory_order_release);
  if (first) return std::unexpected(std::move(*first));
  return {};
}

std::vector<ComponentSnapshot> LifecycleManager::snapshot() const {
  std::vector<ComponentSnapshot> out;
  std::vector<const std::function<HealthStatus()>*> probes;
  {
    std::lock_guard lock(mu_);
    for (const auto& node : nodes_) {
      ComponentSnapshot s{node->spec.name, node->state, {}};
      switch (node->state) {
        case ComponentState::kLive: break;
        case ComponentState::kFailed: s.health = {HealthLevel::kFailed, node->failure}; break;
        default: s.health = {HealthLevel::kFailed, std::string(to_string(node->state))}; break;
      }
      probes.push_back(node->state == ComponentState::kLive && node->spec.health
                           ? &node->spec.health : nullptr);
      out.push_back(std::move(s));
    }
  }
  // Probes run outside the lock: they may be slow or take their own locks.
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (probes[i] != nullptr) out[i].health = (*probes[i])();
  }
  return out;
}

std::vector<std::string> LifecycleManager::stragglers() const {
  std::lock_guard lock(mu_);
  return stragglers_;
}

std::vector<std::string> LifecycleManager::start_order() const {
  std::vector<std::string> out;
  for (std::size_t i : started_) out.push_back(nodes_[i]->spec.name);
  return out;
}

}  // namespace rv::control
