# Two (or more) VNets, each with agents of its own and no peering between them: every VNet
# gets its own private endpoint and its own zone external.astronomer.run in its own resource
# group, linked to that VNet only (a VNet can be linked to one zone of a given name).
# Astronomer support approves one connection per VNet.

provider "astro" {}

module "privatelink" {
  source   = "../modules/astro-privatelink"
  for_each = var.vnets

  name                       = "astro-privatelink-${each.key}"
  resource_group_name        = each.value.resource_group_name
  location                   = each.value.location
  subnet_id                  = each.value.subnet_id
  dns_resource_group_name    = each.value.dns_resource_group_name
  private_link_service_alias = var.private_link_service_alias
  cluster_id                 = var.cluster_id
  approval_timeout           = var.approval_timeout
  tags                       = merge(var.tags, { vnet = each.key })
}
