#!/usr/bin/env bash
# Benchmark (not a test): this checkout against an earlier commit, side by side in one run on the same
# files, so that a refactor shows any regression beyond noise (add and get of SIZE_MIB, add of many small
# files, list).
#
#   bash Benchmarks/compare-commits.sh REV [SIZE_MIB]      (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
rev=${1:?give the commit to compare with}
size_mib=${2:-1024}
runs=${RUNS:-5}
source Benchmarks/common.sh
base_src="$work/base-src"
git -C "$repo" worktree add --detach "$base_src" "$rev" >/dev/null 2>&1
trap '"$bin" lock --all >/dev/null 2>&1 || true; git -C "$repo" worktree remove --force "$base_src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
(cd "$base_src" && swift build -c release --static-swift-stdlib --product casevault >&2)
base=$(cd "$base_src" && swift build -c release --static-swift-stdlib --show-bin-path)/casevault

cd "$work"
printf 'bench passphrase, not secret\n' > pass && chmod 600 pass
export CASEVAULT_PASSPHRASE_FILE="$work/pass" CASEVAULT_AGENT_DIR="$work/agent"
mkdir many
python3 -c '
import os
for i in range(2000):
    open(f"many/n-{i:05d}.txt", "wb").write(os.urandom(2048))'
for name in new old; do
    b=$bin; [ "$name" = old ] && b=$base
    "$b" init --vault "$work/v-$name" --admin ana --new-passphrase-file pass >/dev/null
    "$b" member add lucia --vault "$work/v-$name" --role lawyer --as ana --new-passphrase-file pass >/dev/null
    "$b" unlock --vault "$work/v-$name" --as lucia --for 2h >/dev/null
    "$b" case create B-1 --vault "$work/v-$name" --as lucia >/dev/null
    "$b" case create B-2 --vault "$work/v-$name" --as lucia >/dev/null
done
echo "== this checkout (new) vs $rev (old), ${size_mib} MiB, $runs runs each, $(nproc) cores"
hyperfine --warmup 1 --runs "$runs" --export-json add.json \
    -n add-new "$bin add B-1 $work/plain --vault $work/v-new --readers lawyer --as lucia" \
    -n add-old "$base add B-1 $work/plain --vault $work/v-old --readers lawyer --as lucia"
item_new=$("$bin" list B-1 --vault "$work/v-new" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
item_old=$("$base" list B-1 --vault "$work/v-old" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
hyperfine --warmup 1 --runs "$runs" --export-json get.json \
    -n get-new "rm -f $work/o-new && $bin get $item_new -o $work/o-new --vault $work/v-new --as lucia" \
    -n get-old "rm -f $work/o-old && $base get $item_old -o $work/o-old --vault $work/v-old --as lucia"
cmp "$work/o-new" "$work/plain"
hyperfine --runs 3 --export-json many.json \
    -n many-new "$bin add B-2 $work/many/* --vault $work/v-new --readers lawyer --as lucia" \
    -n many-old "$base add B-2 $work/many/* --vault $work/v-old --readers lawyer --as lucia"
hyperfine --warmup 2 --runs 10 --export-json list.json \
    -n list-new "$bin list B-2 --vault $work/v-new" -n list-old "$base list B-2 --vault $work/v-old"
rss_new=$(python3 "$repo/Benchmarks/peak-rss.py" "$bin" add B-1 "$work/plain" --vault "$work/v-new" --readers lawyer --as lucia)
rss_old=$(python3 "$repo/Benchmarks/peak-rss.py" "$base" add B-1 "$work/plain" --vault "$work/v-old" --readers lawyer --as lucia)
"$bin" lock --all >/dev/null 2>&1 || true
python3 - "$rss_new" "$rss_old" <<'PY'
import json, sys
for name in ["add", "get", "many", "list"]:
    r = {x["command"]: x for x in json.load(open(f"{name}.json"))["results"]}
    n, o = r[f"{name}-new"], r[f"{name}-old"]
    print(f"{name}: new {n['mean']:.3f}s ±{n['stddev']:.3f}, old {o['mean']:.3f}s ±{o['stddev']:.3f} "
          f"-> new/old {n['mean']/o['mean']:.2f}x")
print(f"peak RSS of add: new {float(sys.argv[1]):.1f} MiB, old {float(sys.argv[2]):.1f} MiB")
PY
