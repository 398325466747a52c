terraform {
  # removed blocks need Terraform 1.7 or later.
  required_version = ">= 1.7.0"

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
