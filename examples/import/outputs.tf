output "private_ip_address" {
  value = astro_private_endpoint.agents.private_ip_address
}

output "fqdn" {
  value = astro_private_dns.astro.fqdn
}

output "connection_status" {
  value = data.astro_private_endpoint_connection.astro.status
}
