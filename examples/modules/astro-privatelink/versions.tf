terraform {
  # The provider's floor, 1.11 (tested with 1.11.4); the mocks of tests/*.tftest.hcl alone
  # need 1.7.
  required_version = ">= 1.11.0"

  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
