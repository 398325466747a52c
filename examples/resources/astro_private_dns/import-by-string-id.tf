# Terraform 1.5 and later: an import block, planned and applied like any change.
import {
  to = astro_private_dns.astro
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/clxxxxxxxxx"
}
