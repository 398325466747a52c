//! `Microsoft.Network/privateDnsZones/{A|SOA}` record sets (RecordSets_CreateOrUpdate / Get /
//! Delete / List / ListByType). Synchronous: PUT 201 (create) / 200 (update), DELETE 200 /
//! 204. Names are lower-cased, `fqdn` ends with a dot, If-Match / If-None-Match apply.

use std::net::Ipv4Addr;
use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{check_preconditions, etag, parent_not_found, zone_id};
use crate::sandbox::arm::body;
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, Resource, World};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutBody {
    #[allow(dead_code)]
    etag: Option<String>,
    properties: Option<PutProps>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutProps {
    ttl: Option<i64>,
    metadata: Option<std::collections::BTreeMap<String, String>>,
    a_records: Option<Vec<ARecord>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ARecord {
    ipv4_address: Option<String>,
}

/// The TTL used when a PUT omits `ttl`.
pub const DEFAULT_TTL: i64 = 3600;

fn fqdn(zone: &str, name: &str) -> String {
    if name == "@" {
        format!("{}.", zone.to_ascii_lowercase())
    } else {
        format!("{name}.{}.", zone.to_ascii_lowercase())
    }
}

/// Creates the SOA record set `@` of a new zone.
pub fn create_soa(world: &mut World, zone_id: &str, zone: &str) {
    let id = format!("{zone_id}/SOA/@");
    let body = json!({
        "id": id,
        "name": "@",
        "type": "Microsoft.Network/privateDnsZones/SOA",
        "etag": etag(),
        "properties": {
            "ttl": 3600,
            "fqdn": fqdn(zone, "@"),
            "isAutoRegistered": false,
            "soaRecord": {
                "host": "azureprivatedns.net",
                "email": "azureprivatedns-host.microsoft.com",
                "serialNumber": 1,
                "refreshTime": 3600,
                "retryTime": 300,
                "expireTime": 2419200,
                "minimumTtl": 10
            }
        }
    });
    world.insert(Resource {
        id,
        kind: Kind::RecordSet,
        body,
        seeded: false,
        created_at: Instant::now(),
        busy: None,
    });
}

/// Handles record set operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    let (scope, zone) = match &op.target {
        Target::RecordSets(s, z, _) | Target::RecordSet(s, z, _, _) => (s, z),
        _ => return Err(ArmError::method_not_allowed("this method", "recordSets")),
    };
    world.require_rg(&scope.sub, &scope.rg)?;
    let zid = zone_id(scope, zone);
    if world.get(&zid).is_none() {
        return Err(parent_not_found(zone));
    }
    match (&op.target, op.verb) {
        (Target::RecordSets(_, _, rtype), Verb::Get) => {
            let suffix = rtype
                .as_ref()
                .map(|t| format!("/{}/", t.to_ascii_lowercase()));
            let zone_key = zid.to_ascii_lowercase();
            let value: Vec<Value> = world
                .under(&zid, Kind::RecordSet)
                .into_iter()
                .filter(|r| {
                    suffix
                        .as_ref()
                        .is_none_or(|s| r.id.to_ascii_lowercase()[zone_key.len()..].starts_with(s))
                })
                .map(|r| r.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::RecordSet(_, _, rtype, name), verb) => {
            let name = name.to_ascii_lowercase();
            let id = format!("{}/{rtype}/{name}", world.canonical_id(&zid));
            match verb {
                Verb::Get => match world.get(&id) {
                    Some(r) if !World::hidden_by_window(r, ctx.faults) => Ok(with_etag(
                        ArmResponse::json(StatusCode::OK, r.body.clone()),
                        &r.body,
                    )),
                    _ => Err(ArmError::resource_not_found(
                        "Microsoft.Network/privateDnsZones",
                        &format!("{zone}/{rtype}/{name}"),
                        &scope.rg,
                    )),
                },
                Verb::Put => put(world, ctx, scope, zone, &name, &id),
                Verb::Patch => patch(world, ctx, scope, zone, &id, &name),
                Verb::Delete => delete(world, ctx, &id, &name),
                Verb::Post => Err(ArmError::method_not_allowed("POST", rtype)),
            }
        }
        _ => Err(ArmError::method_not_allowed("this method", "recordSets")),
    }
}

fn with_etag(response: ArmResponse, body: &Value) -> ArmResponse {
    match body["etag"].as_str() {
        Some(tag) => response.with_header("etag", tag.to_string()),
        None => response,
    }
}

fn parse_records(props: &PutProps) -> Result<Vec<Value>, ArmError> {
    let mut out = Vec::new();
    for (i, record) in props.a_records.as_deref().unwrap_or(&[]).iter().enumerate() {
        let path = format!("properties.aRecords[{i}].ipv4Address");
        let ip = body::require(&record.ipv4_address, &path, "BadRequest")?;
        if ip.parse::<Ipv4Addr>().is_err() {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!("The IPv4 address '{ip}' is invalid."),
            )
            .with_target(path));
        }
        out.push(json!({"ipv4Address": ip}));
    }
    Ok(out)
}

fn put(
    world: &mut World,
    ctx: &Ctx<'_>,
    _scope: &Scope,
    zone: &str,
    name: &str,
    id: &str,
) -> Result<ArmResponse, ArmError> {
    if name.is_empty() || name.len() > 253 || name.split('.').any(|l| l.is_empty() || l.len() > 63)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The record set name '{name}' is invalid."),
        ));
    }
    check_preconditions(ctx, world.get(id), &format!("record set '{name}'"))?;
    let req: PutBody = body::parse(ctx.body)?;
    let props = body::require(&req.properties, "properties", "BadRequest")?;
    let ttl = props.ttl.unwrap_or(DEFAULT_TTL);
    check_ttl(ttl)?;
    let records = parse_records(props)?;
    let mut body = json!({
        "id": id,
        "name": name,
        "type": "Microsoft.Network/privateDnsZones/A",
        "etag": etag(),
        "properties": {
            "ttl": ttl,
            "fqdn": fqdn(zone, name),
            "isAutoRegistered": false,
            "aRecords": records
        }
    });
    if let Some(metadata) = &props.metadata {
        body["properties"]["metadata"] = json!(metadata);
    }
    let status = match world.get_mut(id) {
        Some(existing) => {
            existing.body = body.clone();
            StatusCode::OK
        }
        None => {
            world.insert(Resource {
                id: id.to_string(),
                kind: Kind::RecordSet,
                body: body.clone(),
                seeded: false,
                created_at: Instant::now(),
                busy: None,
            });
            StatusCode::CREATED
        }
    };
    Ok(with_etag(ArmResponse::json(status, body.clone()), &body))
}

/// DELETE: 200 when it existed, 204 when it did not (412 if an If-Match cannot hold).
fn delete(world: &mut World, ctx: &Ctx<'_>, id: &str, name: &str) -> Result<ArmResponse, ArmError> {
    let existing = world.get(id);
    if existing.is_some() || ctx.header("if-match").is_some() {
        check_preconditions(ctx, existing, &format!("record set '{name}'"))?;
    }
    match world.remove(id) {
        Some(_) => Ok(ArmResponse::empty(StatusCode::OK)),
        None => Ok(ArmResponse::empty(StatusCode::NO_CONTENT)),
    }
}

/// PATCH (RecordSets_Update): ttl, metadata and aRecords when given; synchronous 200.
fn patch(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    zone: &str,
    id: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let not_found = || {
        ArmError::resource_not_found(
            "Microsoft.Network/privateDnsZones",
            &format!("{zone}/A/{name}"),
            &scope.rg,
        )
    };
    let existing = world.get(id).ok_or_else(not_found)?;
    check_preconditions(ctx, Some(existing), &format!("record set '{name}'"))?;
    let req: PutBody = body::parse(ctx.body)?;
    let props = req.properties.as_ref();
    let records = match props {
        Some(p) if p.a_records.is_some() => Some(parse_records(p)?),
        _ => None,
    };
    if let Some(ttl) = props.and_then(|p| p.ttl) {
        check_ttl(ttl)?;
    }
    let res = world.get_mut(id).ok_or_else(not_found)?;
    if let Some(ttl) = props.and_then(|p| p.ttl) {
        res.body["properties"]["ttl"] = json!(ttl);
    }
    if let Some(records) = records {
        res.body["properties"]["aRecords"] = json!(records);
    }
    if let Some(metadata) = props.and_then(|p| p.metadata.as_ref()) {
        res.body["properties"]["metadata"] = json!(metadata);
    }
    res.body["etag"] = json!(etag());
    Ok(with_etag(
        ArmResponse::json(StatusCode::OK, res.body.clone()),
        &res.body,
    ))
}

fn check_ttl(ttl: i64) -> Result<(), ArmError> {
    if (0..=2_147_483_647).contains(&ttl) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "BadRequest",
        format!("The TTL {ttl} is out of range (0 to 2147483647)."),
    )
    .with_target("properties.ttl"))
}
