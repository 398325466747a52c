# One VNet's private path to an Astro cluster: a private endpoint in the VNet's agent subnet,
# the private DNS zone with the cluster's A record linked to that VNet (and any extra VNets
# given), and optionally a wait (at apply time only) until Astronomer approves the connection.

locals {
  # The VNet holding the subnet: the subnet ID without its "/subnets/<name>" suffix.
  vnet_id             = regex("^(.+)/subnets/[^/]+$", var.subnet_id)[0]
  virtual_network_ids = distinct(concat([local.vnet_id], var.extra_virtual_network_ids))
}

resource "astro_private_endpoint" "this" {
  name                       = var.name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = var.subnet_id
  private_link_service_alias = var.private_link_service_alias
  request_message            = coalesce(var.request_message, "Astro cluster ${var.cluster_id}: Remote Execution Agents over Private Link")
  tags                       = var.tags
}

resource "astro_private_dns" "this" {
  resource_group_name = var.dns_resource_group_name
  cluster_id          = var.cluster_id
  zone_name           = var.zone_name
  manage_zone         = var.manage_zone
  ip_address          = astro_private_endpoint.this.private_ip_address
  virtual_network_ids = local.virtual_network_ids
  tags                = var.tags
}

# Apply waits here until Astronomer approves the connection; plan never waits.
resource "astro_private_endpoint_approval" "this" {
  count = var.wait_for_approval ? 1 : 0

  private_endpoint_id = astro_private_endpoint.this.id
  timeouts {
    create = var.approval_timeout
  }
}

# Reads the approval state once (a data source never waits), after the approval when
# apply waits for one, so the outputs show the state it ended in.
data "astro_private_endpoint_connection" "this" {
  private_endpoint_id = astro_private_endpoint.this.id
  depends_on          = [astro_private_endpoint_approval.this]
}
