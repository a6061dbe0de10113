#!/usr/bin/env bash
# Benchmark (not a test): CaseVault's age encryption and decryption against age 1.1.1, side by side in one
# run on the same random file, reported as ratios, plus peak memory.
#
#   bash Benchmarks/age-throughput.sh [SIZE_MIB]      (default 1024, i.e. 1 GiB)
#
# Targets (issue 2): encrypt and decrypt each at least 1.5x age's throughput; peak RSS under 32 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
runs=${RUNS:-5}

source Benchmarks/common.sh
age -e -r "$recipient" -o "$work/ref.age" "$work/plain"

echo "== ${size_mib} MiB, $runs runs each, $(nproc) cores, age $(age --version | head -1) vs casevault (release)"
# Throughput (the target): output to /dev/null, input in the page cache, so the crypto pipelines compare.
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/encrypt.json" \
    -n age "age -e -r $recipient -o /dev/null $work/plain" \
    -n casevault "$bin age encrypt -r $recipient -o /dev/null $work/plain"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/decrypt.json" \
    -n age "age -d -i $work/key -o /dev/null $work/ref.age" \
    -n casevault "$bin age decrypt -i $work/key -o /dev/null $work/ref.age"
# End to end, file to file (informational): casevault also fsyncs its output before renaming it into
# place, which age does not, so this measures the disk as much as the tools.
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/encrypt-file.json" \
    -n age "age -e -r $recipient -o $work/out-age.age $work/plain" \
    -n casevault "$bin age encrypt -r $recipient -o $work/out-cv.age $work/plain"
rm -f "$work/out-cv.plain"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/decrypt-file.json" \
    -n age "age -d -i $work/key -o $work/out-age.plain $work/ref.age" \
    -n casevault "$bin age decrypt -i $work/key -o $work/out-cv.plain $work/ref.age"

cmp "$work/out-cv.plain" "$work/plain"
age -d -i "$work/key" "$work/out-cv.age" | cmp - "$work/plain"

rss_age_enc=$(python3 Benchmarks/peak-rss.py age -e -r "$recipient" -o /dev/null "$work/plain")
rss_cv_enc=$(python3 Benchmarks/peak-rss.py "$bin" age encrypt -r "$recipient" -o /dev/null "$work/plain")
rss_age_dec=$(python3 Benchmarks/peak-rss.py age -d -i "$work/key" -o /dev/null "$work/ref.age")
rss_cv_dec=$(python3 Benchmarks/peak-rss.py "$bin" age decrypt -i "$work/key" -o /dev/null "$work/ref.age")

python3 - "$work" "$size_mib" "$rss_age_enc" "$rss_cv_enc" "$rss_age_dec" "$rss_cv_dec" <<'PY'
import json, sys
work, size = sys.argv[1], int(sys.argv[2])
rss = list(map(float, sys.argv[3:7]))
def means(name):
    data = json.load(open(f"{work}/{name}.json"))["results"]
    return {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in data}  # no stddev for one run
for i, op in enumerate(["encrypt", "decrypt"]):
    for suffix, label in [("", "to /dev/null"), ("-file", "file to file")]:
        m = means(op + suffix)
        (a, sa), (c, sc) = m["age"], m["casevault"]
        target = " (target >= 1.5x)" if suffix == "" else " (informational; casevault fsyncs)"
        print(f"{op} {label}: age {size/a:6.0f} MiB/s ({a:.3f}s ±{sa:.3f})  casevault {size/c:6.0f} MiB/s "
              f"({c:.3f}s ±{sc:.3f})  casevault/age throughput = {a/c:.2f}x{target}")
    print(f"{op}: peak RSS age {rss[2*i]:.1f} MiB, casevault {rss[2*i+1]:.1f} MiB (target < 32 MiB)")
PY
