#!/usr/bin/env bash
# Release step 4: writes dist/terraform-provider-astro_<version>_SHA256SUMS.sig, a detached
# binary GPG signature of the sums by the key GPG_FINGERPRINT names (the key whose public
# half is registered with the Terraform Registry). Without GPG_FINGERPRINT it says so and
# signs nothing: a local `make release` has no publisher key.
set -euo pipefail
source "$(dirname "$0")/common.sh"
SUMS="$DIST/${NAME}_SHA256SUMS"
[ -f "$SUMS" ] || { echo "error: no $SUMS (run checksums.sh first)" >&2; exit 1; }
if [ -z "${GPG_FINGERPRINT:-}" ]; then
  echo "== not signing: set GPG_FINGERPRINT to the publisher key to write ${NAME}_SHA256SUMS.sig"
  exit 0
fi
need gpg
rm -f "$SUMS.sig"
gpg --batch --yes --local-user "$GPG_FINGERPRINT" --output "$SUMS.sig" --detach-sign "$SUMS"
gpg --batch --verify "$SUMS.sig" "$SUMS"
echo "== signed $SUMS.sig"
