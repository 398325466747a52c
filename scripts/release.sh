#!/usr/bin/env bash
# `make release`: builds the provider (release, linux_amd64) and writes what a Terraform
# registry expects into dist/:
#   terraform-provider-astro_<version>_linux_amd64.zip   (holds terraform-provider-astro_v<version>)
#   terraform-provider-astro_<version>_SHA256SUMS         (sha256 of the zip and the manifest)
#   terraform-provider-astro_<version>_manifest.json      (plugin protocol 5.0)
# Signing SHA256SUMS (gpg --detach-sign) is left to the publisher, who holds the key.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

for tool in cargo jq zip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: release needs '$tool' on PATH" >&2; exit 1; }
done
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || {
  echo "error: release builds linux_amd64 binaries and must run on Linux x86_64" >&2
  exit 1
}

echo "== cargo build --release"
cargo build --release --locked --bin terraform-provider-astro
META=$(cargo metadata --format-version 1 --no-deps --locked)
TARGET=$(jq -r .target_directory <<<"$META")
VERSION=$(jq -r '.packages[] | select(.name == "terraform-provider-astro") | .version' <<<"$META")
NAME="terraform-provider-astro_${VERSION}"

DIST="$ROOT/dist"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$DIST"
rm -f "$DIST/${NAME}"_*
install -m 0755 "$TARGET/release/terraform-provider-astro" "$STAGE/terraform-provider-astro_v${VERSION}"
(cd "$STAGE" && zip -q -X "$DIST/${NAME}_linux_amd64.zip" "terraform-provider-astro_v${VERSION}")
printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["5.0"]\n  }\n}\n' >"$DIST/${NAME}_manifest.json"
(cd "$DIST" && sha256sum "${NAME}_linux_amd64.zip" "${NAME}_manifest.json" >"${NAME}_SHA256SUMS")
echo "== dist/"
(cd "$DIST" && ls -l "${NAME}"_* && cat "${NAME}_SHA256SUMS")
