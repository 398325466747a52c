# terraform test for the module, with Terraform's mock of this provider: nothing reaches
# Azure. Run from the module's directory: terraform init && terraform test

mock_provider "astro" {
  mock_resource "astro_private_endpoint" {
    defaults = {
      id                 = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
      private_ip_address = "10.10.1.4"
      connection_closed  = false
    }
  }

  mock_data "astro_private_endpoint_connection" {
    defaults = {
      status   = "Pending"
      approved = false
    }
  }
}

variables {
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents/subnets/snet-agents"
  private_link_service_alias = "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
  cluster_id                 = "clxxxxxxxxx"
  dns_resource_group_name    = "rg-astro-dns"
  wait_for_approval          = false
}

run "links_the_zone_to_the_subnets_vnet" {
  command = plan

  assert {
    condition     = astro_private_dns.this.virtual_network_ids == toset(["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents"])
    error_message = "the zone must be linked to the VNet of the agents' subnet"
  }

  assert {
    condition     = startswith(astro_private_endpoint.this.request_message, "Astro cluster clxxxxxxxxx")
    error_message = "the default request message names the cluster"
  }
}

run "links_extra_vnets_once_each" {
  command = plan

  variables {
    extra_virtual_network_ids = [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub",
    ]
  }

  assert {
    condition     = length(astro_private_dns.this.virtual_network_ids) == 2
    error_message = "the subnet's VNet given again must not be linked twice"
  }
}

run "refuses_a_subnet_id_that_is_not_one" {
  command = plan

  variables {
    subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents"
  }

  expect_failures = [var.subnet_id]
}

run "outputs_after_apply" {
  command = apply

  assert {
    condition     = output.private_ip_address == "10.10.1.4"
    error_message = "private_ip_address comes from the endpoint"
  }

  assert {
    condition     = output.connection_status == "Pending"
    error_message = "connection_status comes from the connection data source"
  }
}
