terraform {
  # The provider's floor, 1.11 (tested with 1.11.4); removed blocks alone need 1.7.
  required_version = ">= 1.11.0"

  required_providers {
    # Still needed while the state holds azurerm resources, and for anything else azurerm
    # manages in your configuration (the VNet, the subnet...).
    azurerm = {
      source = "hashicorp/azurerm"
    }
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
