# Each value is what the azurerm resource held: `terraform state show <address>` before
# the move prints them.

variable "private_endpoint_id" {
  description = "azurerm_private_endpoint: id."
  type        = string
}

variable "dns_record_id" {
  description = "azurerm_private_dns_a_record: id (.../privateDnsZones/external.astronomer.run/A/<cluster_id>)."
  type        = string
}

variable "name" {
  description = "azurerm_private_endpoint: name."
  type        = string
}

variable "resource_group_name" {
  description = "azurerm_private_endpoint: resource_group_name."
  type        = string
}

variable "location" {
  description = "azurerm_private_endpoint: location."
  type        = string
}

variable "subnet_id" {
  description = "azurerm_private_endpoint: subnet_id."
  type        = string
}

variable "private_link_service_alias" {
  description = "azurerm_private_endpoint: private_service_connection.private_connection_resource_alias."
  type        = string
}

variable "connection_name" {
  description = "azurerm_private_endpoint: private_service_connection.name."
  type        = string
}

variable "request_message" {
  description = "azurerm_private_endpoint: private_service_connection.request_message."
  type        = string
}

variable "dns_resource_group_name" {
  description = "azurerm_private_dns_zone: resource_group_name."
  type        = string
}

variable "cluster_id" {
  description = "azurerm_private_dns_a_record: name (the Astro cluster ID)."
  type        = string
}

variable "virtual_network_ids" {
  description = "azurerm_private_dns_zone_virtual_network_link: virtual_network_id, one per link."
  type        = list(string)
}

variable "ttl" {
  description = "azurerm_private_dns_a_record: ttl."
  type        = number
  default     = 300
}
