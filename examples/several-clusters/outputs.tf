output "fqdns" {
  description = "Cluster key -> the cluster's host name in every linked VNet."
  value       = merge({ (var.zone_owner) = astro_private_dns.zone_owner.fqdn }, { for key, unit in astro_private_dns.cluster : key => unit.fqdn })
}

output "private_ip_addresses" {
  description = "Cluster key -> its endpoint's private IP."
  value       = { for key, pe in astro_private_endpoint.cluster : key => pe.private_ip_address }
}

output "virtual_network_link_ids" {
  description = "VNet ID -> its zone link, shared by every cluster."
  value       = astro_private_dns.zone_owner.virtual_network_link_ids
}

output "zone_records" {
  description = "Cluster key -> what its zone_records check found: the names the linked VNets resolve privately."
  value       = { for key, c in data.astro_private_link_check.cluster : key => one([for x in c.checks : x.detail if x.name == "zone_records"]) }
}

output "private_link_ok" {
  description = "Cluster key -> whether every check passed."
  value       = { for key, c in data.astro_private_link_check.cluster : key => c.ok }
}
