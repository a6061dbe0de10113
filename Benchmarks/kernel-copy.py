#!/usr/bin/env python3
"""The copy under an incremental backup, by itself (Docs/PERFORMANCE.md, "Incremental backup, session 8").

    python3 Benchmarks/kernel-copy.py OBJECT [ROUNDS]

Copies OBJECT (a vault object; any file) into a new file beside it, ROUNDS times for each way, alternating:
`plain`, sendfile in 8 MiB calls then one fsync (a real copy, as `casevault backup` makes); `writeback`, the same with each chunk's writeback
started at once (sync_file_range SYNC_FILE_RANGE_WRITE), as `casevault backup` does. The source is read once
and `sync` run before each copy, so every copy starts with the source in the page cache and nothing dirty.
Prints the copy time, the fsync time and their sum, in milliseconds.
"""
import ctypes
import os
import subprocess
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.sync_file_range.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
SYNC_FILE_RANGE_WRITE = 2
CHUNK = 8 << 20


def copy(source, target, writeback):
    with open(source, "rb") as f:
        while f.read(1 << 20):
            pass
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    fin = os.open(source, os.O_RDONLY)
    fout = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    size = os.fstat(fin).st_size
    offset = 0
    while offset < size:
        n = os.sendfile(fout, fin, None, min(CHUNK, size - offset))
        if n == 0:
            break
        if writeback:
            libc.sync_file_range(fout, offset, n, SYNC_FILE_RANGE_WRITE)
        offset += n
    copied = time.perf_counter()
    os.fsync(fout)
    done = time.perf_counter()
    os.close(fin)
    os.close(fout)
    os.unlink(target)
    return (copied - start) * 1e3, (done - copied) * 1e3


def main():
    source = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    target = source + ".kernel-copy"
    sums = {"plain": 0.0, "writeback": 0.0}
    for _ in range(rounds):
        for way in ("plain", "writeback"):
            c, f = copy(source, target, way == "writeback")
            sums[way] += c + f
            print(f"{way:9} copy {c:5.0f} ms  fsync {f:5.0f} ms  total {c + f:5.0f} ms")
    for way, total in sums.items():
        print(f"{way:9} mean {total / rounds:5.0f} ms")


main()
