#!/usr/bin/env bash
# Reserves 2 MiB hugepages for rvoipd on a bare-metal server and mounts hugetlbfs.
# Usage: scripts/hugepages.sh [PAGES] [NUMA_NODE|all]     (default: 1024 pages = 2 GiB, all nodes)
# Then run rvoipd with `dataplane.hugepages: true`. Needs root.
set -euo pipefail
pages=${1:-1024}
node=${2:-all}
[ "$(id -u)" -eq 0 ] || { echo "hugepages.sh: run as root" >&2; exit 1; }
if [ "$node" = all ]; then
  targets=(/sys/devices/system/node/node*/hugepages/hugepages-2048kB/nr_hugepages)
  [ -e "${targets[0]}" ] || targets=(/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
else
  targets=("/sys/devices/system/node/node${node}/hugepages/hugepages-2048kB/nr_hugepages")
fi
for t in "${targets[@]}"; do
  echo "$pages" > "$t"
  echo "hugepages.sh: $t = $(cat "$t")"
done
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
grep -E 'HugePages_(Total|Free)' /proc/meminfo
