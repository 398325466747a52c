output "private_endpoint_id" {
  description = "The hub endpoint's ID (send it to Astronomer support)."
  value       = module.hub.private_endpoint_id
}

output "private_ip_address" {
  description = "The hub endpoint's private IP, reached from the spokes over peering."
  value       = module.hub.private_ip_address
}

output "fqdn" {
  description = "The cluster's host name in every linked VNet."
  value       = module.hub.fqdn
}

output "virtual_network_link_ids" {
  description = "VNet ID -> zone link ID (the hub and each spoke)."
  value       = module.hub.virtual_network_link_ids
}

output "connection_status" {
  value = module.hub.connection_status
}
