#!/usr/bin/env bash
# Reserves hugepages for rvoipd on a bare-metal server and mounts hugetlbfs.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: hugepages.sh [--size 2M|1G] [--group GROUP] [--persist] [--no-mount] TOTAL

TOTAL is the whole reservation, not a per-node count: a number of pages (1024) or an amount of
memory (2G, 512M, rounded up to whole pages). It is spread evenly over the NUMA nodes (the
remainder on the lowest nodes), since rvoipd places each port's mempool on the NIC's node.

  --size 2M|1G   page size (default 2M). 1 GiB pages rarely allocate at run time once memory
                 is fragmented: reserve them at boot (see --persist).
  --group GROUP  make the hugetlbfs mount writable by GROUP (mode 1770), e.g. rvoipd for the
                 installed service, which does not run as root.
  --persist      keep the reservation across reboots: 2M pages in
                 /etc/sysctl.d/80-rvoipd-hugepages.conf (vm.nr_hugepages), the --group mode in a
                 drop-in for dev-hugepages.mount; for 1G pages, print the kernel command line
                 to add (default_hugepagesz=1G hugepagesz=1G hugepages=N).
  --no-mount     reserve only; do not mount hugetlbfs.

Fails (exit 1) when the kernel grants fewer pages than asked, naming what each node got.
Then run rvoipd with `dataplane.hugepages: true`. Needs root.
Environment (tests): HUGEPAGES_SYSFS (default /sys) and HUGEPAGES_ETC (default /etc) relocate
what is read and written.
EOF
}

die() { echo "hugepages.sh: $*" >&2; exit 1; }
usage_error() { echo "hugepages.sh: $*" >&2; usage >&2; exit 2; }

sysfs=${HUGEPAGES_SYSFS:-/sys}
etc=${HUGEPAGES_ETC:-/etc}
size=2M
group=""
persist=false
mount=true
total=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --size) [ $# -ge 2 ] || usage_error "--size needs 2M or 1G"; size=$2; shift ;;
    --size=*) size=${1#--size=} ;;
    --group) [ $# -ge 2 ] || usage_error "--group needs a group"; group=$2; shift ;;
    --persist) persist=true ;;
    --no-mount) mount=false ;;
    -*) usage_error "unknown option $1" ;;
    *) [ -z "$total" ] || usage_error "one TOTAL only"; total=$1 ;;
  esac
  shift
done
[ -n "$total" ] || usage_error "TOTAL missing"

case "$size" in
  2M|2m|2048k|2048K) size=2M; page_kb=2048 ;;
  1G|1g|1024M|1048576k|1048576K) size=1G; page_kb=1048576 ;;
  *) usage_error "--size must be 2M or 1G, not $size" ;;
esac

# TOTAL in pages: a plain count, or memory with a K/M/G/T suffix rounded up to whole pages.
case "$total" in
  *[!0-9]*)
    [[ $total =~ ^([0-9]+)([KkMmGgTt])i?[Bb]?$ ]] || usage_error "TOTAL must be pages (1024) or memory (2G), not $total"
    num=${BASH_REMATCH[1]}
    case "${BASH_REMATCH[2]}" in
      K|k) kb=$num ;;
      M|m) kb=$((num * 1024)) ;;
      G|g) kb=$((num * 1024 * 1024)) ;;
      T|t) kb=$((num * 1024 * 1024 * 1024)) ;;
    esac
    pages=$(((kb + page_kb - 1) / page_kb)) ;;
  *) pages=$((10#$total)) ;;
esac
[ "$pages" -gt 0 ] || usage_error "TOTAL must be at least one page"

[ "$sysfs" != /sys ] || [ "$(id -u)" -eq 0 ] || die "run as root"
gid=""
if [ -n "$group" ]; then
  gid=$(getent group "$group" | cut -d: -f3)
  [ -n "$gid" ] || die "no group $group"
fi

targets=()
for t in "$sysfs"/devices/system/node/node[0-9]*/hugepages/hugepages-"${page_kb}"kB/nr_hugepages; do
  [ -e "$t" ] && targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ] && [ -e "$sysfs/kernel/mm/hugepages/hugepages-${page_kb}kB/nr_hugepages" ]; then
  targets=("$sysfs/kernel/mm/hugepages/hugepages-${page_kb}kB/nr_hugepages")  # no NUMA
fi
[ ${#targets[@]} -gt 0 ] || die "this kernel offers no $size hugepages (1G needs a CPU with pdpe1gb and a 64-bit kernel)"

node_name() {
  [[ $1 =~ /(node[0-9]+)/ ]] && echo "${BASH_REMATCH[1]}" || echo "system"
}

# Even spread; the first nodes take the remainder.
n=${#targets[@]}
granted=0
report=()
for i in "${!targets[@]}"; do
  want=$((pages / n + (i < pages % n ? 1 : 0)))
  echo "$want" >"${targets[$i]}" || die "cannot write ${targets[$i]}"
  got=$(cat "${targets[$i]}" 2>/dev/null || true)
  got=${got:-0}
  granted=$((granted + got))
  report+=("$(node_name "${targets[$i]}"): $got of $want")
  echo "hugepages.sh: $(node_name "${targets[$i]}") $size pages: $got (asked $want)"
done

cmdline="default_hugepagesz=1G hugepagesz=1G hugepages=$pages"
if [ "$granted" -lt "$pages" ]; then
  echo "hugepages.sh: the kernel granted $granted of $pages $size pages (${report[*]})." >&2
  if [ "$size" = 1G ]; then
    echo "hugepages.sh: 1G pages need contiguous memory: reserve them at boot with the kernel command line: $cmdline" >&2
  else
    echo "hugepages.sh: memory is too small or too fragmented: free memory, lower TOTAL, or reserve at boot (--persist)." >&2
  fi
  exit 1
fi

mountpoint_dir=/dev/hugepages
[ "$size" = 1G ] && mountpoint_dir=/dev/hugepages-1G
if $mount; then
  mkdir -p "$mountpoint_dir"
  mountpoint -q "$mountpoint_dir" || mount -t hugetlbfs -o "pagesize=$size" nodev "$mountpoint_dir"
  if [ -n "$group" ]; then
    chgrp "$group" "$mountpoint_dir"
    chmod 1770 "$mountpoint_dir"
  fi
  grep -E 'HugePages_(Total|Free)|Hugepagesize' /proc/meminfo || true
fi

if $persist; then
  if [ "$size" = 2M ]; then
    mkdir -p "$etc/sysctl.d"
    printf '# Written by rvoipd scripts/hugepages.sh: %s 2M pages over all NUMA nodes.\nvm.nr_hugepages = %s\n' \
      "$pages" "$pages" >"$etc/sysctl.d/80-rvoipd-hugepages.conf"
    echo "hugepages.sh: persisted in $etc/sysctl.d/80-rvoipd-hugepages.conf"
    if [ -n "$group" ]; then
      mkdir -p "$etc/systemd/system/dev-hugepages.mount.d"
      printf '[Mount]\nOptions=mode=1770,gid=%s\n' "$gid" >"$etc/systemd/system/dev-hugepages.mount.d/rvoipd.conf"
      echo "hugepages.sh: mount mode persisted in $etc/systemd/system/dev-hugepages.mount.d/rvoipd.conf"
    fi
  else
    echo "hugepages.sh: to reserve the 1G pages at every boot, add to the kernel command line"
    echo "  $cmdline"
    echo "  (Debian: GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and mount"
    echo "  nodev $mountpoint_dir hugetlbfs pagesize=1G${gid:+,mode=1770,gid=$gid} 0 0   (in /etc/fstab)"
  fi
fi
