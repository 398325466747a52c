# Shared by the release steps (sourced, not run): the version, the names the Terraform
# Registry expects, and the Rust target of each registry platform.
#   dist/terraform-provider-astro_<version>_<os>_<arch>.zip  holds terraform-provider-astro_v<version>[.exe]
#   dist/terraform-provider-astro_<version>_manifest.json    copy of terraform-registry-manifest.json
#   dist/terraform-provider-astro_<version>_SHA256SUMS       sha256 of every zip and the manifest
#   dist/terraform-provider-astro_<version>_SHA256SUMS.sig   detached GPG signature of the sums
# (https://developer.hashicorp.com/terraform/registry/providers/publishing#manually-preparing-a-release)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The crate version, unless the caller names one.
VERSION=${VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)}
[ -n "$VERSION" ] || { echo "error: no version in $ROOT/Cargo.toml" >&2; exit 1; }
NAME="terraform-provider-astro_${VERSION}"
DIST=${DIST:-$ROOT/dist}

# rust_target <os> <arch>: the Rust target triple a registry platform is built for.
rust_target() {
  case "$1/$2" in
    linux/amd64) echo x86_64-unknown-linux-gnu ;;
    linux/arm64) echo aarch64-unknown-linux-gnu ;;
    darwin/amd64) echo x86_64-apple-darwin ;;
    darwin/arm64) echo aarch64-apple-darwin ;;
    windows/amd64) echo x86_64-pc-windows-msvc ;;
    windows/arm64) echo aarch64-pc-windows-msvc ;;
    *) echo "error: unsupported platform $1/$2 (linux, darwin, windows × amd64, arm64)" >&2; return 1 ;;
  esac
}

# host_platform: "<os> <arch>" of the machine running the script.
host_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
    *) echo "error: unsupported OS $(uname -s)" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "error: unsupported CPU $(uname -m)" >&2; return 1 ;;
  esac
  echo "$os $arch"
}

# exe_suffix <os>: ".exe" on windows.
exe_suffix() { [ "$1" = windows ] && echo .exe || true; }

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: this release step needs '$tool' on PATH" >&2; exit 1; }
  done
}
