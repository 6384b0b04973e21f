#pragma once
// bash completion for rvoipd, generated at build time by `rvoipd --print-bash-completion` from
// the command line (CliDoc) and the config schema: options, files where an option takes a file,
// the closed choices (--speed), and `--set section.key=` for every config key. Nothing is
// completed after `--` (EAL arguments). Control-plane only.

#include <string>

#include "control/service/cli_doc.hpp"

namespace rv::control {

std::string render_bash_completion(const CliDoc& cli);

}  // namespace rv::control
