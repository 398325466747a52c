# Hub and spoke: one private endpoint in the hub VNet and one zone external.astronomer.run
# linked to the hub and to every spoke. Agents in a spoke resolve the cluster through the
# zone link and reach the endpoint's IP over their peering with the hub, so Astronomer
# support approves a single connection. The spokes' NSGs must allow outbound 443 to it.

provider "astro" {}

module "hub" {
  source = "../modules/astro-privatelink"

  name                       = "astro-privatelink-hub"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = var.hub_subnet_id
  extra_virtual_network_ids  = var.spoke_vnet_ids
  dns_resource_group_name    = var.dns_resource_group_name
  private_link_service_alias = var.private_link_service_alias
  cluster_id                 = var.cluster_id
  approval_timeout           = var.approval_timeout
  tags                       = var.tags
}
