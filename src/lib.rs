//! terraform-provider-astro: wires Astronomer's Astro Remote Execution Agents into Azure over
//! Private Link, as a Terraform provider speaking plugin protocol 5.

pub mod sandbox;
