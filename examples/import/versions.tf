terraform {
  # The provider's floor, 1.11 (tested with 1.11.4); import blocks alone need 1.5, and an
  # id from a variable 1.6.
  required_version = ">= 1.11.0"

  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
