variable "astro_organization_id" {
  description = "Astro Organization ID (Astro UI: Organization settings)."
  type        = string
}

variable "cluster_id" {
  description = "Astro cluster ID, e.g. clxxxxxxxxx (Astro UI: the cluster's details)."
  type        = string
}

variable "private_link_service_alias" {
  description = "The Private Link Service alias Astronomer support sent for the cluster."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group for the endpoint and the private DNS zone."
  type        = string
}

variable "location" {
  description = "Azure region of the agents' VNet."
  type        = string
}

variable "subnet_id" {
  description = "ARM ID of the agents' subnet."
  type        = string
}

variable "virtual_network_id" {
  description = "ARM ID of the agents' VNet (the private DNS zone is linked to it)."
  type        = string
}
