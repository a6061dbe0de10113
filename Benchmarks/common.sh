# Sourced by the benchmark scripts (run from the repository root): installs what is missing, builds the
# release binary into $bin, makes a scratch folder $work (removed on exit) holding $work/plain, SIZE_MIB
# MiB of random data, and an age identity $work/key whose recipient is $recipient.
bash .ci/setup
command -v hyperfine >/dev/null || { apt-get update && apt-get install -y hyperfine; }
swift build -c release --product casevault >&2
bin=$(swift build -c release --show-bin-path)/casevault

work=$(mktemp -d "${TMPDIR:-/var/tmp}/casevault-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/plain"
age-keygen -o "$work/key" 2>/dev/null
recipient=$(age-keygen -y "$work/key")
