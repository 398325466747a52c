//! terraform-provider-astro: wires Astronomer's Astro Remote Execution Agents into Azure over
//! Private Link, as a Terraform provider speaking plugin protocol 5.
//!
//! Layout (requests flow down, answers flow back up):
//! - [`plugin`]: the go-plugin contract (handshake, AutoMTLS, controller, stdio); no Azure.
//! - [`tfplugin5`]: the gRPC `Provider` service; converts protocol messages, nothing else.
//! - [`framework`]: cty values and codecs, schemas, plan rules, the Resource traits.
//! - [`provider`]: the Astro provider: its configuration, resources and data source.
//! - [`azure`]: the ARM client (pipeline, credentials, LRO poller, typed IDs, models).
//! - [`logging`]: hclog-style JSON lines on stderr, which Terraform re-emits under TF_LOG.
//! - [`docs`]: renders the registry reference sections of `docs/` from the schemas.
//! - [`sandbox`]: the local Azure imitation behind `astro-azure-sandbox`; shares no types
//!   with [`azure`].

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod azure;
pub mod docs;
pub mod framework;
pub mod logging;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod sandbox;
pub mod tfplugin5;
