#!/usr/bin/env bash
# Release step 1, once per platform: `build.sh <os> <arch>` compiles the provider (release
# profile, locked dependencies) for that platform's Rust target and leaves the binary at
# dist/bin/<os>_<arch>/terraform-provider-astro[.exe] for package.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ $# -eq 2 ] || { echo "usage: $0 <os> <arch>" >&2; exit 2; }
OS=$1 ARCH=$2
TRIPLE=$(rust_target "$OS" "$ARCH")
need cargo
cd "$ROOT"
echo "== cargo build --release --target $TRIPLE"
cargo build --release --locked --target "$TRIPLE" --bin terraform-provider-astro
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
EXE=$(exe_suffix "$OS")
mkdir -p "$DIST/bin/${OS}_${ARCH}"
cp "$TARGET_DIR/$TRIPLE/release/terraform-provider-astro$EXE" "$DIST/bin/${OS}_${ARCH}/terraform-provider-astro$EXE"
chmod 0755 "$DIST/bin/${OS}_${ARCH}/terraform-provider-astro$EXE"
echo "== built $DIST/bin/${OS}_${ARCH}/terraform-provider-astro$EXE"
