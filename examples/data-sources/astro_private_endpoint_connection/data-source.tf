# The endpoint's connection as Azure reports it now (read once, no waiting).
data "astro_private_endpoint_connection" "astro" {
  private_endpoint_id = astro_private_endpoint.agents.id
}

output "connection_status" {
  value = data.astro_private_endpoint_connection.astro.status
}
