# Quickstart: the whole of Astronomer's "Configure Azure Private Link for Remote Execution
# Agents" guide for one VNet: a private endpoint to your Astro cluster's Private Link
# Service, the private DNS zone with the cluster's A record linked to the VNet, and a wait
# until Astronomer support approves the connection.

# Every setting comes from the ARM_* environment variables azurerm already reads
# (ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_USE_OIDC, ...).
provider "astro" {}

resource "astro_private_endpoint" "agents" {
  name                       = var.endpoint_name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = var.subnet_id
  private_link_service_alias = var.private_link_service_alias
  request_message            = "Astro cluster ${var.cluster_id}: Remote Execution Agents over Private Link"
  tags                       = var.tags
}

# Created while the connection waits for approval: the record only needs the endpoint's IP.
resource "astro_private_dns" "astro" {
  resource_group_name = var.dns_resource_group_name
  cluster_id          = var.cluster_id
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = [var.vnet_id]
  tags                = var.tags
}

# Apply waits here until Astronomer approves the connection (fails at once if rejected).
# terraform plan never waits: while the connection is Pending it shows this as "will be
# created", and the next apply waits again.
resource "astro_private_endpoint_approval" "astro" {
  private_endpoint_id = astro_private_endpoint.agents.id
  timeouts {
    create = var.approval_timeout
  }
}

# Astronomer's verify and troubleshooting steps as checks, read through ARM (never waiting):
# connection approved, A record pointing at the endpoint, the VNet resolving the zone and
# reaching the endpoint, NSGs allowing TCP 443. The endpoint ID is taken from the approval,
# so a first apply reads it after the approval. A failure shows as a warning with its fix
# (Terraform reads the check during apply instead when something it uses is changing, so
# `terraform plan -refresh-only` is where scheduled drift checks see it).
data "astro_private_link_check" "astro" {
  private_endpoint_id = astro_private_endpoint_approval.astro.private_endpoint_id
  dns_record_id       = astro_private_dns.astro.id
}

check "astro_private_link" {
  assert {
    condition     = data.astro_private_link_check.astro.ok
    error_message = join("\n", [for c in data.astro_private_link_check.astro.checks : "${c.name}: ${c.detail}\nFix: ${c.fix}" if !c.ok])
  }
}
