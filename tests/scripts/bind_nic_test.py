#!/usr/bin/env python3
"""scripts/bind-nic.sh refuses what would cut the host off, on a throw-away interface.

Mode `usage`: --unbind without arguments (and no argument at all) prints the usage and exits 2;
--help exits 0.

Mode `refuse`: in a network namespace of its own (`ip netns add`; the host's interfaces and
routes are never touched), a dummy interface rvtest0 (a veth pair where the kernel has no dummy
driver) gets 10.99.0.1/24, then:
  - with a default route through it, bind-nic.sh refuses it (exit 3, "carries the default route");
  - with SSH_CONNECTION naming its address as the server side, it refuses ("SSH session");
  - a bridge member whose bridge carries the default route is refused (when bridges exist);
  - with --force, it warns and goes on, stopping only because a dummy/veth is no PCI device;
  - without route or session, nothing is refused (it stops at "not a PCI network device").
Nothing is ever bound: every run ends before modprobe or dpdk-devbind.py. Skips (exit 77) with the
reason when the machine forbids namespaces or links (not root, no CAP_NET_ADMIN, no netns).

Usage: bind_nic_test.py SOURCE_DIR usage|refuse
"""
import os
import subprocess
import sys

source, mode = sys.argv[1], sys.argv[2]
script = os.path.join(source, "scripts", "bind-nic.sh")
failures = []
NS = f"rvtest{os.getpid()}"


def expect(ok, what):
    if not ok:
        failures.append(what)


def run(args, env_extra=None, drop=("SSH_CONNECTION",)):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run(args, capture_output=True, text=True, env=env)


def finish():
    for f in failures:
        print("FAIL:", f)
    print(f"bind-nic ({mode}):", "ok" if not failures else f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(77)


def usage_mode():
    r = run(["bash", script, "--unbind"])
    expect(r.returncode == 2, f"--unbind without arguments exits {r.returncode}, expected 2")
    expect("Usage:" in r.stderr, f"--unbind without arguments prints no usage: {r.stderr!r}")
    r = run(["bash", script, "--unbind", "ixgbe"])
    expect(r.returncode == 2 and "Usage:" in r.stderr, "--unbind DRIVER without device is no usage error")
    r = run(["bash", script])
    expect(r.returncode == 2 and "Usage:" in r.stderr, "no argument is no usage error")
    r = run(["bash", script, "--help"])
    expect(r.returncode == 0 and "--persist" in r.stdout and "--force" in r.stdout, "--help")
    r = run(["bash", script, "no-such-nic0"])
    expect(r.returncode == 2 and "neither a network interface" in r.stderr, f"unknown device: {r.stderr!r}")
    finish()


def ns(*args, check=True):
    r = subprocess.run(["ip", "netns", "exec", NS, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r


def bind_nic(*args, env_extra=None):
    return run(["ip", "netns", "exec", NS, "bash", script, *args], env_extra)


def make_interface():
    """rvtest0 in the namespace, up, with 10.99.0.1/24; which kind was created."""
    if ns("ip", "link", "add", "rvtest0", "type", "dummy", check=False).returncode == 0:
        kind = "dummy"
    else:
        r = ns("ip", "link", "add", "rvtest0", "type", "veth", "peer", "name", "rvpeer0", check=False)
        if r.returncode != 0:
            skip(f"cannot create a dummy or veth interface in a namespace: {r.stderr.strip()}")
        ns("ip", "link", "set", "rvpeer0", "up")
        kind = "veth"
    ns("ip", "link", "set", "lo", "up")
    ns("ip", "addr", "add", "10.99.0.1/24", "dev", "rvtest0")
    ns("ip", "link", "set", "rvtest0", "up")
    return kind


def refuse_mode():
    r = subprocess.run(["ip", "netns", "add", NS], capture_output=True, text=True)
    if r.returncode != 0:
        skip(f"cannot create a network namespace (root and CAP_SYS_ADMIN needed): {r.stderr.strip()}")
    try:
        kind = make_interface()
        print(f"rvtest0 is a {kind} interface in namespace {NS}")

        ns("ip", "route", "add", "default", "via", "10.99.0.254", "dev", "rvtest0")
        r = bind_nic("rvtest0")
        expect(r.returncode == 3, f"default route: exit {r.returncode}, expected 3 ({r.stderr!r})")
        expect("refusing rvtest0" in r.stderr and "rvtest0 carries the default route" in r.stderr,
               f"default route: {r.stderr!r}")

        r = bind_nic("--force", "rvtest0")
        expect("--force" in r.stderr and "warning" in r.stderr, f"--force does not warn: {r.stderr!r}")
        expect(r.returncode == 1 and "not a PCI network device" in r.stderr,
               f"--force does not get past the check: exit {r.returncode} {r.stderr!r}")
        ns("ip", "route", "del", "default")

        r = bind_nic("rvtest0", env_extra={"SSH_CONNECTION": "10.99.0.7 50022 10.99.0.1 22"})
        expect(r.returncode == 3 and "carries the SSH session from 10.99.0.7" in r.stderr,
               f"SSH session: exit {r.returncode} {r.stderr!r}")

        r = bind_nic("rvtest0")
        expect("refusing" not in r.stderr, f"refused without route or session: {r.stderr!r}")
        expect(r.returncode == 1 and "not a PCI network device" in r.stderr,
               f"clean interface: exit {r.returncode} {r.stderr!r}")

        if ns("ip", "link", "add", "rvbr0", "type", "bridge", check=False).returncode == 0:
            ns("ip", "addr", "del", "10.99.0.1/24", "dev", "rvtest0")
            ns("ip", "link", "set", "rvtest0", "master", "rvbr0")
            ns("ip", "addr", "add", "10.99.0.1/24", "dev", "rvbr0")
            ns("ip", "link", "set", "rvbr0", "up")
            ns("ip", "route", "add", "default", "via", "10.99.0.254", "dev", "rvbr0")
            r = bind_nic("rvtest0")
            expect(r.returncode == 3 and "rvbr0 carries the default route" in r.stderr,
                   f"bridge member: exit {r.returncode} {r.stderr!r}")
        else:
            print("no bridge support: bridge-member check not run")
    finally:
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    finish()


usage_mode() if mode == "usage" else refuse_mode()
