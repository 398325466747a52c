# Adopting a private endpoint and DNS made by hand (in the portal, following Astronomer's
# guide) without re-creating them: import blocks take their ARM IDs, and the resource
# blocks describe them as they are. Run `terraform plan` first: it must say
# "2 to import, 0 to add, 0 to change, 0 to destroy". If it wants to change or replace
# something, make the configuration match the existing object before you apply.

provider "astro" {}

import {
  to = astro_private_endpoint.agents
  id = var.private_endpoint_id
}

import {
  to = astro_private_dns.astro
  id = var.dns_record_id
}

locals {
  # .../resourceGroups/<rg>/providers/Microsoft.Network/privateEndpoints/<name>
  endpoint = regex("/resourceGroups/(?P<resource_group_name>[^/]+)/providers/Microsoft.Network/privateEndpoints/(?P<name>[^/]+)$", var.private_endpoint_id)
  # .../resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/<zone>/A/<cluster_id>
  record = regex("/resourceGroups/(?P<resource_group_name>[^/]+)/providers/Microsoft.Network/privateDnsZones/(?P<zone_name>[^/]+)/A/(?P<cluster_id>[^/]+)$", var.dns_record_id)
}

resource "astro_private_endpoint" "agents" {
  name                       = local.endpoint.name
  resource_group_name        = local.endpoint.resource_group_name
  location                   = var.location
  subnet_id                  = var.subnet_id
  private_link_service_alias = var.private_link_service_alias
  connection_name            = var.connection_name
  request_message            = var.request_message
  tags                       = var.tags
}

resource "astro_private_dns" "astro" {
  resource_group_name = local.record.resource_group_name
  zone_name           = local.record.zone_name
  cluster_id          = local.record.cluster_id
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = var.virtual_network_ids
  ttl                 = var.ttl
}

# Reads the approval state once (no waiting): the hand-made connection may be approved already.
data "astro_private_endpoint_connection" "astro" {
  private_endpoint_id = astro_private_endpoint.agents.id
}
