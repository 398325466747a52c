# The private DNS zone external.astronomer.run, the cluster's A record pointing at the
# endpoint's private IP, and a link from the zone to every VNet whose agents resolve it.
resource "astro_private_dns" "astro" {
  resource_group_name = "rg-astro-dns"
  cluster_id          = "clxxxxxxxxx"
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents"]

  # On the zone and on every VNet link.
  tags = { team = "data" }
}
