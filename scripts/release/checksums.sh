#!/usr/bin/env bash
# Release step 3, once after every platform is packaged: copies
# terraform-registry-manifest.json to dist/terraform-provider-astro_<version>_manifest.json
# and writes dist/terraform-provider-astro_<version>_SHA256SUMS over every zip and the
# manifest (the file the registry and `terraform init` check downloads against).
set -euo pipefail
source "$(dirname "$0")/common.sh"
need sha256sum
cp "$ROOT/terraform-registry-manifest.json" "$DIST/${NAME}_manifest.json"
cd "$DIST"
shopt -s nullglob
zips=("${NAME}"_*_*.zip)
[ ${#zips[@]} -gt 0 ] || { echo "error: no ${NAME}_<os>_<arch>.zip in $DIST (run package.sh first)" >&2; exit 1; }
sha256sum "${zips[@]}" "${NAME}_manifest.json" >"${NAME}_SHA256SUMS"
echo "== $DIST/${NAME}_SHA256SUMS"
cat "${NAME}_SHA256SUMS"
