# Moving a Private Link made with azurerm (as in Astronomer's guide) to this provider
# without touching Azure: the azurerm resources leave the state without being destroyed,
# and the same Azure objects are imported into astro_private_endpoint and astro_private_dns.
# Delete the azurerm_* resource blocks these removed blocks replace, then run `terraform plan`:
# it must say "2 to import, 0 to add, 0 to change, 0 to destroy" and warn that the four
# azurerm objects "will no longer be managed by Terraform". If it wants to change or replace
# something of ours, make the configuration match the existing objects before you apply.

provider "azurerm" {
  features {}
}

provider "astro" {}

removed {
  from = azurerm_private_endpoint.astro
  lifecycle {
    destroy = false
  }
}

removed {
  from = azurerm_private_dns_zone.astro
  lifecycle {
    destroy = false
  }
}

removed {
  from = azurerm_private_dns_a_record.astro
  lifecycle {
    destroy = false
  }
}

removed {
  from = azurerm_private_dns_zone_virtual_network_link.astro
  lifecycle {
    destroy = false
  }
}

# The endpoint: the ID azurerm_private_endpoint.astro had (`terraform state show`).
import {
  to = astro_private_endpoint.agents
  id = var.private_endpoint_id
}

# Zone, A record and VNet links in one: the ID of the A record azurerm_private_dns_a_record
# managed. The link azurerm made is adopted as it is, under its name.
import {
  to = astro_private_dns.astro
  id = var.dns_record_id
}

resource "astro_private_endpoint" "agents" {
  name                       = var.name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = var.subnet_id
  private_link_service_alias = var.private_link_service_alias
  # azurerm's private_service_connection.name and .request_message
  connection_name = var.connection_name
  request_message = var.request_message
}

resource "astro_private_dns" "astro" {
  resource_group_name = var.dns_resource_group_name
  cluster_id          = var.cluster_id
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = var.virtual_network_ids
  ttl                 = var.ttl
}
