#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test (unit, protocol, sandbox and
# the end-to-end tests that drive the real `terraform` against the sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v terraform >/dev/null 2>&1; then
  echo "error: the end-to-end tests need the terraform CLI (>= 1.11) on PATH, and none was found." >&2
  echo "       Install Terraform (https://developer.hashicorp.com/terraform/install) and run again." >&2
  exit 1
fi
# The tests give terraform a configuration of their own; the machine's is never read.
echo "== terraform: $(env -u TF_CLI_CONFIG_FILE -u TF_PLUGIN_CACHE_DIR CHECKPOINT_DISABLE=1 terraform version | head -n 1)"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --locked --no-fail-fast
