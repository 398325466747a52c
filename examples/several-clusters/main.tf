# Several Astro clusters behind the same VNets: one private endpoint per cluster, one private
# DNS zone external.astronomer.run holding every cluster's A record, and one link per VNet
# that all clusters share (Azure links a VNet to a zone once). The zone owner's unit creates
# and deletes the zone; every other cluster's unit only adds its record (manage_zone = false).
#
# A VNet linked to the zone resolves only the names the zone holds: every other name under
# external.astronomer.run answers NXDOMAIN there, also for a cluster that is not on Private
# Link (Azure's NxDomainRedirect fallback is for privatelink.* zones only). So every cluster
# the agents in these VNets use must be listed in var.clusters.

provider "astro" {}

locals {
  # The clusters that join the zone owner's zone.
  joining = { for key, c in var.clusters : key => c if key != var.zone_owner }
}

resource "astro_private_endpoint" "cluster" {
  for_each = var.clusters

  name                       = "astro-privatelink-${each.key}"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = each.value.subnet_id
  private_link_service_alias = each.value.private_link_service_alias
  request_message            = "Astro cluster ${each.value.cluster_id}: Remote Execution Agents over Private Link"
  tags                       = var.tags
}

# The zone, the zone owner's record and the VNets' links.
resource "astro_private_dns" "zone_owner" {
  resource_group_name = var.dns_resource_group_name
  cluster_id          = var.clusters[var.zone_owner].cluster_id
  ip_address          = astro_private_endpoint.cluster[var.zone_owner].private_ip_address
  virtual_network_ids = var.virtual_network_ids
  tags                = var.tags
}

# Every other cluster: its record in the same zone, sharing the links of the same VNets. One
# leaving (removed from var.clusters) deletes only its record; the links stay for the others.
resource "astro_private_dns" "cluster" {
  for_each = local.joining

  resource_group_name = astro_private_dns.zone_owner.resource_group_name
  zone_name           = astro_private_dns.zone_owner.zone_name
  manage_zone         = false
  cluster_id          = each.value.cluster_id
  ip_address          = astro_private_endpoint.cluster[each.key].private_ip_address
  virtual_network_ids = var.virtual_network_ids
  tags                = var.tags
}

# Apply waits until Astronomer approves each connection; plan never waits.
resource "astro_private_endpoint_approval" "cluster" {
  for_each = var.clusters

  private_endpoint_id = astro_private_endpoint.cluster[each.key].id
  timeouts {
    create = var.approval_timeout
  }
}

locals {
  dns_record_ids = merge(
    { (var.zone_owner) = astro_private_dns.zone_owner.id },
    { for key, unit in astro_private_dns.cluster : key => unit.id },
  )
}

# Each cluster's checks; zone_records lists the names the linked VNets resolve privately.
data "astro_private_link_check" "cluster" {
  for_each = var.clusters

  private_endpoint_id = astro_private_endpoint_approval.cluster[each.key].private_endpoint_id
  dns_record_id       = local.dns_record_ids[each.key]
  agent_subnet_ids    = [for c in var.clusters : c.subnet_id]

  # Every record is in the zone before zone_records lists them.
  depends_on = [astro_private_dns.zone_owner, astro_private_dns.cluster]
}

check "astro_private_link" {
  assert {
    condition     = alltrue([for c in data.astro_private_link_check.cluster : c.ok])
    error_message = join("\n", flatten([for key, c in data.astro_private_link_check.cluster : [for x in c.checks : "${key} ${x.name}: ${x.detail}\nFix: ${x.fix}" if !x.ok]]))
  }
}
