# Astronomer's provider and this one in one module. Both name their resource types astro_*,
# and Terraform picks a resource's provider from the prefix of its type ("astro"): every
# resource of Astronomer's provider therefore says `provider = astronomer`.

provider "astronomer" {
  organization_id = var.astro_organization_id
  # token: ASTRO_API_TOKEN in the environment
}

provider "astro" {}

# Astronomer's provider: a workspace for the agents' Deployment.
resource "astro_workspace" "agents" {
  provider = astronomer

  name                  = "remote-agents"
  description           = "Deployments whose Remote Execution Agents run in Azure"
  cicd_enforced_default = true
}

# This provider: the Private Link from the agents' VNet to the Astro cluster.
resource "astro_private_endpoint" "agents" {
  name                       = "astro-privatelink"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  subnet_id                  = var.subnet_id
  private_link_service_alias = var.private_link_service_alias
  request_message            = "Astro cluster ${var.cluster_id}, workspace remote-agents"
}

resource "astro_private_dns" "astro" {
  resource_group_name = var.resource_group_name
  cluster_id          = var.cluster_id
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = [var.virtual_network_id]
}
