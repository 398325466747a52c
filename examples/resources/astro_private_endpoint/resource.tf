# A Private Endpoint in the agents' subnet, connected by alias to the Private Link Service of
# the Astro cluster (the alias comes from Astronomer support). Astronomer approves the
# connection by hand (astro_private_endpoint_approval waits for it).
resource "astro_private_endpoint" "agents" {
  name                       = "astro-privatelink"
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents/subnets/snet-agents"
  private_link_service_alias = "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
  request_message            = "Astro cluster clxxxxxxxxx, org acme"
  tags                       = { team = "data" }

  # Optional: a static address in the subnet (unset, Azure allocates one), and the
  # application security groups the endpoint joins (unset, Azure's associations are kept).
  private_ip_address             = "10.10.1.10"
  application_security_group_ids = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/applicationSecurityGroups/asg-astro-agents"]

  timeouts {
    create = "45m"
  }
}
