#pragma once
// Process exit codes (DESIGN.md §8).

namespace rv::control {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // runtime failure: EAL, ports, metrics port taken...
inline constexpr int kExitUsage = 2;    // usage or config error

}  // namespace rv::control
