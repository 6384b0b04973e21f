#pragma once
// LifecycleManager: the appliance's components (DESIGN.md §6) — each with init/start/stop/health
// and declared dependencies — brought up in dependency order and torn down in reverse.
//
//   plan    topological levels (Kahn); an unknown dependency or a cycle is rejected, the cycle
//           named by its members only (Tarjan SCC), never by what merely depends on it; a
//           component without dependencies is level 0, never skipped.
//   start   Starting -> Initializing (init of every component, level by level) -> start, level by
//           level; the components of one level run in parallel on a TBB arena (caller_thread
//           ones inline on the driving thread, e.g. the EAL main lcore) -> Live. A failed or
//           timed-out init/start stops everything already started, in reverse order, and returns
//           the error with the component's name as context.
//   stop    Draining -> stop of every started component in reverse start order, each bounded by
//           its stop timeout -> Stopped. A stop that overruns is named in `stragglers()`.
//
// Thread-safety: start()/stop() from one driving thread; state(), snapshot() from any thread
// (admin handlers, health monitor). Control-plane only.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/error.hpp"

namespace rv::control {

enum class LifecycleState : uint8_t { kStarting, kInitializing, kLive, kDraining, kStopped };
std::string_view to_string(LifecycleState s) noexcept;
inline constexpr std::array<LifecycleState, 5> kLifecycleStates = {
    LifecycleState::kStarting, LifecycleState::kInitializing, LifecycleState::kLive,
    LifecycleState::kDraining, LifecycleState::kStopped};

enum class HealthLevel : uint8_t { kOk, kDegraded, kFailed };
std::string_view to_string(HealthLevel h) noexcept;

struct HealthStatus {
  HealthLevel level = HealthLevel::kOk;
  std::string reason;  // empty when ok
};

// One component. Every function is optional; a missing one is a no-op that succeeds.
struct ComponentSpec {
  std::string name;
  std::vector<std::string> depends_on;
  std::function<Result<void>()> init;    // acquire resources; nothing runs yet
  std::function<Result<void>()> start;   // begin work
  // End work and release; must not hang. Also called after a successful init whose start never
  // ran (rollback), to release what init acquired.
  std::function<Result<void>()> stop;
  std::function<HealthStatus()> health;  // any thread, cheap
  // Runs init/start/stop on the thread that drives the lifecycle instead of the arena (DPDK's
  // EAL binds its calling thread as the main lcore). Its timeouts are checked after the fact.
  bool caller_thread = false;
  // Overrides the manager's per-phase timeout for this component's stop (nullopt: default;
  // zero: unbounded, e.g. writing a report).
  std::optional<std::chrono::milliseconds> stop_timeout;
};

enum class ComponentState : uint8_t { kRegistered, kInitialized, kLive, kStopping, kStopped, kFailed };
std::string_view to_string(ComponentState s) noexcept;

struct ComponentSnapshot {
  std::string name;
  ComponentState state = ComponentState::kRegistered;
  HealthStatus health;  // from the component's health() when Live; else derived from its state
};

struct PhaseTimeouts {
  std::chrono::milliseconds init{10'000};
  std::chrono::milliseconds start{10'000};
  std::chrono::milliseconds stop{1'500};
};

// Observer of component transitions (logging, tests). Called on the thread running the phase.
using LifecycleObserver = std::function<void(std::string_view component, std::string_view what)>;

class LifecycleManager {
 public:
  // `parallelism`: threads of the TBB arena the independent components start on.
  explicit LifecycleManager(PhaseTimeouts timeouts = {}, unsigned parallelism = 4);
  // Waits for any phase call still running on the arena (a straggler keeps its component alive).
  ~LifecycleManager();
  LifecycleManager(const LifecycleManager&) = delete;
  LifecycleManager& operator=(const LifecycleManager&) = delete;

  // Before start() only. Error on a duplicate or empty name.
  Result<void> add(ComponentSpec spec);

  // The start levels: names per level, dependencies before dependants. Pure over the added specs.
  Result<std::vector<std::vector<std::string>>> plan() const;

  // Initializes and starts everything (see the header comment). On error nothing is left running
  // and the state is Stopped.
  Result<void> start();

  // Stops what started, in reverse order. Idempotent. Returns the first stop error, with the
  // component's name as context (every error is also reported to the observer).
  Result<void> stop();

  LifecycleState state() const noexcept { return state_.load(std::memory_order_acquire); }
  std::vector<ComponentSnapshot> snapshot() const;
  // Components whose phase call overran its timeout and was still running when we moved on.
  std::vector<std::string> stragglers() const;
  // Names in the order they finished starting (the reverse is the stop order).
  std::vector<std::string> start_order() const;

  void set_observer(LifecycleObserver observer) { observer_ = std::move(observer); }
  void set_stop_timeout(std::chrono::milliseconds t) { timeouts_.stop = t; }

 private:
  struct Node;
  struct Arena;
  enum class Phase : uint8_t { kInit, kStart, kStop };

  struct Pending {  // a phase call running on the arena
    std::size_t index;
    std::future<Result<void>> done;
    std::chrono::steady_clock::time_point deadline;
  };
  struct PhaseResult {
    std::size_t index;
    Result<void> result;
  };

  Result<void> run_level(const std::vector<std::size_t>& level, Phase phase);
  std::vector<Pending> dispatch(const std::vector<std::size_t>& level, Phase phase);
  Result<void> run_inline(std::size_t index, Phase phase);
  PhaseResult await(Pending& pending, Phase phase);
  Result<void> record(std::vector<PhaseResult>& results, Phase phase);
  std::chrono::milliseconds timeout_of(const Node& n, Phase phase) const;
  void rollback();
  void set_component_state(std::size_t index, ComponentState s);
  void notify(std::string_view component, std::string_view what) const;

  PhaseTimeouts timeouts_;
  std::unique_ptr<Arena> arena_;
  std::vector<std::shared_ptr<Node>> nodes_;
  std::vector<std::size_t> initialized_;  // driving thread only, in completion order
  std::vector<std::size_t> started_;      // driving thread only, in completion order
  std::atomic<LifecycleState> state_{LifecycleState::kStarting};
  mutable std::mutex mu_;             // guards Node::state, stragglers_, started order copy
  std::vector<std::string> stragglers_;
  LifecycleObserver observer_;
  bool stopped_ = false;
};

}  // namespace rv::control
