variable "private_endpoint_id" {
  description = "ARM ID of the existing private endpoint (portal: the endpoint's JSON view, Resource ID)."
  type        = string
}

variable "dns_record_id" {
  description = "ARM ID of the existing A record: .../privateDnsZones/external.astronomer.run/A/<cluster_id>."
  type        = string
}

variable "subnet_id" {
  description = "ARM ID of the subnet the endpoint is in."
  type        = string
}

variable "location" {
  description = "Region of the endpoint."
  type        = string
}

variable "private_link_service_alias" {
  description = "The alias the endpoint connects to (from Astronomer support)."
  type        = string
}

variable "connection_name" {
  description = "Name of the endpoint's private link service connection as it exists (the portal names it after the endpoint unless told otherwise)."
  type        = string
}

variable "request_message" {
  description = "The connection's request message as it exists (null if none)."
  type        = string
  default     = null
}

variable "virtual_network_ids" {
  description = "The VNets the zone is linked to."
  type        = list(string)
}

variable "ttl" {
  description = "TTL of the A record as it exists."
  type        = number
  default     = 300
}

variable "tags" {
  description = "Tags on the endpoint as they exist (null: none)."
  type        = map(string)
  default     = null
}
