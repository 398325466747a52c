//! terraform-provider-astro: wires Astronomer's Astro Remote Execution Agents into Azure over
//! Private Link, as a Terraform provider speaking plugin protocol 5.

pub mod logging;
pub mod plugin;
pub mod proto;
/// The tfplugin5 Provider service (for now only a stand-in, see [`tfplugin5::stub`]).
pub mod tfplugin5 {
    pub mod stub;
}
