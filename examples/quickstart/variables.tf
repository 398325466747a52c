variable "subnet_id" {
  description = "ARM ID of the agents' subnet, where the private endpoint gets its IP."
  type        = string
}

variable "vnet_id" {
  description = "ARM ID of the agents' VNet (the one holding subnet_id); the DNS zone is linked to it."
  type        = string
}

variable "private_link_service_alias" {
  description = "Alias of your Astro cluster's Private Link Service, from Astronomer support."
  type        = string
}

variable "cluster_id" {
  description = "Astro cluster ID (clxxxxxxxxx); names the A record clxxxxxxxxx.external.astronomer.run."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group for the private endpoint (in the VNet's region)."
  type        = string
  default     = "rg-astro-agents"
}

variable "dns_resource_group_name" {
  description = "Resource group for the private DNS zone external.astronomer.run."
  type        = string
  default     = "rg-astro-dns"
}

variable "location" {
  description = "Azure region of the VNet, e.g. eastus."
  type        = string
  default     = "eastus"
}

variable "endpoint_name" {
  description = "Name of the private endpoint."
  type        = string
  default     = "astro-privatelink"
}

variable "approval_timeout" {
  description = "How long apply waits for Astronomer to approve the connection."
  type        = string
  default     = "30m"
}

variable "tags" {
  description = "Tags for the endpoint and the DNS zone."
  type        = map(string)
  default     = {}
}
