//! ARM list paging, one rule for every list the sandbox serves: a page holds `$top` items
//! (the Private DNS lists' parameter; default 100, as PrivateZones_List documents) or the
//! sandbox's `list_page_size` fault setting when set, and a further page is announced by a
//! `nextLink` that repeats the request's path with `$skipToken` (the lists' `x-ms-pageable`
//! `nextLinkName` in the REST definitions). Subscription-scope lists of the network types
//! (`/subscriptions/{sub}/providers/Microsoft.Network/{type}`) are answered here too.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, World};
use crate::sandbox::views;

/// Page size of a list when neither `$top` nor `list_page_size` says otherwise.
pub const DEFAULT_TOP: usize = 100;

/// One page of `items` as the request (`$top`, `$skipToken`) asks for it.
pub fn page(ctx: &Ctx<'_>, items: Vec<Value>) -> Result<ArmResponse, ArmError> {
    let asked_top = ctx.query_param("$top");
    let top = match &asked_top {
        None if ctx.faults.list_page_size > 0 => ctx.faults.list_page_size,
        None => DEFAULT_TOP,
        Some(t) => t.parse::<usize>().ok().filter(|t| *t > 0).ok_or_else(|| {
            ArmError::bad_request(
                "BadRequest",
                format!("$top '{t}' is not a positive number."),
            )
        })?,
    };
    let skip = match ctx.query_param("$skipToken") {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            ArmError::bad_request("BadRequest", format!("$skipToken '{t}' is invalid."))
        })?,
    };
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({"value": value});
    if skip + top < total {
        let top_param = asked_top.map(|t| format!("&$top={t}")).unwrap_or_default();
        body["nextLink"] = json!(format!(
            "{}{}?api-version={}{top_param}&$skipToken={}",
            ctx.endpoint,
            ctx.path,
            ctx.api_version,
            skip + top
        ));
    }
    Ok(ArmResponse::json(StatusCode::OK, body))
}

/// Every resource of `kind` in subscription `sub`, rendered as a GET answers it, paged.
pub fn subscription_list(
    world: &World,
    ctx: &Ctx<'_>,
    sub: &str,
    kind: Kind,
) -> Result<ArmResponse, ArmError> {
    world.require_sub(sub)?;
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let items = world
        .of_kind(kind)
        .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
        .map(|r| views::render(world, r))
        .collect();
    page(ctx, items)
}
