terraform {
  required_version = ">= 1.5.0"

  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
