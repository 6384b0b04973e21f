#!/usr/bin/env python3
"""`meson install --destdir` holds what an operator installs, and systemd accepts the unit.

Installs the build into a temporary DESTDIR (no rebuild) and checks: the binary; the config
generated from --print-default-config (and that the installed binary accepts it); the example
configs; the systemd unit (Type=notify, watchdog, dedicated user with capabilities, paths of this
install), its sysusers.d user and the VFIO udev rule; the Grafana dashboard and alert rules; the
rvoipd(8) man page (rendered by groff without a warning, and by man -l); the bash completion
(parses, completes options, choices and config keys). `systemd-analyze verify` must accept the
unit without a single warning, with the man page found in the DESTDIR: systemd checks that
executables exist, so the copy it verifies has its ExecStart paths moved into the DESTDIR; every
other line is the installed one. No running systemd is needed.

Usage: install_test.py BUILD_DIR SOURCE_DIR BINDIR SYSCONFDIR DATADIR MANDIR LIBDIR
(absolute install paths, as meson resolves them).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

build, source, bindir, etc, datadir, mandir, libdir, pkglibdir = sys.argv[1:9]
failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)
    return ok


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)




def installed(dest, path):
    return dest + path


def check_files(dest):
    files = {
        "binary": f"{bindir}/rvoipd",
        "config": f"{etc}/rvoipd/rvoipd.yaml",
        "man page": f"{mandir}/man8/rvoipd.8",
        "unit": f"{libdir}/systemd/system/rvoipd.service",
        "sysusers": f"{libdir}/sysusers.d/rvoipd.conf",
        "udev rule": f"{libdir}/udev/rules.d/60-rvoipd-vfio.rules",
        "dashboard": f"{datadir}/rvoipd/grafana-dashboard.json",
        "alert rules": f"{datadir}/rvoipd/rvoip-alerts.yml",
        "completion": f"{datadir}/bash-completion/completions/rvoipd",
        # civetweb's TLS with OpenSSL 3 (control/admin/civetweb_lib*_shim.cpp)
        "libcrypto shim": f"{pkglibdir}/librvoipd-civetweb-libcrypto.so",
        "libssl shim": f"{pkglibdir}/librvoipd-civetweb-libssl.so",
    }
    for what, path in files.items():
        expect(os.path.isfile(installed(dest, path)), f"{what} not installed at {path}")
    expect(os.access(installed(dest, files["binary"]), os.X_OK), "binary not executable")
    examples = sorted(os.path.basename(p) for p in glob.glob(f"{source}/config/examples/*.yaml"))
    got = sorted(os.path.basename(p) for p in glob.glob(installed(dest, f"{datadir}/rvoipd/examples/*.yaml")))
    expect(examples and got == examples, f"examples installed {got}, expected {examples}")


def check_config(dest):
    binary = installed(dest, f"{bindir}/rvoipd")
    config = installed(dest, f"{etc}/rvoipd/rvoipd.yaml")
    reference = run([binary, "--print-default-config"]).stdout
    with open(config) as f:
        expect(f.read() == reference, "installed config differs from --print-default-config")
    r = run([binary, "--config", config, "--check-config"])
    expect(r.returncode == 0 and "config OK" in r.stdout,
           f"the installed binary rejects the installed config: {r.stdout}{r.stderr}")


def unit_values(text):
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            values.setdefault(m.group(1), []).append(m.group(2))
    return values


def check_unit(dest):
    unit_path = installed(dest, f"{libdir}/systemd/system/rvoipd.service")
    with open(unit_path) as f:
        text = f.read()
    v = unit_values(text)
    expected = {
        "Type": ["notify"],
        "NotifyAccess": ["main"],
        "User": ["rvoipd"],
        "LimitMEMLOCK": ["infinity"],
        "ExecReload": ["/bin/kill -HUP $MAINPID"],
        "ExecStart": [f"{bindir}/rvoipd --config {etc}/rvoipd/rvoipd.yaml"],
    }
    for key, want in expected.items():
        expect(v.get(key) == want, f"unit {key}={v.get(key)}, expected {want}")
    expect("WatchdogSec" in v, "unit has no WatchdogSec=")
    for cap in ["CAP_IPC_LOCK", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SYS_RAWIO", "CAP_SYS_NICE"]:
        for key in ["AmbientCapabilities", "CapabilityBoundingSet"]:
            expect(cap in " ".join(v.get(key, [])), f"unit {key} lacks {cap}")
    with open(installed(dest, f"{libdir}/sysusers.d/rvoipd.conf")) as f:
        expect(re.search(r"^u\s+rvoipd\s", f.read(), re.M), "sysusers.d file does not create user rvoipd")

    analyze = shutil.which("systemd-analyze")
    if not expect(analyze, "systemd-analyze missing (package systemd, scripts/install-deps.sh)"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "rvoipd.service")
        with open(copy, "w") as f:
            f.write(text.replace(f"={bindir}/rvoipd ", f"={dest}{bindir}/rvoipd "))
        env = dict(os.environ, MANPATH=installed(dest, mandir), SYSTEMD_LOG_COLOR="0")
        r = run([analyze, "verify", copy], env=env, cwd=tmp)
        expect(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
               f"systemd-analyze verify (rc {r.returncode}): {r.stdout}{r.stderr}")
    sysusers = shutil.which("systemd-sysusers")
    if sysusers:
        r = run([sysusers, "--dry-run", f"--root={dest}", installed(dest, f"{libdir}/sysusers.d/rvoipd.conf")])
        expect(r.returncode == 0 and "rvoipd" in r.stdout + r.stderr,
               f"systemd-sysusers --dry-run: rc {r.returncode} {r.stdout}{r.stderr}")


def check_man(dest):
    page = installed(dest, f"{mandir}/man8/rvoipd.8")
    with open(page) as f:
        text = f.read()
    expect(".TH RVOIPD 8" in text, "man page has no .TH RVOIPD 8")
    for needed in [r"\-\-print\-default\-config", "dataplane.workers", "SIGHUP", "WATCHDOG_USEC",
                   f"{etc}/rvoipd/rvoipd.yaml"]:
        expect(needed in text, f"man page does not mention {needed}")
    # Every option of --help and every config key (as the completion lists them) is documented.
    binary = installed(dest, f"{bindir}/rvoipd")
    for opt in re.findall(r"^\s+(?:-\w,)?(--[\w-]+)", run([binary, "--help"]).stdout, re.M):
        expect(opt.replace("-", r"\-") in text, f"man page does not document {opt}")
    with open(installed(dest, f"{datadir}/bash-completion/completions/rvoipd")) as f:
        keys = re.search(r'keys="([^"]*)"', f.read())
    expect(keys and len(keys.group(1).split()) > 50, "completion lists no config keys")
    for key in (keys.group(1).split() if keys else []):
        expect(f"\\fB{key[:-1]}\\fR = " in text, f"man page does not document {key[:-1]}")
    if shutil.which("groff"):
        r = run(["groff", "-man", "-Tutf8", "-ww", "-z", page])
        expect(r.returncode == 0 and not r.stderr.strip(), f"groff warns on the man page: {r.stderr}")
    if shutil.which("man"):
        r = run(["man", "-l", page], env=dict(os.environ, MANWIDTH="100"))
        expect(r.returncode == 0 and "kernel-bypass VoIP" in r.stdout and "SIGNALS" in r.stdout,
               f"man -l cannot render the page: rc {r.returncode} {r.stderr}")


def complete(script, words):
    """COMPREPLY of _rvoipd for the command line `words` (the last one being completed)."""
    line = " ".join(f"'{w}'" for w in words)
    prog = (f"compopt() {{ :; }}; source '{script}'; COMP_WORDS=({line}); "
            f"COMP_CWORD={len(words) - 1}; _rvoipd; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    return run(["bash", "--norc", "-c", prog]).stdout.split()


def check_completion(dest):
    script = installed(dest, f"{datadir}/bash-completion/completions/rvoipd")
    r = run(["bash", "-n", script])
    expect(r.returncode == 0, f"completion does not parse: {r.stderr}")
    expect(complete(script, ["rvoipd", "--spe"]) == ["--speed"], "--spe does not complete to --speed")
    expect(complete(script, ["rvoipd", "--speed", ""]) == ["max", "realtime"], "--speed choices")
    keys = complete(script, ["rvoipd", "--set", "dataplane.work"])
    expect(keys == ["dataplane.workers="], f"--set dataplane.work completes to {keys}")
    expect(complete(script, ["rvoipd", "--", "--v"]) == [], "completes EAL arguments after --")


with tempfile.TemporaryDirectory() as dest:
    r = run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"])
    if r.returncode != 0:
        print(f"meson install failed (rc {r.returncode}):\n{r.stdout}{r.stderr}")
        sys.exit(1)
    check_files(dest)
    if not failures:
        check_config(dest)
        check_unit(dest)
        check_man(dest)
        check_completion(dest)

for f in failures:
    print("FAIL:", f)
print("install: ok" if not failures else f"install: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
