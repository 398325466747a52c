output "private_endpoint_id" {
  description = "ARM ID of the private endpoint (what Astronomer support asks for)."
  value       = astro_private_endpoint.this.id
}

output "private_ip_address" {
  description = "The endpoint's private IP."
  value       = astro_private_endpoint.this.private_ip_address
}

output "fqdn" {
  description = "The cluster's host name inside the linked VNets."
  value       = astro_private_dns.this.fqdn
}

output "zone_id" {
  description = "ARM ID of the private DNS zone."
  value       = astro_private_dns.this.zone_id
}

output "virtual_network_link_ids" {
  description = "VNet ID -> zone link ID."
  value       = astro_private_dns.this.virtual_network_link_ids
}

output "connection_status" {
  description = "Pending, Approved, Rejected or Disconnected."
  value       = data.astro_private_endpoint_connection.this.status
}

output "approved" {
  description = "Whether Astronomer approved the connection."
  value       = data.astro_private_endpoint_connection.this.approved
}
