//! Compiles the protocol definitions in `proto/` into Rust (prost messages, tonic clients and
//! servers) with protox, so no system `protoc` is needed.

use std::error::Error;

/// The protocol files we compile, relative to the crate root.
const PROTOS: &[&str] = &[
    "proto/tfplugin5.proto",
    "proto/grpc_controller.proto",
    "proto/grpc_stdio.proto",
    "proto/grpc_broker.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=proto");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let fds = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
