terraform {
  # import blocks whose id comes from a variable need Terraform 1.6 or later.
  required_version = ">= 1.6.0"

  required_providers {
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
