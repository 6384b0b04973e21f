#!/usr/bin/env bash
# Binds NICs to vfio-pci for rvoipd (DPDK kernel bypass), or gives them back to the kernel.
# Usage: scripts/bind-nic.sh PCI_ADDR...            e.g. scripts/bind-nic.sh 0000:03:00.0 0000:03:00.1
#        scripts/bind-nic.sh --unbind DRIVER PCI_ADDR...   (e.g. --unbind ixgbe 0000:03:00.0)
#        scripts/bind-nic.sh --status
# The interfaces must be down (no IP traffic through the kernel on them). Needs root and the
# IOMMU enabled (intel_iommu=on / amd_iommu=on), or vfio's no-IOMMU mode for test boxes.
set -euo pipefail
command -v dpdk-devbind.py >/dev/null || { echo "bind-nic.sh: dpdk-devbind.py missing (apt-get install dpdk)" >&2; exit 1; }
case "${1:-}" in
  --status|"") exec dpdk-devbind.py --status-dev net ;;
  --unbind) shift; driver=$1; shift; exec dpdk-devbind.py -b "$driver" "$@" ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "bind-nic.sh: run as root" >&2; exit 1; }
modprobe vfio-pci
for dev in "$@"; do
  for ifc in /sys/bus/pci/devices/"$dev"/net/*; do
    [ -e "$ifc" ] && ip link set "$(basename "$ifc")" down
  done
done
dpdk-devbind.py -b vfio-pci "$@"
dpdk-devbind.py --status-dev net
