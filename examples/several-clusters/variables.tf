variable "clusters" {
  description = "The Astro clusters, by a short key: cluster ID, the alias of its Private Link Service (from Astronomer support), and the subnet for its private endpoint."
  type = map(object({
    cluster_id                 = string
    private_link_service_alias = string
    subnet_id                  = string
  }))
}

variable "zone_owner" {
  description = "Key of the cluster whose astro_private_dns creates and deletes the zone (the others use manage_zone = false)."
  type        = string
}

variable "virtual_network_ids" {
  description = "ARM IDs of the VNets whose agents resolve every cluster; each is linked to the zone once, for all clusters."
  type        = list(string)
}

variable "resource_group_name" {
  description = "Resource group for the private endpoints."
  type        = string
  default     = "rg-astro-agents"
}

variable "dns_resource_group_name" {
  description = "Resource group for the private DNS zone."
  type        = string
  default     = "rg-astro-dns"
}

variable "location" {
  description = "Azure region of the VNets."
  type        = string
  default     = "eastus"
}

variable "approval_timeout" {
  description = "How long apply waits for each approval."
  type        = string
  default     = "30m"
}

variable "tags" {
  description = "Tags for the endpoints, the zone and its links (the same for every cluster, as they share the links)."
  type        = map(string)
  default     = {}
}
