# Terraform 1.5 and later: an import block, planned and applied like any change.
import {
  to = astro_private_endpoint.agents
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
}
