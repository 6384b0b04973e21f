#pragma once
// run_app: the whole life of rvoipd after the command line is parsed — config, EAL, ports,
// admin endpoint, lcores, the control loop (progress, replay end, signals), stop, report.

#include "control/cli.hpp"

namespace rv::control {

// Returns the process exit code (control/exit_code.hpp).
int run_app(const CliOptions& options);

}  // namespace rv::control
