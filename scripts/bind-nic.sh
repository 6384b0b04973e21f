#!/usr/bin/env bash
# Binds NICs to vfio-pci for rvoipd (DPDK kernel bypass), or gives them back to the kernel.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bind-nic.sh [--force] [--persist] DEVICE...     bind to vfio-pci
       bind-nic.sh --unbind DRIVER PCI_ADDR...         give back to a kernel driver (e.g. ixgbe)
       bind-nic.sh --status                            list network devices and their drivers

DEVICE is a PCI address (0000:03:00.0) or a kernel interface name (eth1).

A NIC bound to vfio-pci disappears from the kernel: its addresses, routes and connections go
with it. bind-nic.sh therefore refuses, unless --force, a device whose interface (or the bond
or bridge it belongs to)
  - carries a default route (IPv4 or IPv6), or
  - carries an SSH session: the local address of $SSH_CONNECTION, of an established sshd
    connection (ss) or of a logged-in remote user (who) is on it, or the route to the peer
    leaves through it.

  --persist   make the binding survive reboots with driverctl (apt-get install driverctl):
              `driverctl set-override ADDR vfio-pci`; --unbind then removes the override.
  --force     bind even an interface that carries the default route or an SSH session.

Needs root, the vfio-pci module and the IOMMU enabled (intel_iommu=on / amd_iommu=on), or
vfio's no-IOMMU mode on test boxes. Installed rvoipd runs as user rvoipd: its udev rule
(60-rvoipd-vfio.rules) gives that user the VFIO groups of bound NICs.
Exit codes: 0 bound, 1 failure, 2 usage error, 3 refused (default route or SSH session).
EOF
}

die() { echo "bind-nic.sh: $*" >&2; exit 1; }

need_devbind() {
  command -v dpdk-devbind.py >/dev/null || die "dpdk-devbind.py missing (apt-get install dpdk)"
}

# The kernel interfaces of a device argument (none for a NIC already bound to vfio-pci).
interfaces_of() {
  local dev=$1 n
  if [ -e "/sys/class/net/$dev" ]; then
    echo "$dev"
  else
    for n in /sys/bus/pci/devices/"$dev"/net/*; do [ -e "$n" ] && basename "$n"; done
  fi
  return 0
}

# The interface and the bonds/bridges above it (their routes and sessions are its traffic).
with_masters() {
  local ifc=$1
  while [ -n "$ifc" ]; do
    echo "$ifc"
    ifc=$(basename "$(readlink "/sys/class/net/$ifc/master" 2>/dev/null)" 2>/dev/null || true)
    [ "$ifc" = . ] && ifc=""
  done
}

# The addresses on an interface, one per line, without prefix length.
addresses_of() {
  ip -o addr show dev "$1" 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'
}

# "local peer" address pairs of SSH sessions into this host.
ssh_sessions() {
  if [ -n "${SSH_CONNECTION:-}" ]; then
    # SSH_CONNECTION: client_ip client_port server_ip server_port
    set -- $SSH_CONNECTION
    echo "${3:-} ${1:-}"
  fi
  if command -v ss >/dev/null; then
    # Established TCP connections owned by sshd: local and peer addresses ([v6]:port or v4:port).
    ss -Htnp state established 2>/dev/null | awk '
      function host(a) {
        if (a ~ /^\[/) { sub(/^\[/, "", a); sub(/\]:[0-9*]+$/, "", a) } else sub(/:[0-9*]+$/, "", a)
        sub(/%.*/, "", a)
        return a
      }
      /"sshd/ { print host($3), host($4) }'
  fi
  if command -v who >/dev/null; then
    # Remote logins show their peer in parentheses; the local side is found by routing.
    who 2>/dev/null | sed -nE 's/.*\(([0-9a-fA-F.:]+)\)$/- \1/p'
  fi
}

# Why `ifc` must not be bound; empty when nothing forbids it.
refusal() {
  local ifc=$1 m reasons=()
  for m in $(with_masters "$ifc"); do
    if ip -4 route show table all default dev "$m" 2>/dev/null | grep -q . ||
       ip -6 route show table all default dev "$m" 2>/dev/null | grep -q .; then
      reasons+=("$m carries the default route")
    fi
    local addrs
    addrs=$(addresses_of "$m")
    local local_ip peer
    while read -r local_ip peer; do
      [ -n "${peer:-}" ] || continue
      local via=""
      via=$(ip route get "$peer" 2>/dev/null | sed -nE 's/.* dev ([^ ]+).*/\1/p' | head -n1)
      if { [ "$local_ip" != - ] && grep -qxF "$local_ip" <<<"$addrs"; } || [ "$via" = "$m" ]; then
        reasons+=("$m carries the SSH session from $peer")
      fi
    done < <(ssh_sessions)
  done
  [ ${#reasons[@]} -eq 0 ] || printf '%s\n' "${reasons[@]}" | sort -u | paste -sd ';' | sed 's/;/; /g'
}

# PCI address of a device argument.
pci_of() {
  local dev=$1
  if [ -d "/sys/bus/pci/devices/$dev" ]; then echo "$dev"; return; fi
  local link
  link=$(readlink -f "/sys/class/net/$dev/device" 2>/dev/null || true)
  [ -n "$link" ] && [[ $link == /sys/devices/pci* ]] || die "$dev is not a PCI network device (nothing to bind)"
  basename "$link"
}

unbind() {
  [ $# -ge 2 ] || { usage >&2; exit 2; }
  local driver=$1
  shift
  [ "$(id -u)" -eq 0 ] || die "run as root"
  need_devbind
  local dev
  for dev in "$@"; do
    if command -v driverctl >/dev/null && driverctl list-overrides 2>/dev/null | grep -q "^$dev "; then
      driverctl unset-override "$dev"  # the persisted binding goes too
    fi
  done
  dpdk-devbind.py -b "$driver" "$@"
}

force=false
persist=false
devices=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --status) need_devbind; exec dpdk-devbind.py --status-dev net ;;
    --unbind) shift; unbind "$@"; exit 0 ;;
    --force) force=true ;;
    --persist) persist=true ;;
    -*) echo "bind-nic.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) devices+=("$1") ;;
  esac
  shift
done
[ ${#devices[@]} -gt 0 ] || { usage >&2; exit 2; }

refused=false
for dev in "${devices[@]}"; do
  if [ ! -e "/sys/class/net/$dev" ] && [ ! -d "/sys/bus/pci/devices/$dev" ]; then
    echo "bind-nic.sh: $dev is neither a network interface nor a PCI device" >&2
    exit 2
  fi
  for ifc in $(interfaces_of "$dev"); do
    why=$(refusal "$ifc")
    [ -n "$why" ] || continue
    if $force; then
      echo "bind-nic.sh: warning: binding $dev although $why (--force)" >&2
    else
      echo "bind-nic.sh: refusing $dev: $why; binding it would cut this host off. Use --force if you mean it." >&2
      refused=true
    fi
  done
done
$refused && exit 3

pci=()
for dev in "${devices[@]}"; do pci+=("$(pci_of "$dev")"); done
[ "$(id -u)" -eq 0 ] || die "run as root"
need_devbind
if $persist; then
  command -v driverctl >/dev/null || die "--persist needs driverctl (apt-get install driverctl)"
fi
modprobe vfio-pci
for dev in "${pci[@]}"; do
  for ifc in /sys/bus/pci/devices/"$dev"/net/*; do
    [ -e "$ifc" ] && ip link set "$(basename "$ifc")" down
  done
done
if $persist; then
  for dev in "${pci[@]}"; do driverctl set-override "$dev" vfio-pci; done
else
  dpdk-devbind.py -b vfio-pci "${pci[@]}"
fi
dpdk-devbind.py --status-dev net
