variable "hub_subnet_id" {
  description = "ARM ID of the hub subnet that holds the private endpoint."
  type        = string
}

variable "spoke_vnet_ids" {
  description = "ARM IDs of the spoke VNets (peered with the hub) whose agents use the endpoint."
  type        = list(string)
}

variable "private_link_service_alias" {
  description = "Alias of your Astro cluster's Private Link Service, from Astronomer support."
  type        = string
}

variable "cluster_id" {
  description = "Astro cluster ID (clxxxxxxxxx)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group for the private endpoint."
  type        = string
  default     = "rg-astro-agents"
}

variable "dns_resource_group_name" {
  description = "Resource group for the private DNS zone."
  type        = string
  default     = "rg-astro-dns"
}

variable "location" {
  description = "Azure region of the hub VNet."
  type        = string
  default     = "eastus"
}

variable "approval_timeout" {
  description = "How long apply waits for approval."
  type        = string
  default     = "30m"
}

variable "tags" {
  description = "Tags for the endpoint and the zone."
  type        = map(string)
  default     = {}
}
