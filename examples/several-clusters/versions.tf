terraform {
  required_version = ">= 1.11.0"

  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
