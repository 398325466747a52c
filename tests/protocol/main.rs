//! Protocol tests: an in-process client speaking tfplugin5 the way Terraform does drives
//! [`ProviderService`](astro_provider::tfplugin5::ProviderService) over a real gRPC connection,
//! with a test-double provider (`double.rs` beside this file) behind it, and asserts the
//! messages that come back: schemas, diagnostics and their attribute paths, planned and new
//! states, requires_replace, private bytes and gRPC statuses.

mod double;
mod harness;

mod apply;
mod encodings;
mod hooks;
mod invariants;
mod plan;
mod provider_config;
mod read;
mod schema;
mod stop;
mod timeouts_block;
mod unimplemented;
mod upgrade_state;
mod validation;
mod whole_run;

use std::time::{Duration, Instant};

use astro_provider::framework::json;
use astro_provider::framework::path::AttributePath;
use astro_provider::framework::schema::{AttrDefault, Schema};
use astro_provider::framework::timeouts::{self, Operation};
use astro_provider::framework::types::Type;
use astro_provider::framework::value::Value;
use astro_provider::proto::tfplugin5 as pb;
use pb::schema::nested_block::NestingMode;
use tonic::Code;

use provider_config::{configure, prepare};
use upgrade_state::upgrade;

use double::{DEFAULT_TIER, DOWN_ENDPOINT, LOOKUP, THING, THING_TIMEOUTS};
use harness::{
    PRIVATE, TF_VERSION, Tf, apply_call, assert_severities_valid, dv, error_paths, errors, map, n,
    object_of, path_of, s, set, undv, with,
};

fn root() -> AttributePath {
    AttributePath::root()
}

/// A full configuration touching every configurable attribute.
fn full_config(tf: &Tf, name: &str) -> Value {
    tf.thing_config(&[
        ("name", s(name)),
        ("description", s("first")),
        ("location", s("eastus")),
        ("size", n(5)),
        ("enabled", Value::Bool(true)),
        ("ip_address", s("10.0.0.4")),
        ("tags", map(&[("team", "data")])),
        ("zones", set(&["1", "2"])),
        ("secret", s("hunter2")),
    ])
}

fn timeouts_value(create: Option<&str>) -> Value {
    Value::object([
        ("create", create.map(s).unwrap_or(Value::Null)),
        ("read", Value::Null),
        ("update", Value::Null),
        ("delete", Value::Null),
    ])
}
