#pragma once
// The rvoipd(8) man page (roff, man macros), generated at build time by `rvoipd --print-man`
// from the command line (CliDoc) and the config schema (config/schema.hpp): every option and
// every config key with its default, range and reload flag. Control-plane only.

#include <string>
#include <string_view>

#include "control/service/cli_doc.hpp"

namespace rv::control {

// `sysconfdir`: where the installed config lives (e.g. /etc); `datadir` where the examples,
// dashboard and alert rules are (e.g. /usr/share).
std::string render_man_page(const CliDoc& cli, std::string_view version,
                            std::string_view sysconfdir, std::string_view datadir);

}  // namespace rv::control
