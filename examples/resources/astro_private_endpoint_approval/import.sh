# An approved connection is imported by the endpoint's ARM ID.
terraform import astro_private_endpoint_approval.astro /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink
