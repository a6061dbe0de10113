#!/usr/bin/env bash
# The SIGKILL fault script (Docs/TESTING.md, "Crash safety"): kills `casevault` with SIGKILL at random
# moments during `add` (a folder of many small files, and one large file), `keys rotate --rewrap`,
# `keys rotate --reencrypt` and `backup`, and after every kill checks that
#   - `verify` passes (the signed log, the database, every object against its name, every custody chain);
#   - no committed item is lost: every item an `add` reported, and every item listed before, is listed;
#   - nothing half-written is visible: every listed item's object is whole (`verify`), the last large item
#     listed reads back with its SHA-256 (`get`), and a killed add added all of its files or none;
#   - an interrupted rotation is finished by `keys rewrap` (a second one then has nothing left to do), an
#     interrupted re-encryption by `keys rewrap --reencrypt` (likewise), and an interrupted backup by running
#     `backup` again, after which `backup verify` passes.
#
# Usage: Tests/Faults/kill.sh [KILLS] [SEED]      (defaults: 200 kills, seed from the clock)
# Environment: CASEVAULT_BIN (default .build/release/casevault), KILL_LARGE_MIB (default 32),
#              KILL_MANY_FILES (default 100), KILL_WORK (a folder to work in; default a new temporary one).
# Prints one line per kill and a summary; exits 1 at the first check that fails, naming it and keeping
# the work folder.
set -euo pipefail

KILLS=${1:-200}
SEED=${2:-$(date +%s)}
RANDOM=$SEED
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${CASEVAULT_BIN:-$ROOT/.build/release/casevault}
LARGE_MIB=${KILL_LARGE_MIB:-32}
MANY=${KILL_MANY_FILES:-100}
[ -x "$BIN" ] || { echo "kill.sh: no casevault binary at $BIN (swift build -c release)" >&2; exit 2; }

W=${KILL_WORK:-$(mktemp -d)}
mkdir -p "$W"
export HOME=$W TMPDIR=$W CASEVAULT_DIR=$W/vault CASEVAULT_AGENT_DIR=$W/agent CASEVAULT_KEY_WORK_FACTOR=8
export CASEVAULT_AS=lucia CASEVAULT_PASSPHRASE_FILE=$W/lucia.pass
CASE=KILL-1
DEST=$W/backup
COMMITTED=$W/committed.txt   # every item id known to be committed, one a line

fail() {
    echo "kill.sh: FAILED after kill $kills (seed $SEED): $*; work folder kept: $W" >&2
    exit 1
}
cv() { "$BIN" "$@"; }

# --- A vault, its inputs, and one run of each command to time it -------------------------------------
printf 'passphrase of ana\n' >"$W/ana.pass"
printf 'passphrase of lucia\n' >"$W/lucia.pass"
chmod 600 "$W/ana.pass" "$W/lucia.pass"
CASEVAULT_AS=ana CASEVAULT_PASSPHRASE_FILE=$W/ana.pass cv init --admin ana --new-passphrase-file "$W/ana.pass" >/dev/null
CASEVAULT_AS=ana CASEVAULT_PASSPHRASE_FILE=$W/ana.pass \
    cv member add lucia --role lawyer --new-passphrase-file "$W/lucia.pass" >/dev/null
cv case create "$CASE" >/dev/null
mkdir -p "$W/many"
for i in $(seq 1 "$MANY"); do head -c $((1024 + i)) /dev/urandom >"$W/many/f$i.bin"; done
head -c $((LARGE_MIB << 20)) /dev/urandom >"$W/large.bin"
LARGE_SHA=$(sha256sum "$W/large.bin" | cut -d' ' -f1)
: >"$COMMITTED"

ids_of() { grep -o '"id" *: *"it_[0-9a-f]*"' "$1" | grep -o 'it_[0-9a-f]*' || true; }
listed() { cv list "$CASE" --json | grep -o '"id" *: *"it_[0-9a-f]*"' | grep -o 'it_[0-9a-f]*' | sort -u; }

# The command line of each kind of work.
command_of() {
    case $1 in
        add-many) echo "add $CASE $W/many --json" ;;
        add-large) echo "add $CASE $W/large.bin --json" ;;
        rotate) echo "keys rotate --role lawyer --rewrap --json" ;;
        reencrypt) echo "keys rotate --role lawyer --reencrypt --json" ;;
        backup) echo "backup $DEST --json" ;;
    esac
}
KINDS=(add-many add-large rotate reencrypt backup)
declare -A MILLIS
for kind in "${KINDS[@]}"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2046
    cv $(command_of "$kind") >"$W/out.json" 2>"$W/err.txt" || fail "$kind did not run uninterrupted: $(cat "$W/err.txt")"
    MILLIS[$kind]=$(((($(date +%s%N) - start) / 1000000) + 1))
    case $kind in add-*) ids_of "$W/out.json" >>"$COMMITTED" ;; esac
    [ "$kind" = add-large ] && ids_of "$W/out.json" >"$W/large-id.txt"
done
echo "kill.sh: seed $SEED, $KILLS kills, $BIN; one uninterrupted run takes (ms):" \
    "add-many ${MILLIS[add-many]}, add-large ${MILLIS[add-large]}, rotate ${MILLIS[rotate]}," \
    "reencrypt ${MILLIS[reencrypt]}, backup ${MILLIS[backup]}"

# --- The kills ----------------------------------------------------------------------------------------
kills=0
finished=0
declare -A KILLED
while [ "$kills" -lt "$KILLS" ]; do
    kind=${KINDS[$((RANDOM % ${#KINDS[@]}))]}
    before=$(listed)
    # A moment within the command's usual run (a little past it, so that some kills land at its very end).
    delay_ms=$((RANDOM * RANDOM % (MILLIS[$kind] * 11 / 10 + 1)))
    # The binary itself in the background (not a shell function, whose subshell would take the kill while
    # the command ran on).
    # shellcheck disable=SC2046
    "$BIN" $(command_of "$kind") >"$W/out.json" 2>"$W/err.txt" &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null && status=0 || status=$?
    if [ "$status" -eq 137 ]; then
        kills=$((kills + 1))
        KILLED[$kind]=$((${KILLED[$kind]:-0} + 1))
        outcome="killed after ${delay_ms} ms"
    elif [ "$status" -eq 0 ]; then
        finished=$((finished + 1))
        outcome="finished before the kill"
        case $kind in add-*) ids_of "$W/out.json" >>"$COMMITTED" ;; esac
    else
        fail "$kind exited $status: $(cat "$W/err.txt")"
    fi

    # Resume what was interrupted.
    case $kind in
        rotate)
            cv keys rewrap --role lawyer --json >"$W/rewrap.json" 2>"$W/err.txt" || fail "keys rewrap after a killed rotation: $(cat "$W/err.txt")"
            cv keys rewrap --role lawyer --json >"$W/rewrap.json" 2>"$W/err.txt" || fail "second keys rewrap: $(cat "$W/err.txt")"
            grep -q '"items" *: *0' "$W/rewrap.json" && grep -q '"cases" *: *0' "$W/rewrap.json" \
                || fail "a second keys rewrap still found work: $(cat "$W/rewrap.json")"
            ;;
        reencrypt)
            cv keys rewrap --role lawyer --reencrypt --json >"$W/rewrap.json" 2>"$W/err.txt" \
                || fail "keys rewrap --reencrypt after a killed re-encryption: $(cat "$W/err.txt")"
            cv keys rewrap --role lawyer --reencrypt --json >"$W/rewrap.json" 2>"$W/err.txt" \
                || fail "second keys rewrap --reencrypt: $(cat "$W/err.txt")"
            grep -q '"items" *: *0' "$W/rewrap.json" && grep -q '"cases" *: *0' "$W/rewrap.json" \
                || fail "a second keys rewrap --reencrypt still found work: $(cat "$W/rewrap.json")"
            # A re-encrypted large item reads back whole, with its SHA-256.
            id=$(cat "$W/large-id.txt")
            rm -f "$W/large.out"
            cv get "$id" -o "$W/large.out" >/dev/null 2>"$W/err.txt" || fail "get $id: $(cat "$W/err.txt")"
            [ "$(sha256sum "$W/large.out" | cut -d' ' -f1)" = "$LARGE_SHA" ] || fail "item $id does not read back whole"
            rm -f "$W/large.out"
            ;;
        backup)
            cv backup "$DEST" --json >/dev/null 2>"$W/err.txt" || fail "backup re-run after a kill: $(cat "$W/err.txt")"
            cv backup verify "$DEST" >/dev/null 2>"$W/err.txt" || fail "backup verify after the re-run: $(cat "$W/err.txt")"
            ;;
    esac

    # The checks.
    cv verify >"$W/verify.txt" 2>&1 || fail "verify: $(grep PROBLEM "$W/verify.txt" | head -5)"
    after=$(listed)
    while read -r id; do
        [ -z "$id" ] && continue
        grep -qx "$id" <<<"$after" || fail "committed item $id is no longer listed"
    done < <(sort -u "$COMMITTED"; printf '%s\n' "$before")
    new=$(comm -13 <(printf '%s\n' "$before" | sed '/^$/d') <(printf '%s\n' "$after" | sed '/^$/d') | wc -l)
    case $kind in
        add-many) [ "$new" -eq 0 ] || [ "$new" -eq "$MANY" ] || fail "a killed add of $MANY files added $new" ;;
        add-large)
            [ "$new" -le 1 ] || fail "a killed add of one file added $new"
            if [ "$new" -eq 1 ]; then
                id=$(comm -13 <(printf '%s\n' "$before" | sed '/^$/d') <(printf '%s\n' "$after" | sed '/^$/d'))
                rm -f "$W/large.out"
                cv get "$id" -o "$W/large.out" >/dev/null 2>"$W/err.txt" || fail "get $id: $(cat "$W/err.txt")"
                [ "$(sha256sum "$W/large.out" | cut -d' ' -f1)" = "$LARGE_SHA" ] || fail "item $id does not read back whole"
                rm -f "$W/large.out"
            fi
            ;;
        *) [ "$new" -eq 0 ] || fail "$kind added $new items" ;;
    esac
    # What this run added is committed now, whether or not it got to say so.
    printf '%s\n' "$after" >>"$COMMITTED"
    echo "kill $kills: $kind $outcome; verify passed; $(printf '%s\n' "$after" | sed '/^$/d' | wc -l) items"
done

echo "kill.sh: $kills kills (add-many ${KILLED[add-many]:-0}, add-large ${KILLED[add-large]:-0}," \
    "rotate ${KILLED[rotate]:-0}, reencrypt ${KILLED[reencrypt]:-0}, backup ${KILLED[backup]:-0}); $finished runs finished before their kill;" \
    "after each, verify passed and no committed item was lost"
[ -n "${KILL_WORK:-}" ] || rm -rf "$W"
