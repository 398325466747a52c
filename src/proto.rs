//! Generated code: prost messages and tonic clients/servers built from `proto/` by `build.rs`.
//! Do not edit; change the `.proto` files instead. The rest of the crate imports the protocol
//! types through these re-exports.

/// Terraform plugin protocol 5 (`tfplugin5.Provider`, `tfplugin5.Provisioner`).
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::large_enum_variant,
    clippy::doc_lazy_continuation
)]
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

/// go-plugin's auxiliary services (`plugin.GRPCController`, `plugin.GRPCStdio`,
/// `plugin.GRPCBroker`).
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::large_enum_variant,
    clippy::doc_lazy_continuation
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
