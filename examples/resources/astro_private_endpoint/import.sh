# A private endpoint is imported by its ARM ID.
terraform import astro_private_endpoint.agents /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink
