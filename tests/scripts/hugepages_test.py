#!/usr/bin/env python3
"""scripts/hugepages.sh on a fake sysfs (HUGEPAGES_SYSFS) and /etc (HUGEPAGES_ETC), --no-mount:
the host's hugepages are never touched.

Checks: a TOTAL spread over two NUMA nodes (remainder on node0), memory amounts converted to
pages, 1G pages, the failure when the kernel grants fewer pages than asked (a node whose
nr_hugepages reads back empty, as /dev/null does), a page size the kernel lacks, --persist (the
sysctl.d file for 2M, the kernel command line for 1G), and usage errors.

Usage: hugepages_test.py SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

script = os.path.join(sys.argv[1], "scripts", "hugepages.sh")
failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)


def fake_sysfs(root, sizes=("2048", "1048576"), nodes=2):
    for n in range(nodes):
        for kb in sizes:
            d = os.path.join(root, f"devices/system/node/node{n}/hugepages/hugepages-{kb}kB")
            os.makedirs(d)
            with open(os.path.join(d, "nr_hugepages"), "w") as f:
                f.write("0\n")


def nr(root, node, kb="2048"):
    with open(os.path.join(root, f"devices/system/node/node{node}/hugepages/hugepages-{kb}kB/nr_hugepages")) as f:
        return f.read().strip()


def run(sysfs, etc, *args):
    env = dict(os.environ, HUGEPAGES_SYSFS=sysfs, HUGEPAGES_ETC=etc)
    return subprocess.run(["bash", script, "--no-mount", *args], capture_output=True, text=True, env=env)


with tempfile.TemporaryDirectory() as tmp:
    sysfs, etc = os.path.join(tmp, "sys"), os.path.join(tmp, "etc")
    fake_sysfs(sysfs)

    r = run(sysfs, etc, "5")
    expect(r.returncode == 0, f"5 pages: exit {r.returncode} {r.stderr!r}")
    expect((nr(sysfs, 0), nr(sysfs, 1)) == ("3", "2"), f"5 pages spread as {nr(sysfs, 0)}+{nr(sysfs, 1)}, expected 3+2")

    r = run(sysfs, etc, "1G")
    expect(r.returncode == 0 and (nr(sysfs, 0), nr(sysfs, 1)) == ("256", "256"),
           f"1G of 2M pages: {nr(sysfs, 0)}+{nr(sysfs, 1)}, expected 256+256 ({r.stderr!r})")

    r = run(sysfs, etc, "--size", "1G", "--persist", "3")
    expect(r.returncode == 0 and (nr(sysfs, 0, "1048576"), nr(sysfs, 1, "1048576")) == ("2", "1"),
           f"3 1G pages: exit {r.returncode} {r.stderr!r}")
    expect("default_hugepagesz=1G hugepagesz=1G hugepages=3" in r.stdout, f"1G --persist: {r.stdout!r}")

    r = run(sysfs, etc, "--persist", "--group", "root", "1024")
    conf = os.path.join(etc, "sysctl.d/80-rvoipd-hugepages.conf")
    expect(r.returncode == 0 and os.path.isfile(conf), f"--persist: exit {r.returncode} {r.stderr!r}")
    if os.path.isfile(conf):
        expect("vm.nr_hugepages = 1024" in open(conf).read(), "sysctl.d file lacks vm.nr_hugepages = 1024")
    dropin = os.path.join(etc, "systemd/system/dev-hugepages.mount.d/rvoipd.conf")
    expect(os.path.isfile(dropin) and "mode=1770,gid=0" in open(dropin).read(), "--group drop-in")

    # node1 grants nothing: its nr_hugepages reads back empty.
    f = os.path.join(sysfs, "devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages")
    os.remove(f)
    os.symlink("/dev/null", f)
    r = run(sysfs, etc, "6")
    expect(r.returncode == 1, f"fewer pages granted: exit {r.returncode}, expected 1")
    expect("granted 3 of 6 2M pages" in r.stderr and "node1: 0 of 3" in r.stderr,
           f"fewer pages granted: {r.stderr!r}")

    only2m = os.path.join(tmp, "sys2m")
    fake_sysfs(only2m, sizes=("2048",))
    r = run(only2m, etc, "--size", "1G", "2")
    expect(r.returncode == 1 and "no 1G hugepages" in r.stderr, f"no 1G support: {r.returncode} {r.stderr!r}")

    for bad in (["--size", "4M", "2"], ["lots"], []):
        r = run(sysfs, etc, *bad)
        expect(r.returncode == 2 and "Usage:" in r.stderr, f"usage error {bad}: exit {r.returncode}")

for f in failures:
    print("FAIL:", f)
print("hugepages:", "ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
