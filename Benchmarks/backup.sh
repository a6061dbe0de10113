#!/usr/bin/env bash
# Incremental backup and full verify (issue 12's benchmark; Docs/PERFORMANCE.md, "Backup and verify").
#
#   Benchmarks/backup.sh                 # 5 GiB vault (the issue's size), 3 rounds
#   SIZE_MIB=1024 ROUNDS=3 Benchmarks/backup.sh
#   CASEVAULT_BIN=path/to/casevault Benchmarks/backup.sh   # an existing release build (no build here)
#   BASELINE_BIN=path/to/older/casevault Benchmarks/backup.sh  # also time an older build, same rounds
#
# A vault of SIZE_MIB MiB of random files (FILE_MIB each) is backed up once by `casevault backup`, `rsync -a`
# and `restic backup` (each to its own folder). Then, ROUNDS times: 1% of SIZE_MIB of new random data is
# added to the vault (one `add`), and the same change is backed up by the three, each timed. Targets: casevault
# at most 1.5x rsync's time and faster than restic's. Then `casevault verify` over the whole vault against
# `openssl dgst -sha256` over the same object files (target: at least 0.8x its rate). Page cache warm for all
# (the files were just written; nothing drops the cache, which would slow the other users of the machine).
#
# Each round also measures, each by its own command, the floor under a durable, signed backup of the change
# (Docs/PERFORMANCE.md, "The floor"): `entry`, a `casevault case create` (process start, unlocking the key,
# one signed entry and its checkpoint, SQLite's commit with its fsyncs); `write`, the faster of `dd
# oflag=direct conv=fsync` of the new object (its bytes on disk, as the backup's copy writes them) and `dd
# conv=fsync` (through the page cache, then one fsync; `write-direct` and `write-cache` are both printed);
# and `hash`, `openssl dgst -sha256` of it (the check against its name, which the copy overlaps with the
# writes).
# `rsync -a --fsync` (its own copy) is timed too: the same rsync made to put each file it writes on the disk
# before it ends, as a backup that survives a power cut must (plain `rsync -a` leaves the change in the page
# cache); it still fsyncs no folder.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${SIZE_MIB:-5120}
file_mib=${FILE_MIB:-64}
rounds=${ROUNDS:-3}
command -v rsync >/dev/null || { apt-get update && apt-get install -y rsync; }
command -v restic >/dev/null || { apt-get update && apt-get install -y restic; }
if [ -n "${CASEVAULT_BIN:-}" ]; then
    bin=$CASEVAULT_BIN
else
    swift build -c release --static-swift-stdlib --product casevault >&2
    bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/casevault
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/casevault-backup-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work CASEVAULT_DIR=$work/vault CASEVAULT_AGENT_DIR=$work/agent CASEVAULT_KEY_WORK_FACTOR=10
export CASEVAULT_AS=ana CASEVAULT_PASSPHRASE_FILE=$work/ana.pass RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic
printf 'passphrase of ana\n' >"$work/ana.pass"
chmod 600 "$work/ana.pass"
"$bin" init --admin ana --new-passphrase-file "$work/ana.pass" >/dev/null 2>&1
printf 'passphrase of lucia\n' >"$work/lucia.pass"
chmod 600 "$work/lucia.pass"
"$bin" member add lucia --role lawyer --new-passphrase-file "$work/lucia.pass" >/dev/null 2>&1
export CASEVAULT_AS=lucia CASEVAULT_PASSPHRASE_FILE=$work/lucia.pass
"$bin" case create BENCH-1 >/dev/null

seconds() { # seconds with milliseconds of running "$@", on a disk with nothing left to write
    local start end
    # Each command starts with no dirty pages from the one before: `rsync -a` leaves its copy in the page
    # cache, and the kernel writes it out later, during whichever command runs then. Without this `sync`
    # the next tool that waits for its own writes (casevault, `dd conv=fsync`, `rsync --fsync`) would pay
    # for rsync's. No timed command includes this sync.
    # And each starts with the round's new object in the page cache: reading it once at the start of the
    # round was not enough, as this machine pages out file pages it judges cold (DAMON's `pageout`), and in
    # one traced round `casevault backup` read the object from the disk at 100-150 MB/s while the tools
    # after it found it in memory.
    if [ -n "${new_object:-}" ]; then cat "$new_object" >/dev/null; fi
    sync
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo "scale=3; ($end - $start) / 1000000000" | bc
}
add_random() { # add_random NAME MIB: a new random file added to the vault as one item
    head -c $(($2 << 20)) /dev/urandom >"$work/in/$1"
    "$bin" add BENCH-1 "$work/in/$1" >/dev/null 2>&1
    rm -f "$work/in/$1"
}

mkdir -p "$work/in"
echo "Filling a vault with $size_mib MiB in files of $file_mib MiB..." >&2
for ((i = 0; i < size_mib / file_mib; i++)); do add_random "base-$i.bin" "$file_mib"; done
restic init >/dev/null 2>&1
echo "first copies: casevault $(seconds "$bin" backup "$work/cv-backup") s," \
    "rsync $(seconds rsync -a "$work/vault/" "$work/rsync/") s," \
    "rsync --fsync $(seconds rsync -a --fsync "$work/vault/" "$work/rsync-fsync/") s," \
    "restic $(seconds restic backup "$work/vault") s" >&2

if [ -n "${BASELINE_BIN:-}" ]; then "$BASELINE_BIN" backup "$work/base-backup" >/dev/null 2>&1; fi

change_mib=$((size_mib / 100))
echo "incremental backup of +$change_mib MiB (1% of $size_mib MiB), seconds:"
echo "round casevault rsync restic casevault/rsync casevault/restic entry write hash floor/rsync" \
    "rsync-fsync casevault/rsync-fsync write-direct write-cache${BASELINE_BIN:+ baseline}"
for ((r = 1; r <= rounds; r++)); do
    add_random "change-$r.bin" "$change_mib"
    new_object=$(find "$work/vault/objects" -type f -newer "$work/cv-backup/casevault-backup.json" | head -n 1)
    # `add` writes objects around the page cache (O_DIRECT): read the new one once so that the three tools
    # all find it warm, instead of whichever runs first paying the disk read for the others.
    cat "$new_object" >/dev/null
    cv=$(seconds "$bin" backup "$work/cv-backup")
    rs=$(seconds rsync -a "$work/vault/" "$work/rsync/")
    re=$(seconds restic backup "$work/vault")
    en=$(seconds "$bin" case create "FLOOR-$r")
    wd=$(seconds dd if="$new_object" of="$work/floor.bin" bs=1M oflag=direct conv=fsync)
    rm -f "$work/floor.bin"
    wc=$(seconds dd if="$new_object" of="$work/floor.bin" bs=1M conv=fsync)
    rm -f "$work/floor.bin"
    wr=$(echo "if ($wd < $wc) $wd else $wc" | bc)
    ha=$(seconds openssl dgst -sha256 "$new_object")
    rf=$(seconds rsync -a --fsync "$work/vault/" "$work/rsync-fsync/")
    base=""
    if [ -n "${BASELINE_BIN:-}" ]; then base=" $(seconds "$BASELINE_BIN" backup "$work/base-backup")"; fi
    echo "$r $cv $rs $re $(echo "scale=2; $cv / $rs" | bc) $(echo "scale=2; $cv / $re" | bc)" \
        "$en $wr $ha $(echo "scale=2; ($en + $wr) / $rs" | bc) $rf $(echo "scale=2; $cv / $rf" | bc) $wd $wc$base"
done

objects_bytes=$(find "$work/vault/objects" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
mib=$(echo "scale=1; $objects_bytes / 1048576" | bc)
"$bin" verify >/dev/null 2>&1 # warm, and must pass
v=$(seconds "$bin" verify)
o=$(seconds sh -c "find '$work/vault/objects' -type f -print0 | xargs -0 openssl dgst -sha256")
echo "full verify of $mib MiB of objects: casevault verify $v s ($(echo "scale=0; $mib / $v" | bc) MiB/s)," \
    "openssl dgst -sha256 $o s ($(echo "scale=0; $mib / $o" | bc) MiB/s): $(echo "scale=2; $o / $v" | bc)x openssl's rate"
