output "private_endpoint_id" {
  description = "Send this to Astronomer support when asking for approval."
  value       = astro_private_endpoint.agents.id
}

output "private_ip_address" {
  description = "The endpoint's private IP in the agents' subnet."
  value       = astro_private_endpoint.agents.private_ip_address
}

output "fqdn" {
  description = "The cluster's host name, resolving to private_ip_address inside the linked VNet."
  value       = astro_private_dns.astro.fqdn
}

output "connection_status" {
  description = "Approval state of the connection as Astronomer's side reports it."
  value       = astro_private_endpoint_approval.astro.status
}

output "approved" {
  value = astro_private_endpoint_approval.astro.status == "Approved"
}

output "approval_description" {
  description = "The approver's message."
  value       = astro_private_endpoint_approval.astro.description
}

output "private_link_checks" {
  description = "astro_private_link_check: check name -> passed."
  value       = { for c in data.astro_private_link_check.astro.checks : c.name => c.ok }
}
