output "private_endpoint_ids" {
  description = "VNet key -> private endpoint ID (send these to Astronomer support)."
  value       = { for k, m in module.privatelink : k => m.private_endpoint_id }
}

output "private_ip_addresses" {
  description = "VNet key -> the endpoint's private IP."
  value       = { for k, m in module.privatelink : k => m.private_ip_address }
}

output "connection_statuses" {
  description = "VNet key -> approval state."
  value       = { for k, m in module.privatelink : k => m.connection_status }
}

output "zone_ids" {
  description = "VNet key -> the zone serving that VNet."
  value       = { for k, m in module.privatelink : k => m.zone_id }
}
