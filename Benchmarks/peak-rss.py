#!/usr/bin/env python3
"""Runs a command and prints its peak resident set size in MiB (from the kernel's rusage)."""
import resource
import subprocess
import sys

result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
if result.returncode != 0:
    sys.exit(f"command failed with exit code {result.returncode}: {' '.join(sys.argv[1:])}")
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{peak_kib / 1024:.1f}")
