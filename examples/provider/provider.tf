terraform {
  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}

# Credentials come from the same ARM_* environment variables azurerm reads
# (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_USE_OIDC...).
provider "astro" {
  subscription_id = "00000000-0000-0000-0000-000000000000" # or ARM_SUBSCRIPTION_ID
}
