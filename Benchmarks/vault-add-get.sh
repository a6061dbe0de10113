#!/usr/bin/env bash
# Benchmark (not a test): `casevault add` and `get` against the by-hand way (age + openssl dgst) and the
# disk's limit (an fsynced dd copy), side by side in one run on the same file; `list` on 10,000 items.
#
#   bash Benchmarks/vault-add-get.sh [SIZE_MIB]      (default 1024, i.e. 1 GiB)
#
# Targets (issue 3): add <= 0.7x the by-hand time and <= 1.3x the fsync copy; get <= 0.8x `age -d`;
# peak RSS <= 64 MiB; `list` of a 10,000-item vault under 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
size_mib=${1:-1024}
runs=${RUNS:-3}
items=${ITEMS:-10000}

source Benchmarks/common.sh
cd "$work"
printf 'bench passphrase, not secret\n' > pass
export CASEVAULT_DIR="$work/vault" CASEVAULT_PASSPHRASE_FILE="$work/pass"

# A vault with an admin and a lawyer; the benchmark acts as the lawyer, whose key (scrypt work factor 18)
# is opened once by `casevault unlock`, as a lawyer starts the day. `unlock-only` times that opening.
export CASEVAULT_AGENT_DIR="$work/agent"
trap '"$bin" lock --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$bin" init --admin ana --new-passphrase-file pass >/dev/null
"$bin" member add lucia --role lawyer --as ana --new-passphrase-file pass >/dev/null
"$bin" unlock --as lucia --for 2h >/dev/null
"$bin" case create BENCH-1 --as lucia >/dev/null
"$bin" case create BENCH-2 --as lucia >/dev/null

echo "== ${size_mib} MiB, $runs runs each, $(nproc) cores; casevault (release) vs age $(age --version) + openssl dgst, dd"
hyperfine --warmup 1 --runs "$runs" --export-json add.json \
    -n by-hand "age -r $recipient -o $work/byhand.age $work/plain && openssl dgst -sha256 $work/plain" \
    -n fsync-copy "dd if=$work/plain of=$work/copy bs=1M conv=fsync status=none" \
    -n casevault-add "$bin add BENCH-1 $work/plain --readers lawyer --as lucia" \
    -n unlock-only "$bin case list --as lucia --no-agent"

item=$("$bin" list BENCH-1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
age -r "$recipient" -o "$work/ref.age" "$work/plain"
hyperfine --warmup 1 --runs "$runs" --export-json get.json \
    -n age-d "age -d -i $work/key -o $work/out-age $work/ref.age" \
    -n casevault-get "rm -f $work/out-cv && $bin get $item -o $work/out-cv --as lucia"
cmp "$work/out-cv" "$work/plain"

rm -f "$work/out-cv"
rss_add=$(python3 "$repo/Benchmarks/peak-rss.py" "$bin" add BENCH-1 "$work/plain" --readers lawyer --as lucia)
rss_get=$(python3 "$repo/Benchmarks/peak-rss.py" "$bin" get "$item" -o "$work/out-cv" --as lucia)

mkdir many
python3 - "$items" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    with open(f"many/note-{i:05d}.txt", "w") as f:
        f.write(f"fictitious note {i}\n")
PY
"$bin" add BENCH-2 many/* --readers lawyer --as lucia >/dev/null
hyperfine --warmup 2 --runs 10 --export-json list.json \
    -n "list $items items" "$bin list BENCH-2" \
    -n "list $items items --json" "$bin list BENCH-2 --json"

python3 - "$size_mib" "$rss_add" "$rss_get" <<'PY'
import json, sys
size, rss_add, rss_get = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
def means(name):
    return {r["command"]: r["mean"] for r in json.load(open(f"{name}.json"))["results"]}
add, get, lst = means("add"), means("get"), means("list")
a, h, d, u = add["casevault-add"], add["by-hand"], add["fsync-copy"], add["unlock-only"]
print(f"add:  casevault {a:.2f}s, by-hand {h:.2f}s, fsync copy {d:.2f}s -> {a/h:.2f}x by-hand (target <= 0.7x), "
      f"{a/d:.2f}x fsync copy (target <= 1.3x)")
print(f"      (member key held by `casevault unlock`; opening it with the passphrase instead costs {u:.2f}s "
      f"once per unlock, or per command with --no-agent)")
g, ad = get["casevault-get"], get["age-d"]
print(f"get:  casevault {g:.2f}s, age -d {ad:.2f}s -> {g/ad:.2f}x (target <= 0.8x)")
print(f"peak RSS: add {rss_add:.1f} MiB, get {rss_get:.1f} MiB (target <= 64 MiB)")
for name, t in lst.items():
    print(f"{name}: {t*1000:.0f} ms (target < 100 ms)")
PY
