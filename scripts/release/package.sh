#!/usr/bin/env bash
# Release step 2, once per platform: `package.sh <os> <arch> [binary]` zips the binary
# (default: what build.sh left in dist/bin/<os>_<arch>/) as the registry names it:
# dist/terraform-provider-astro_<version>_<os>_<arch>.zip holding
# terraform-provider-astro_v<version>[.exe], executable, with no directory and no timestamps
# of the build machine's extra fields (zip -X).
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 <os> <arch> [binary]" >&2; exit 2; }
OS=$1 ARCH=$2
rust_target "$OS" "$ARCH" >/dev/null
need zip
EXE=$(exe_suffix "$OS")
BIN=${3:-$DIST/bin/${OS}_${ARCH}/terraform-provider-astro$EXE}
[ -f "$BIN" ] || { echo "error: no binary at $BIN (run build.sh $OS $ARCH first)" >&2; exit 1; }
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$DIST"
ZIP="$DIST/${NAME}_${OS}_${ARCH}.zip"
rm -f "$ZIP"
install -m 0755 "$BIN" "$STAGE/terraform-provider-astro_v${VERSION}$EXE"
(cd "$STAGE" && zip -q -X "$ZIP" "terraform-provider-astro_v${VERSION}$EXE")
echo "== packaged $ZIP"
