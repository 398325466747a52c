# Apply waits here until Astronomer approves the endpoint's connection; plan never waits.
# Whatever must run only over an approved link depends on this resource.
resource "astro_private_endpoint_approval" "astro" {
  private_endpoint_id = astro_private_endpoint.agents.id

  timeouts {
    create = "45m"
  }
}
