# A DNS unit is imported by the ARM ID of its A record; the zone and its links come with it.
terraform import astro_private_dns.astro /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/clxxxxxxxxx
