terraform {
  required_version = ">= 1.11.0"

  required_providers {
    # Astronomer's own provider manages Astro itself (workspaces, deployments, clusters).
    # Its default local name would also be "astro", so it gets another one here.
    astronomer = {
      source = "astronomer/astro"
    }
    # This provider wires the Private Link on Azure; it keeps the local name "astro", so
    # astro_private_endpoint and astro_private_dns need no provider argument.
    astro = {
      source = "astro-privatelink/astro"
    }
  }
}
