#!/usr/bin/env bash
# `make release`: the release steps of .github/workflows/release.yml, run for this machine's
# platform only. Writes what the Terraform Registry expects into dist/ (see
# scripts/release/common.sh for the names). The workflow runs build.sh and package.sh on one
# runner per platform and checksums.sh and sign.sh once; this runs the same four scripts.
#   make release                         # this platform, unsigned
#   GPG_FINGERPRINT=<key> make release   # and the detached signature of SHA256SUMS
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)/release"
source "$HERE/common.sh"
read -r OS ARCH <<<"$(host_platform)"
rm -rf "$DIST/bin"
rm -f "$DIST/${NAME}"_*
bash "$HERE/build.sh" "$OS" "$ARCH"
bash "$HERE/package.sh" "$OS" "$ARCH"
bash "$HERE/checksums.sh"
bash "$HERE/sign.sh"
echo "== dist/"
ls -l "$DIST"
