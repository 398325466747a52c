#!/usr/bin/env bash
# Prints every performance figure of issue 6 with its goal beside it, in one invocation:
#   [1] provider start -> handshake line (benches/startup.rs, release build)
#   [2] terraform validate / plan, astro vs terraform_data-only config (benches/e2e.rs)
#   [3] refresh at N = 10, 50, 100 pairs: ARM requests per endpoint / DNS unit, and the span
#       of the ARM requests at 50 ms each against its lower bound
#   [4] provider peak RSS during that refresh, stripped release binary size
#   [5] how soon an LRO completion and an approval are seen
# Needs `terraform` on PATH; all traffic stays on 127.0.0.1 (in-process sandbox).
# A figure that could not be measured prints "missing" and the run exits non-zero.
#
# --quick: one small round of every figure (N = 10 only, one sample each) built with the dev
# profile, so CI can run it after the tests without a release build; its numbers are not
# comparable with the goals (an unoptimised, unstripped binary), only proof that every figure
# is measured.
# Usage: scripts/bench.sh [--quick] [startup|e2e]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v terraform >/dev/null || { echo "scripts/bench.sh needs terraform on PATH" >&2; exit 1; }
profile=()
pass=()
benches=()
for arg in "$@"; do
    case "$arg" in
        --quick) profile=(--profile dev); pass=(--quick) ;;
        *) benches+=("$arg") ;;
    esac
done
[ ${#benches[@]} -gt 0 ] || benches=(startup e2e)
if [ ${#pass[@]} -gt 0 ]; then
    echo "== building (quick: dev profile; figures indicative only)"
else
    echo "== building (bench profile = release: strip, thin LTO)"
fi
if ! cargo bench --locked "${profile[@]}" --no-run $(printf -- '--bench %s ' "${benches[@]}") >/tmp/astro-bench-build.$$ 2>&1; then
    cat /tmp/astro-bench-build.$$ >&2
    rm -f /tmp/astro-bench-build.$$
    exit 1
fi
grep -v '^ *Compiling' /tmp/astro-bench-build.$$ || true
rm -f /tmp/astro-bench-build.$$
for b in "${benches[@]}"; do
    echo
    echo "== $b"
    cargo bench --locked --quiet "${profile[@]}" --bench "$b" -- "${pass[@]}" 2>/dev/null
done
