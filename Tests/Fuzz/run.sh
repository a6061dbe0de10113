#!/usr/bin/env bash
# Builds CaseVault's fuzzers with libFuzzer and AddressSanitizer and runs each for a fixed number of inputs,
# seeded from corpus/<fuzzer>/. Fails if any fuzzer reports a crash, a hang, a leak or a sanitizer error; the
# input that did it is kept as artifacts/<fuzzer>-crash-… (or leak-, timeout-, oom-).
#   Tests/Fuzz/run.sh [RUNS]    RUNS inputs per fuzzer, 20000 by default
# Not part of `swift test`: an instrumented build of the whole core and these runs take minutes.
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-20000}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RUNS]" >&2; exit 64; }

# Each fuzzer with the largest input worth trying: a little over the largest real input of its kind.
fuzzers=(
    FuzzAgeHeader:4096
    FuzzArmor:4096
    FuzzSignedNote:2048
    FuzzProofText:4096
    FuzzLogEntry:2048
    FuzzPublicCard:2048
    FuzzKeyFile:1024
    FuzzRecoveryShare:1024
)

bash ../../.ci/setup
flags=(-Xswiftc -sanitize=fuzzer,address)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The gold linker warns once per AddressSanitizer helper symbol; the log is shown only when the build fails.
echo "building the fuzzers (-sanitize=fuzzer,address)…"
swift build "${flags[@]}" >"$work/build.log" 2>&1 || { grep -v 'Cannot export local symbol' "$work/build.log"; exit 1; }
bin="$(swift build "${flags[@]}" --show-bin-path)"

mkdir -p artifacts
failed=0
for entry in "${fuzzers[@]}"; do
    name="${entry%%:*}"
    maxLength="${entry##*:}"
    # New inputs go to a scratch folder listed first, so the committed seeds stay as they are.
    mkdir -p "$work/$name"
    log="$work/$name.log"
    start=$SECONDS
    # Swift's own backtracer would run inside AddressSanitizer's signal handler and trip it, hiding the real
    # report; libFuzzer prints the stack instead.
    status=0
    SWIFT_BACKTRACE=enable=no "$bin/$name" -runs="$runs" -max_len="$maxLength" -timeout=10 -rss_limit_mb=2048 -seed=1 \
        -print_final_stats=1 -artifact_prefix="artifacts/$name-" "$work/$name" "corpus/$name" >"$log" 2>&1 \
        || status=$?
    seconds=$((SECONDS - start))
    done=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    coverage=$(sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/cov \1, ft \2, corpus \3/p' <<<"$done")
    if [ "$status" -eq 0 ]; then
        echo "$name: ok, $runs runs in ${seconds}s, ${coverage:-no stats}"
    else
        failed=1
        echo "$name: FAILED (exit $status) after ${seconds}s; $(grep -Eo 'artifacts/[^ ]+' "$log" | tail -1)"
        grep -E 'ERROR|Fatal error|Precondition failed|SUMMARY' "$log" | head -5 | sed 's/^/    /'
    fi
done
exit "$failed"
