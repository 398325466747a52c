#!/usr/bin/env bash
# `make demo`: the whole Private Link journey of examples/quickstart against the local Azure
# sandbox, in about a minute after the build: apply (waiting for Astronomer's approval), approve
# as Astronomer would, verify, run astro_private_link_check, catch an out-of-band change with
# plan (and the check), repair it, destroy.
# Needs cargo, terraform, curl and jq. Talks to 127.0.0.1 only; leaves nothing behind.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

CLUSTER_ID=cldemo0000001
STEP=0
STEPS=10

BOLD="" PLAIN=""
if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; fi
banner() {
  STEP=$((STEP + 1))
  printf '\n%s==== [%d/%d] %s ====%s\n' "$BOLD" "$STEP" "$STEPS" "$*" "$PLAIN"
}
say() { printf '  %s\n' "$*"; }
die() {
  printf '\nerror: %s\n' "$*" >&2
  exit 1
}

for tool in cargo terraform curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "the demo needs '$tool' on PATH, and none was found."
done

# --- everything the demo starts is stopped on exit, whatever happens -------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/astro-demo.XXXXXX")
SANDBOX_PID=""
APPLY_PID=""
cleanup() {
  local rc=$?
  if [ -n "$APPLY_PID" ] && kill -0 "$APPLY_PID" 2>/dev/null; then
    kill "$APPLY_PID" 2>/dev/null || true
    wait "$APPLY_PID" 2>/dev/null || true
  fi
  if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    echo "  sandbox stopped"
  fi
  if [ "$rc" -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "demo FAILED (exit $rc); its files are kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. build ---------------------------------------------------------------------------------
banner "Build the provider and the Azure sandbox (debug)"
cargo build --locked --bins
META=$(cargo metadata --format-version 1 --no-deps --locked)
TARGET=$(jq -r .target_directory <<<"$META")
VERSION=$(jq -r '.packages[] | select(.name == "terraform-provider-astro") | .version' <<<"$META")
say "provider $VERSION in $TARGET/debug"

# --- 2. sandbox -------------------------------------------------------------------------------
banner "Start astro-azure-sandbox (a local HTTPS imitation of Azure Resource Manager)"
mkdir -p "$WORK/sandbox"
"$TARGET/debug/astro-azure-sandbox" serve --port 0 --state-dir "$WORK/sandbox" \
  >"$WORK/sandbox/out.log" 2>"$WORK/sandbox/err.log" &
SANDBOX_PID=$!
for _ in $(seq 1 150); do
  grep -q 'sandbox ready at' "$WORK/sandbox/out.log" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || die "the sandbox exited: $(cat "$WORK/sandbox/err.log")"
  sleep 0.2
done
grep -q 'sandbox ready at' "$WORK/sandbox/out.log" || die "the sandbox did not start within 30s"
# ARM_* (endpoint, tenant, service principal), AZURE_AUTHORITY_HOST, SSL_CERT_FILE (its CA) and
# the ASTRO_SANDBOX_* ids of the seeded VNets and Astronomer's Private Link Service.
# shellcheck disable=SC1091
source "$WORK/sandbox/env"
ARM=${ARM_RESOURCE_MANAGER_ENDPOINT%/}
CURL=(curl -sS --fail-with-body --noproxy '*' --cacert "$SSL_CERT_FILE")
say "$(tail -n 1 "$WORK/sandbox/out.log")"
say "subscription $ARM_SUBSCRIPTION_ID, subnet ${ASTRO_SANDBOX_SUBNET_ID##*/virtualNetworks/}"
say "Astronomer's Private Link Service alias: $ASTRO_SANDBOX_PLS_ALIAS"

# --- 3. terraform, provider from a local mirror -----------------------------------------------
banner "Lay the provider into a filesystem mirror; terraform init examples/quickstart"
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) PLATFORM=linux_amd64 ;;
  Linux/aarch64 | Linux/arm64) PLATFORM=linux_arm64 ;;
  Darwin/x86_64) PLATFORM=darwin_amd64 ;;
  Darwin/arm64) PLATFORM=darwin_arm64 ;;
  *) die "unsupported platform $(uname -s)/$(uname -m)" ;;
esac
MIRROR="$WORK/mirror"
PLUGIN_DIR="$MIRROR/registry.terraform.io/astro-privatelink/astro/$VERSION/$PLATFORM"
mkdir -p "$PLUGIN_DIR"
cp "$TARGET/debug/terraform-provider-astro" "$PLUGIN_DIR/terraform-provider-astro_v$VERSION"
cat >"$WORK/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/astro-privatelink/astro"]
  }
  direct {
    exclude = ["registry.terraform.io/astro-privatelink/astro"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/terraform.rc" CHECKPOINT_DISABLE=1 TF_INPUT=0
# The provider must reach the sandbox directly even where a proxy is configured.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE
export TF_VAR_subnet_id="$ASTRO_SANDBOX_SUBNET_ID"
export TF_VAR_vnet_id="$ASTRO_SANDBOX_VNET_ID"
export TF_VAR_private_link_service_alias="$ASTRO_SANDBOX_PLS_ALIAS"
export TF_VAR_cluster_id="$CLUSTER_ID"
export TF_VAR_approval_timeout=5m
cp -R examples/quickstart "$WORK/quickstart"
cd "$WORK/quickstart"
terraform init -no-color | grep -E 'Installing|Installed|initialized' | sed 's/^/  /'

# --- 4. apply, waiting for approval ------------------------------------------------------------
banner "terraform apply: endpoint + DNS, then astro_private_endpoint_approval waits for Astronomer's approval"
terraform apply -auto-approve -no-color >"$WORK/apply.log" 2>&1 &
APPLY_PID=$!
CONNECTIONS="$ARM$ASTRO_SANDBOX_PLS_ID/privateEndpointConnections?api-version=2025-01-01"
TOKEN=$("${CURL[@]}" -X POST "${AZURE_AUTHORITY_HOST}${ARM_TENANT_ID}/oauth2/v2.0/token" \
  -d grant_type=client_credentials --data-urlencode client_id="$ARM_CLIENT_ID" \
  --data-urlencode client_secret="$ARM_CLIENT_SECRET" \
  --data-urlencode "scope=$ARM/.default" | jq -r .access_token)
AUTH="Authorization: Bearer $TOKEN"
CONN=""
for _ in $(seq 1 300); do
  CONN=$("${CURL[@]}" "$CONNECTIONS" -H "$AUTH" | jq -r '.value[0].name // empty')
  [ -n "$CONN" ] && break
  kill -0 "$APPLY_PID" 2>/dev/null || break
  sleep 0.2
done
[ -n "$CONN" ] || {
  cat "$WORK/apply.log"
  die "no connection request reached Astronomer's Private Link Service"
}
# Let the apply show that it is waiting before Astronomer answers.
for _ in $(seq 1 50); do
  grep -q 'astro_private_dns.astro: Creation complete' "$WORK/apply.log" && break
  sleep 0.2
done
sleep 2
grep -E 'Creat|Still|Read' "$WORK/apply.log" | sed 's/^/  | /'
say "... apply is still running: the connection is Pending until Astronomer approves it"

# --- 5. approve as Astronomer -------------------------------------------------------------------
banner "Astronomer approves the connection (ARM PUT on its Private Link Service)"
say "connection request seen by Astronomer: $CONN"
"${CURL[@]}" -X PUT "$ARM$ASTRO_SANDBOX_PLS_ID/privateEndpointConnections/$CONN?api-version=2025-01-01" \
  -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"properties":{"privateLinkServiceConnectionState":{"status":"Approved","description":"Approved by Astronomer support"}}}' |
  jq -c '.properties.privateLinkServiceConnectionState' | sed 's/^/  PUT -> /'
APPLY_RC=0
wait "$APPLY_PID" || APPLY_RC=$?
APPLY_PID=""
if [ "$APPLY_RC" -ne 0 ]; then
  sed 's/^/  | /' "$WORK/apply.log"
  die "terraform apply failed (exit $APPLY_RC)"
fi
grep -E 'astro_private_endpoint_approval.astro: Creation complete|Apply complete' "$WORK/apply.log" | sed 's/^/  | /'
[ "$APPLY_RC" -eq 0 ] || die "terraform apply failed (exit $APPLY_RC)"
say "terraform output:"
terraform output -no-color | sed 's/^/    /'
[ "$(terraform output -raw connection_status)" = Approved ] || die "the approval resource does not report Approved"

# --- 6. verify ----------------------------------------------------------------------------------
FQDN=$(terraform output -raw fqdn)
PRIVATE_IP=$(terraform output -raw private_ip_address)
verify() {
  "${CURL[@]}" -G "$ARM/_sandbox/verify" --data-urlencode vnet_id="$ASTRO_SANDBOX_VNET_ID" \
    --data-urlencode host="$FQDN"
}
banner "Verify from the agents' VNet: $FQDN resolves privately and answers 404"
VERIFY=$(verify)
jq . <<<"$VERIFY" | sed 's/^/  /'
[ "$(jq -r .resolved <<<"$VERIFY")" = "$PRIVATE_IP" ] || die "$FQDN does not resolve to $PRIVATE_IP"
[ "$(jq -r .http <<<"$VERIFY")" = "404 page not found" ] || die "https://$FQDN/ does not answer 404 page not found"
say "OK: $FQDN -> $PRIVATE_IP, https://$FQDN/ answers '404 page not found' (what Astronomer's guide expects)"

# --- 7. checks ----------------------------------------------------------------------------------
banner "astro_private_link_check: the guide's verify and troubleshooting steps, read through ARM"
CHECKS=$(terraform output -json private_link_checks)
jq -r 'to_entries[] | "  \(if .value then "PASS" else "FAIL" end)  \(.key)"' <<<"$CHECKS"
[ "$(jq '[.[]] | all' <<<"$CHECKS")" = true ] || die "not every check passed"
say "every check passes (examples/quickstart asserts them in a check {} block)"

# --- 8. drift -----------------------------------------------------------------------------------
banner "Someone changes the A record in the portal; terraform plan and the check catch it"
RECORD_ID=$(terraform show -json | jq -r '.values.root_module.resources[] | select(.address == "astro_private_dns.astro") | .values.id')
"${CURL[@]}" -X POST "$ARM/_sandbox/oob" -H 'Content-Type: application/json' \
  -d "{\"op\":\"set_a_record\",\"id\":\"$RECORD_ID\",\"ipv4\":[\"10.10.1.99\"]}" >/dev/null
say "out of band: $FQDN now points at 10.10.1.99 (resolves to: $(verify | jq -r .resolved))"
PLAN_RC=0
terraform plan -detailed-exitcode -no-color >"$WORK/plan.log" 2>&1 || PLAN_RC=$?
sed -n '/^Terraform will perform/,/^Plan:/p' "$WORK/plan.log" | sed 's/^/  | /'
say "terraform plan -detailed-exitcode exited $PLAN_RC (2 = changes present)"
PLAN_RC=0
terraform plan -refresh-only -detailed-exitcode -no-color >"$WORK/refresh.log" 2>&1 || PLAN_RC=$?
say "terraform plan -refresh-only (what a scheduled drift check runs): the check block warns, with the fix:"
grep -A16 'Check block assertion failed' "$WORK/refresh.log" | sed 's/^/  | /'
grep -q 'record_points_at_endpoint' "$WORK/refresh.log" || {
  cat "$WORK/refresh.log"
  die "the check did not report the changed record"
}
[ "$PLAN_RC" -eq 2 ] || {
  cat "$WORK/plan.log"
  die "plan did not report the drift"
}

# --- 9. repair ------------------------------------------------------------------------------------
banner "terraform apply repairs it; the next plan is empty"
terraform apply -auto-approve -no-color 2>&1 | grep -E 'Modif|complete' | sed 's/^/  | /'
PLAN_RC=0
terraform plan -detailed-exitcode -no-color >"$WORK/plan.log" 2>&1 || PLAN_RC=$?
grep -E 'No changes' "$WORK/plan.log" | sed 's/^/  | /' || true
if grep -q 'Check block assertion failed' "$WORK/plan.log"; then
  cat "$WORK/plan.log"
  die "the check still fails after the repair"
fi
say "checks: $(terraform output -json private_link_checks | jq -c .)"
[ "$PLAN_RC" -eq 0 ] || {
  cat "$WORK/plan.log"
  die "plan after the repair is not empty (exit $PLAN_RC)"
}
say "resolves again to: $(verify | jq -r .resolved)"

# --- 10. destroy ----------------------------------------------------------------------------------
banner "terraform destroy; stop the sandbox"
terraform destroy -auto-approve -no-color 2>&1 | grep -E 'Destr|complete' | sed 's/^/  | /'
LEFT=$("${CURL[@]}" "$ARM/_sandbox/resources" | jq -r 'length')
[ "$LEFT" = 0 ] || die "$LEFT objects remain in the sandbox after destroy"
say "the sandbox holds no object made by the demo"
printf '\n%sDemo complete.%s Next: README.md (make install, your own Azure credentials), examples/.\n' "$BOLD" "$PLAIN"
