# What Astronomer's guide verifies by hand, checked through ARM once the connection is
# approved: the connection, the A record, the zone's links and the agents' network path.
data "astro_private_link_check" "astro" {
  private_endpoint_id = astro_private_endpoint_approval.astro.private_endpoint_id
  dns_record_id       = astro_private_dns.astro.id
}

output "private_link_ok" {
  value = data.astro_private_link_check.astro.ok
}
