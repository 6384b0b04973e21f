#!/usr/bin/env bash
# The one command that tests rvoip-appliance: installs missing Debian packages, builds (release,
# warnings as errors) and runs every meson test suite (unit and integration).
# Usage: scripts/test.sh [extra `meson test` arguments, e.g. --suite unit]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${RVOIP_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
else
  meson setup --reconfigure "$build" >/dev/null
fi
ninja -C "$build"
# Integration tests bring up DPDK with --no-huge; 2 jobs keep a 2-core machine responsive.
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
