#!/usr/bin/env bash
# Benchmark (not a test): adding a folder of many small files at once, as after copying a phone's photos,
# against `restic backup` of the same folder, and against two floors written by hand: each file written and
# fsynced, and what the vault's objects alone cost the kernel (each file an O_TMPFILE, written, linked at
# a name under a two-hex-digit subfolder, then one syncfs), in one run.
#
#   bash Benchmarks/many-files.sh [COUNT] [SIZE_BYTES]      (default 10000 files of 2048 bytes)
#
# Target (issue 8, item 12): casevault add at most 2x `restic backup`; peak RSS at most 64 MiB at 10,000
# files; every item durable before the commit that records it (tested, not measured here).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
count=${1:-10000}
size=${2:-2048}
runs=${RUNS:-3}
size_mib=1
source Benchmarks/common.sh
command -v restic >/dev/null || { apt-get update && apt-get install -y restic; }
cd "$work"
printf 'bench passphrase, not secret\n' > pass && chmod 600 pass
export CASEVAULT_PASSPHRASE_FILE="$work/pass" RESTIC_PASSWORD_FILE="$work/pass" CASEVAULT_AGENT_DIR="$work/agent"
trap '"$bin" lock --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir many
python3 - "$count" "$size" <<'PY'
import os, sys
count, size = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    with open(f"many/photo-{i:05d}.jpg", "wb") as f:
        f.write(os.urandom(size))
PY

# Each run gets a fresh vault and a fresh restic repository, so both do the whole job every time. The
# previous run's files are moved aside, not deleted, until the end: on a file system that checks recently
# freed inodes before reusing them (ext4 without a journal, as here), deleting 10,000 files just before a
# run makes that run's 10,000 new files several times slower to create (Docs/PERFORMANCE.md).
mkdir -p aside
aside() { echo "[ -e $1 ] && mv $1 $work/aside/\$(date +%s%N) || true"; }
cat > setup-vault.sh <<SH
set -e
$(aside "$work/vault")
"$bin" init --vault "$work/vault" --admin ana --new-passphrase-file "$work/pass" >/dev/null
"$bin" member add lucia --vault "$work/vault" --role lawyer --as ana --new-passphrase-file "$work/pass" >/dev/null
"$bin" lock --all >/dev/null 2>&1 || true
"$bin" unlock --vault "$work/vault" --as lucia --for 2h >/dev/null
"$bin" case create PHOTOS --vault "$work/vault" --as lucia >/dev/null
SH
# The kernel's share of the vault's own object writes, with no crypto: the same files, each an unnamed
# O_TMPFILE in the destination, written, linked at a content-like name in one of 256 subfolders, then one
# syncfs for all (as `add` does for a batch).
cat > objects-floor.py <<'PY'
import ctypes, hashlib, os, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst + "/tmp", exist_ok=True)
libc = ctypes.CDLL(None, use_errno=True)
for name in sorted(os.listdir(src)):
    with open(os.path.join(src, name), "rb") as f:
        data = f.read()
    fd = os.open(dst + "/tmp", os.O_TMPFILE | os.O_WRONLY, 0o600)
    os.write(fd, data)
    digest = hashlib.sha256(data).hexdigest()
    folder = f"{dst}/{digest[:2]}"
    if not os.path.isdir(folder):
        os.mkdir(folder, 0o700)
    # linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, name, AT_SYMLINK_FOLLOW), as the vault does.
    if libc.linkat(-100, f"/proc/self/fd/{fd}".encode(), -100, f"{folder}/{digest}".encode(), 0x400) != 0:
        raise OSError(ctypes.get_errno(), "linkat")
    os.close(fd)
fd = os.open(dst, os.O_RDONLY)
libc.syncfs(fd)
os.close(fd)
PY
cat > by-hand.py <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    with open(os.path.join(src, name), "rb") as f:
        data = f.read()
    fd = os.open(os.path.join(dst, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
PY

echo "== $count files of $size bytes, $runs runs each, $(nproc) cores; casevault (release) vs restic $(restic version | cut -d' ' -f2)"
hyperfine --runs "$runs" --export-json many.json \
    -n casevault-add --prepare "bash $work/setup-vault.sh" \
    "$bin add PHOTOS $work/many/ --vault $work/vault --readers lawyer --as lucia" \
    -n restic-backup --prepare "$(aside "$work/repo"); restic init --repo $work/repo >/dev/null" \
    "restic backup --repo $work/repo --quiet $work/many" \
    -n fsync-each-by-hand --prepare "$(aside "$work/copy")" "python3 $work/by-hand.py $work/many $work/copy" \
    -n objects-floor --prepare "$(aside "$work/floor")" "python3 $work/objects-floor.py $work/many $work/floor"

bash "$work/setup-vault.sh"
rss=$(python3 "$repo/Benchmarks/peak-rss.py" "$bin" add PHOTOS "$work/many/" --vault "$work/vault" --readers lawyer --as lucia)
"$bin" lock --all >/dev/null 2>&1 || true
eval "$(aside "$work/repo")"; restic init --repo "$work/repo" >/dev/null
restic_rss=$(python3 "$repo/Benchmarks/peak-rss.py" restic backup --repo "$work/repo" --quiet "$work/many")

python3 - "$rss" "$restic_rss" "$count" <<'PY'
import json, sys
rss, restic_rss, count = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
m = {r["command"]: r for r in json.load(open("many.json"))["results"]}
a, r, h, f = m["casevault-add"], m["restic-backup"], m["fsync-each-by-hand"], m["objects-floor"]
print(f"add a folder of {count} files: casevault {a['mean']:.2f}s ±{a['stddev']:.2f} "
      f"(user {a['user']:.2f}s, sys {a['system']:.2f}s), restic backup {r['mean']:.2f}s ±{r['stddev']:.2f}, "
      f"fsync each by hand {h['mean']:.2f}s, objects alone (O_TMPFILE + link + syncfs) {f['mean']:.2f}s")
print(f"ratio to restic: {a['mean']/r['mean']:.2f}x (target <= 2x)")
print(f"peak RSS: casevault add {rss:.1f} MiB (target <= 64 MiB), restic backup {restic_rss:.1f} MiB")
PY
