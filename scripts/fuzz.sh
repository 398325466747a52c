#!/usr/bin/env bash
# Fuzzes the decoders that read untrusted bytes (fuzz/fuzz_targets/*: msgpack and JSON
# DynamicValues / state, ARM response bodies) for FUZZ_SECONDS each (default 30) and reports
# runs, coverage and crashes. Exit status 1 when a target crashed (the input is kept).
#
# The targets are a cargo-fuzz project, but this machine has only a stable toolchain, so the
# script builds them as cargo-fuzz does with `--sanitizer none` (SanitizerCoverage through
# stable -C flags, libFuzzer from libfuzzer-sys) and needs no cargo-fuzz install. Where
# cargo-fuzz and nightly exist, `cargo fuzz run <target>` in fuzz/ works the same.
#
# FUZZ_PROFILE=dev builds without optimisation (quicker to build, slower to run): the CI smoke
# uses it with FUZZ_SECONDS=5.
#
# Usage: scripts/fuzz.sh [target ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-30}
profile=${FUZZ_PROFILE:-release}
case "$profile" in dev) out=debug ;; *) out=$profile ;; esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(msgpack_decode json_decode arm_response)
triple=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/fuzz}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"

echo "building fuzz targets (${targets[*]}) for $triple in $CARGO_TARGET_DIR"
# --target keeps RUSTFLAGS off build scripts and proc macros, as cargo-fuzz does.
(cd "$root/fuzz" && cargo build --locked --profile "$profile" --target "$triple" $(printf -- '--bin %s ' "${targets[@]}"))

failed=0
for t in "${targets[@]}"; do
    corpus=$CARGO_TARGET_DIR/corpus/$t
    artifacts=$CARGO_TARGET_DIR/artifacts/$t/
    mkdir -p "$corpus" "$artifacts"
    cp -n "$root/fuzz/seeds/$t/"* "$corpus/" 2>/dev/null || true
    log=$CARGO_TARGET_DIR/$t.log
    set +e
    "$CARGO_TARGET_DIR/$triple/$out/$t" "$corpus" -max_total_time="$secs" \
        -artifact_prefix="$artifacts" -print_final_stats=1 -close_fd_mask=3 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "fuzz $t: ${secs}s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs: no crash"
    else
        failed=1
        echo "fuzz $t: CRASH (exit $rc) after ${runs:-?} runs; input(s) in $artifacts; log $log"
        grep -m 20 -E 'panicked|ERROR|SUMMARY' "$log" || tail -n 20 "$log"
    fi
done
exit $failed
