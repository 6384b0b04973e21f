#!/usr/bin/env python3
"""Compiles one RV_CASE of registry_cases.cpp and checks it fails (or, for case 0, succeeds)
with the expected diagnostic. Usage: compile_fail.py CASE EXPECTED SOURCE SRCROOT -- COMPILER..."""
import subprocess
import sys


def main() -> int:
    sep = sys.argv.index("--")
    case, expected, source, root = sys.argv[1:sep]
    compiler = sys.argv[sep + 1:]
    cflags = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True,
                            text=True, check=True).stdout.split()
    cflags = [f.replace("-I", "-isystem", 1) if f.startswith("-I") else f for f in cflags]
    cmd = compiler + ["-std=c++23", "-fsyntax-only", f"-DRV_CASE={case}", f"-I{root}",
                      *cflags, source]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if case == "0":
        if proc.returncode != 0:
            print(proc.stderr[-4000:])
            print("FAIL: the control case does not compile")
            return 1
        return 0
    if proc.returncode == 0:
        print(f"FAIL: case {case} compiled but must not ({expected})")
        return 1
    if expected not in proc.stderr:
        print(proc.stderr[-4000:])
        print(f"FAIL: case {case} failed without the expected message: {expected}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
