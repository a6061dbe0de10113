#!/usr/bin/env bash
# Benchmark (not a test): the CPU one `casevault add` of a folder of small files costs, in the command and in
# its unlock agent, for one or more builds in turn (A/B on a shared machine, where wall time is noise and CPU
# time is not).
#
#   bash Benchmarks/add-cpu.sh COUNT ROUNDS BINARY...        e.g. 10000 3 /tmp/before/casevault .build/release/casevault
#
# Each round adds COUNT random files of 2 KB, once per binary, each into a fresh vault (set up as
# Benchmarks/many-files.sh does, agent unlocked, the files read once first so that all come from the page
# cache) and prints the add's wall, user and system time (/usr/bin/time) and the agent's CPU over the add
# (/proc/PID/stat). PERF="perf record -F 1999 --call-graph dwarf,32768 -o FILE --" profiles each add.
set -euo pipefail
count=${1:?COUNT}
rounds=${2:?ROUNDS}
shift 2
work=$(mktemp -d "${TMPDIR:-/var/tmp}/casevault-add-cpu.XXXXXX")
export CASEVAULT_AGENT_DIR="$work/agent" CASEVAULT_PASSPHRASE_FILE="$work/pass"
# The user's verified cache too, so that no run finds another's.
export XDG_STATE_HOME="$work/state"
trap 'for b in "$@"; do "$b" lock --all >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
printf 'bench passphrase, not secret\n' > "$work/pass" && chmod 600 "$work/pass"
mkdir "$work/many" "$work/aside"
python3 - "$count" "$work/many" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    with open(f"{sys.argv[2]}/photo-{i:05d}.jpg", "wb") as f:
        f.write(os.urandom(2048))
PY
# Moved aside, not deleted, until the end: see Benchmarks/many-files.sh on recently freed inodes.
aside() { [ -e "$1" ] && mv "$1" "$work/aside/$(date +%s%N)" || true; }

for round in $(seq "$rounds"); do
    for bin in "$@"; do
        aside "$work/vault"
        aside "$work/state"
        "$bin" init --vault "$work/vault" --admin ana --new-passphrase-file "$work/pass" >/dev/null 2>&1
        "$bin" member add lucia --vault "$work/vault" --role lawyer --as ana \
            --new-passphrase-file "$work/pass" >/dev/null
        "$bin" lock --all >/dev/null 2>&1 || true
        "$bin" unlock --vault "$work/vault" --as lucia --for 2h >/dev/null
        "$bin" case create PHOTOS --vault "$work/vault" --as lucia >/dev/null
        agent=$(pgrep -f -- "serve-agent --agent-dir $work/agent" | head -1)
        before=$(awk '{print $14 + $15}' "/proc/$agent/stat")
        cat "$work"/many/* >/dev/null
        sync
        times=$(${PERF:-} /usr/bin/time -f "%e %U %S" "$bin" add PHOTOS "$work/many/" --vault "$work/vault" \
            --readers lawyer --as lucia 2>&1 >/dev/null | tail -1)
        after=$(awk '{print $14 + $15}' "/proc/$agent/stat")
        "$bin" lock --all >/dev/null 2>&1 || true
        read -r wall user sys <<<"$times"
        awk -v r="$round" -v b="$bin" -v w="$wall" -v u="$user" -v s="$sys" -v a=$((after - before)) \
            -v hz="$(getconf CLK_TCK)" -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
                printf "round %d  %s: wall %.2f s, user %.2f s, sys %.2f s, CPU %.2f s; agent %.2f s; load %s\n",
                    r, b, w, u, s, u + s, a / hz, l }'
    done
done
