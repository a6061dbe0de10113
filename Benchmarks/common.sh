# Sourced by the benchmark scripts (run from the repository root): installs what is missing, builds the
# release binary into $bin, makes a scratch folder $work (removed on exit) holding $work/plain, SIZE_MIB
# MiB of random data, and an age identity $work/key whose recipient is $recipient.
bash .ci/setup
command -v hyperfine >/dev/null || { apt-get update && apt-get install -y hyperfine; }
# --static-swift-stdlib: the Swift runtime and Foundation linked in, as a release is shipped. It saves about
# 15 ms of dynamic linking on every command (measured on `list`), which matters for short commands.
# CASEVAULT_BIN: a binary built earlier (another commit's, kept aside) to measure instead of this checkout's.
if [ -n "${CASEVAULT_BIN:-}" ]; then
    bin=$CASEVAULT_BIN
else
    swift build -c release --static-swift-stdlib --product casevault >&2
    bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/casevault
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/casevault-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/plain"
age-keygen -o "$work/key" 2>/dev/null
recipient=$(age-keygen -y "$work/key")
