#!/usr/bin/env bash
# `make install [DIR=path]`: builds the provider (release) and lays it into a Terraform
# filesystem mirror, then prints the CLI configuration that makes Terraform use it.
#   bash scripts/install.sh            # mirror ~/.terraform.d/plugins (Terraform's implied mirror)
#   bash scripts/install.sh /opt/tf    # any other mirror directory
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

command -v cargo >/dev/null 2>&1 || { echo "error: install needs cargo (Rust) on PATH" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "error: install needs jq on PATH" >&2; exit 1; }

MIRROR=${1:-${HOME:?HOME is not set; give the mirror directory as an argument}/.terraform.d/plugins}
SOURCE=registry.terraform.io/astro-privatelink/astro

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) PLATFORM=linux_amd64 ;;
  Linux/aarch64 | Linux/arm64) PLATFORM=linux_arm64 ;;
  Darwin/x86_64) PLATFORM=darwin_amd64 ;;
  Darwin/arm64) PLATFORM=darwin_arm64 ;;
  *) echo "error: unsupported platform $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac

echo "== cargo build --release"
cargo build --release --locked --bin terraform-provider-astro
META=$(cargo metadata --format-version 1 --no-deps --locked)
TARGET=$(jq -r .target_directory <<<"$META")
VERSION=$(jq -r '.packages[] | select(.name == "terraform-provider-astro") | .version' <<<"$META")

DEST="$MIRROR/$SOURCE/$VERSION/$PLATFORM"
mkdir -p "$DEST"
install -m 0755 "$TARGET/release/terraform-provider-astro" "$DEST/terraform-provider-astro_v$VERSION"
MIRROR_ABS=$(cd "$MIRROR" && pwd)
echo "== installed $DEST/terraform-provider-astro_v$VERSION"
cat <<EOT

Terraform finds it through this CLI configuration (put it in ~/.terraformrc, or in a file
named by TF_CLI_CONFIG_FILE), then run terraform init:

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR_ABS"
    include = ["$SOURCE"]
  }
  direct {
    exclude = ["$SOURCE"]
  }
}

and require it in your configuration as:

terraform {
  required_providers {
    astro = {
      source  = "astro-privatelink/astro"
      version = "$VERSION"
    }
  }
}
EOT
