#!/usr/bin/env bash
# Benchmark (not a test): chain of custody at scale, each side by side with `sha256sum -c` of the same
# bytes in the same run:
#   - `custody report CASE` (json and html) for a case of ITEMS small items (every event re-read from the
#     log, checked against the verified tree, and given an inclusion proof), against `sha256sum -c` of the
#     items' plaintexts;
#   - `export ITEM --bundle DIR` of one SIZE_MIB item (export, events, proofs, SHA-256 and SHA-512
#     manifests), and `verify-bundle DIR`, against `sha256sum -c manifest-sha256.txt` of that bundle.
#
#   bash Benchmarks/custody.sh [ITEMS] [SIZE_MIB]      (default 1000 and 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-1000}
size_mib=${2:-1024}
source Benchmarks/common.sh
cd "$work"
printf 'bench passphrase, not secret\n' > pass && chmod 600 pass
export HOME="$work/home" CASEVAULT_PASSPHRASE_FILE="$work/pass" CASEVAULT_AGENT_DIR="$work/agent"
export CASEVAULT_DIR="$work/vault" CASEVAULT_AS=lucia
mkdir -p "$HOME"
trap '"$bin" lock --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$bin" init --admin ana --new-passphrase-file pass >/dev/null
"$bin" member add lucia --role lawyer --as ana --new-passphrase-file pass >/dev/null
"$bin" unlock --for 2h >/dev/null
"$bin" case create MANY >/dev/null
"$bin" case create BIG >/dev/null
mkdir batch
python3 -c "
import os
for i in range($items): open(f'batch/f-{i:05d}', 'wb').write(os.urandom(64))"
"$bin" add MANY batch/* --readers lawyer --origin team --method original >/dev/null
(cd batch && sha256sum -- * > ../batch.sha256)
big=$("$bin" add BIG plain --readers lawyer --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo "== custody report of a case of $items items, against sha256sum -c of their plaintexts"
hyperfine --warmup 1 --runs 5 \
    "$bin custody report MANY --format json > /dev/null" \
    "$bin custody report MANY --format html > /dev/null" \
    "cd batch && sha256sum --quiet -c ../batch.sha256"
echo "== export --bundle of a $size_mib MiB item, then verify-bundle, against sha256sum -c of the bundle"
hyperfine --runs 3 --prepare "rm -rf bundle" "$bin export $big --to $recipient --bundle bundle"
"$bin" export "$big" --to "$recipient" --bundle kept >/dev/null
hyperfine --runs 3 \
    "$bin verify-bundle kept" \
    "cd kept && sha256sum --quiet -c manifest-sha256.txt" \
    "cd kept && sha512sum --quiet -c manifest-sha512.txt"
