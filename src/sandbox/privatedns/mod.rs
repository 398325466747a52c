//! Private DNS resources (api 2020-06-01, 2024-06-01), one file per ARM resource type, plus
//! the helpers they share: etags, If-Match / If-None-Match preconditions, the tag names the
//! service keeps, and the start of a long-running operation.

pub mod record_sets;
pub mod virtual_network_links;
pub mod zones;

use axum::http::StatusCode;

use crate::sandbox::arm::body;
use crate::sandbox::arm::lro::{self, OpScope};
use crate::sandbox::arm::route::Scope;
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{OpKind, Resource, World, network_id};

/// The tags a zone or link keeps of those a write sends. Microsoft's tag documentation
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources,
/// "Limitations") says DNS zones do not support spaces or parentheses in a tag name, a name
/// that starts with a number, or special and Unicode characters in names (values may hold any
/// character); the service drops such names without an error (terraform-provider-azurerm
/// #6129). "Special" is read here as anything but ASCII letters, digits, `-` and `_`.
pub fn accepted_tags(tags: body::Tags) -> body::Tags {
    tags.into_iter()
        .filter(|(name, _)| tag_name_kept(name))
        .collect()
}

fn tag_name_kept(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A fresh Private DNS etag (a GUID, as the service returns them).
pub fn etag() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn unquote(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.trim_matches('"')
}

/// Applies If-Match / If-None-Match to a write on `existing` (412 `PreconditionFailed`).
pub fn check_preconditions(
    ctx: &Ctx<'_>,
    existing: Option<&Resource>,
    what: &str,
) -> Result<(), ArmError> {
    let current = existing.and_then(|r| r.body["etag"].as_str());
    if let Some(none_match) = ctx.header("if-none-match") {
        let blocked = match (none_match.trim(), current) {
            ("*", Some(_)) => true,
            (tag, Some(cur)) => unquote(tag) == unquote(cur),
            (_, None) => false,
        };
        if blocked {
            return Err(ArmError::precondition_failed(&format!(
                "{what}: it already exists and If-None-Match is '{none_match}'"
            )));
        }
    }
    if let Some(if_match) = ctx.header("if-match") {
        let ok = match (if_match.trim(), current) {
            (_, None) => false,
            ("*", Some(_)) => true,
            (tag, Some(cur)) => unquote(tag) == unquote(cur),
        };
        if !ok {
            return Err(ArmError::precondition_failed(&format!(
                "{what}: If-Match '{if_match}' does not match the current etag"
            )));
        }
    }
    Ok(())
}

/// Starts a Private DNS long-running operation of `kind` on `id` and returns the 202 answer
/// every one of them starts with (operation URLs and Retry-After).
pub fn start_operation(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    kind: OpKind,
    id: &str,
) -> ArmResponse {
    let scope = OpScope::PrivateDns {
        sub: &scope.sub,
        rg: &scope.rg,
    };
    let op = lro::start(world, ctx, scope, kind, id);
    ArmResponse::empty(StatusCode::ACCEPTED)
        .with_header("location", op.result_url.clone())
        .with_header("azure-asyncoperation", op.status_url.clone())
        .with_header("retry-after", lro::retry_after(ctx))
}

/// The id of a zone.
pub fn zone_id(scope: &Scope, zone: &str) -> String {
    network_id(&scope.sub, &scope.rg, &format!("privateDnsZones/{zone}"))
}

/// 404 `ParentResourceNotFound` for a child of a missing zone.
pub fn parent_not_found(zone: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "ParentResourceNotFound",
        format!(
            "Can not perform requested operation on nested resource. Parent resource '{zone}' not found."
        ),
    )
}

/// Checks that `location` is `global` (any casing).
pub fn require_global(location: &Option<String>) -> Result<(), ArmError> {
    let location = crate::sandbox::arm::body::require_location(location)?;
    if location.eq_ignore_ascii_case("global") {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidLocation",
            format!("The location '{location}' is not valid for Private DNS; it must be 'global'."),
        )
        .with_target("location"))
    }
}
