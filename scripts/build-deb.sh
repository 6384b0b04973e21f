#!/usr/bin/env bash
# Builds the rvoipd .deb with Debian's tooling (debian/, dpkg-buildpackage -b -us -uc) from the
# committed tree (git archive HEAD), in a temporary directory so that nothing is written beside
# the checkout. Build dependencies: scripts/install-deps.sh (debhelper included).
# Usage: scripts/build-deb.sh [OUT_DIR]     (default: /tmp/rvoipd-deb; the .deb is copied there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/rvoipd-deb}
work=$(mktemp -d /tmp/rvoipd-debbuild.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$out"
git archive HEAD | tar -x -C "$work/src"
(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=${RVOIP_DEB_JOBS:-2}" dpkg-buildpackage -b -us -uc)
cp "$work"/*.deb "$out"/
ls -l "$out"/*.deb
