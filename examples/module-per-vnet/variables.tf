variable "vnets" {
  description = "One entry per VNet: its agents' subnet, where its endpoint lives and where its zone lives (a different resource group per VNet: zones of the same name cannot share one)."
  type = map(object({
    subnet_id               = string
    resource_group_name     = string
    location                = string
    dns_resource_group_name = string
  }))
}

variable "private_link_service_alias" {
  description = "Alias of your Astro cluster's Private Link Service, from Astronomer support."
  type        = string
}

variable "cluster_id" {
  description = "Astro cluster ID (clxxxxxxxxx)."
  type        = string
}

variable "approval_timeout" {
  description = "How long apply waits for each connection's approval."
  type        = string
  default     = "30m"
}

variable "tags" {
  description = "Tags for every endpoint and zone."
  type        = map(string)
  default     = {}
}
