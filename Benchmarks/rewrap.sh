#!/usr/bin/env bash
# Benchmark (not a test): `casevault keys rotate --role lawyer --rewrap` over ITEMS items, against the X25519
# rate of `openssl speed` measured in the same run.
#
# Each item is an age header plus sealed metadata (its own age header): rewrapping one takes three X25519
# operations per header (unwrap the old stanza; make the ephemeral key; agree with the new key), six per
# item. The issue's limit counts three per item: rate x cores / 3; target at least half of it. The ratio
# to the raw rate (six operations per item) is printed too.
#
#   bash Benchmarks/rewrap.sh [ITEMS] [KEEP]     (default 100000; KEEP: a folder to keep the built vault in)
#
# The vault (ITEMS items in batches of 10,000, each wrapped to the lawyer role only, one case) takes minutes
# to build. With KEEP, the first run saves it there (vault, member state, passphrase) and later runs copy it
# back instead of building it again, so a rewrap can be measured several times on the same vault.
# The run is also measured with `perf stat` (CPU time, task-clock); `uptime` is printed before and after,
# because the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-100000}
keep=${2:-}
size_mib=1
source Benchmarks/common.sh
cd "$work"
export HOME="$work/home" CASEVAULT_PASSPHRASE_FILE="$work/pass" CASEVAULT_AGENT_DIR="$work/agent" CASEVAULT_DIR="$work/v"
trap '"$bin" lock --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if [ -n "$keep" ] && [ -f "$keep/built-$items" ]; then
    cp -a "$keep/v" "$keep/home" "$keep/pass" "$work/"
    added=$(cat "$keep/built-$items")
else
    printf 'bench passphrase, not secret\n' > pass && chmod 600 pass
    mkdir -p "$HOME"
    "$bin" init --admin ana --new-passphrase-file pass >/dev/null
    "$bin" member add lucia --role lawyer --as ana --new-passphrase-file pass >/dev/null
    "$bin" member add pedro --as ana --new-passphrase-file pass >/dev/null
    "$bin" unlock --as lucia --for 2h >/dev/null
    "$bin" role grant lawyer pedro --as lucia >/dev/null
    "$bin" case create BIG --as lucia >/dev/null
    mkdir batch
    python3 -c '
import os, sys
n = min(10000, int(sys.argv[1]))
for i in range(n): open(f"batch/f-{i:05d}", "wb").write(os.urandom(64))' "$items"
    added=0
    while [ "$added" -lt "$items" ]; do
        "$bin" add BIG batch --readers lawyer --as lucia >/dev/null
        added=$((added + $(ls batch | wc -l)))
    done
    "$bin" lock --all >/dev/null
    rm -rf batch
    if [ -n "$keep" ]; then
        rm -rf "$keep" && mkdir -p "$keep"
        cp -a v home pass "$keep/" && echo "$added" > "$keep/built-$items"
    fi
fi
"$bin" unlock --as lucia --for 2h >/dev/null
"$bin" unlock --as ana --for 2h >/dev/null
"$bin" keys rotate --role lawyer --as ana >/dev/null
cores=$(nproc)
x25519=$(openssl speed -seconds 3 ecdhx25519 2>/dev/null | awk '/\(X25519\)/ {print $NF}' | tail -1)
echo "== $added items, $cores cores; openssl speed ecdhx25519: $x25519 op/s per core"
echo "load before: $(uptime)"
start=$(date +%s.%N)
perf stat -o perf-stat.txt -e task-clock "$bin" keys rotate --role lawyer --rewrap --as lucia
end=$(date +%s.%N)
echo "load after:  $(uptime)"
cpu=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' perf-stat.txt)
python3 - "$added" "$x25519" "$cores" "$start" "$end" "$cpu" <<'PY'
import sys
n, x, cores, start, end, cpu = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
secs = end - start
rate = n / secs
limit = x * cores / 3
print(f"keys rotate --rewrap: {secs:.1f} s for {n} items = {rate:.0f} items/s; "
      f"limit {x:.0f} x {cores} / 3 = {limit:.0f} items/s -> {rate/limit:.2f}x (target >= 0.5x)")
print(f"CPU time (task-clock): {cpu/1000:.1f} s = {cpu*1000/n:.0f} us per item; the six X25519 operations of an "
      f"item alone take {6e6/x:.0f} us at openssl speed's rate")
print(f"six X25519 operations per item (header and metadata): {6*rate/(x*cores):.2f}x of the raw rate of {cores} cores")
PY
