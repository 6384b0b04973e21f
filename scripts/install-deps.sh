#!/usr/bin/env bash
# Installs every Debian 12 package rvoip-appliance needs to build, test and run.
# Idempotent: packages already installed are skipped; apt-get runs only when something is missing.
# Runs as root directly, through sudo otherwise.
set -euo pipefail

packages=(
  build-essential
  clang-16
  curl
  debhelper
  dpdk
  dpdk-dev
  g++
  googletest
  groff-base
  iproute2
  libbenchmark-dev
  libboost-dev
  libcivetweb-dev
  libclang-rt-16-dev
  libcli11-dev
  libconcurrentqueue-dev
  libcrypt-dev
  libdpdk-dev
  libfmt-dev
  libgmock-dev
  libgtest-dev
  libhwloc-dev
  libnats-dev
  nlohmann-json3-dev
  libpcap-dev
  libprotobuf-dev
  libspdlog-dev
  libsystemd-dev
  libssl-dev
  libtbb-dev
  libzstd-dev
  libyaml-cpp-dev
  man-db
  meson
  nats-server
  ninja-build
  pkg-config
  prometheus
  prometheus-cpp-dev
  protobuf-compiler
  rapidjson-dev
  python3
  python3-jsonschema
  python3-scapy
  sip-tester
  systemd
  tcpdump
  tshark
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
