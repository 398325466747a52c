variable "name" {
  description = "Name of the private endpoint (unique in its resource group)."
  type        = string
  default     = "astro-privatelink"
}

variable "resource_group_name" {
  description = "Resource group for the private endpoint."
  type        = string
}

variable "location" {
  description = "Azure region of the VNet, e.g. eastus."
  type        = string
}

variable "subnet_id" {
  description = "ARM ID of the agents' subnet; its VNet is linked to the DNS zone."
  type        = string

  validation {
    condition     = can(regex("^(.+)/subnets/[^/]+$", var.subnet_id))
    error_message = "subnet_id must be a subnet's ARM ID (.../virtualNetworks/<vnet>/subnets/<subnet>)."
  }
}

variable "extra_virtual_network_ids" {
  description = "Other VNets whose agents resolve the cluster through this zone (they must reach the endpoint, e.g. by peering)."
  type        = list(string)
  default     = []
}

variable "private_link_service_alias" {
  description = "Alias of the Astro cluster's Private Link Service, from Astronomer support."
  type        = string
}

variable "cluster_id" {
  description = "Astro cluster ID (clxxxxxxxxx); the A record's name."
  type        = string
}

variable "request_message" {
  description = "Message shown to Astronomer support with the connection request (default names the cluster)."
  type        = string
  default     = null
}

variable "dns_resource_group_name" {
  description = "Resource group for the private DNS zone."
  type        = string
}

variable "zone_name" {
  description = "Private DNS zone name."
  type        = string
  default     = "external.astronomer.run"
}

variable "manage_zone" {
  description = "true: the module creates and deletes the zone. false: the zone exists already and only the record and links are managed."
  type        = bool
  default     = true
}

variable "wait_for_approval" {
  description = "Whether apply waits until Astronomer approves the connection."
  type        = bool
  default     = true
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
