//! ARM's `systemData` on the Private DNS objects (the definitions' common `Resource`): who
//! created an object and who changed it last (the caller's client id, an `Application`) and
//! when, stamped by the front door on every PUT or PATCH of a zone, link or record set.

use serde_json::{Value, json};

use super::route::{Operation, Scope, Target, Verb};
use super::{ArmResponse, Ctx};
use crate::sandbox::state::{World, network_id, now_rfc3339};

impl Ctx<'_> {
    /// ARM's `systemData` of an object this request creates: created and last modified by the
    /// caller (an application), now. (`SystemData` in ARM's common types.)
    pub fn system_data(&self) -> Value {
        let now = now_rfc3339();
        json!({
            "createdBy": self.caller,
            "createdByType": "Application",
            "createdAt": now,
            "lastModifiedBy": self.caller,
            "lastModifiedByType": "Application",
            "lastModifiedAt": now,
        })
    }

    /// `systemData` after this request modified an object created earlier.
    pub fn modified_system_data(&self, old: &Value) -> Value {
        let mut data = if old.is_object() {
            old.clone()
        } else {
            self.system_data()
        };
        let fresh = self.system_data();
        for key in ["lastModifiedBy", "lastModifiedByType", "lastModifiedAt"] {
            data[key] = fresh[key].clone();
        }
        data
    }
}

/// The ARM id of the Private DNS object a PUT or PATCH writes, if it writes one.
pub(super) fn dns_write_target(op: &Operation) -> Option<String> {
    if !matches!(op.verb, Verb::Put | Verb::Patch) {
        return None;
    }
    let zone = |scope: &Scope, zone: &str| {
        network_id(&scope.sub, &scope.rg, &format!("privateDnsZones/{zone}"))
    };
    match &op.target {
        Target::DnsZone(scope, name) => Some(zone(scope, name)),
        Target::VnetLink(scope, z, name) => {
            Some(format!("{}/virtualNetworkLinks/{name}", zone(scope, z)))
        }
        Target::RecordSet(scope, z, kind, name) => Some(format!(
            "{}/{kind}/{}",
            zone(scope, z),
            name.to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// Private DNS objects carry ARM's `systemData` (the definitions' common `Resource`): a PUT or
/// PATCH stamps who created the object (kept across full replaces) and who changed it last,
/// on the stored object and in a body it answers with.
pub(super) fn stamp(
    world: &mut World,
    ctx: &Ctx<'_>,
    id: &str,
    before: Option<Value>,
    answer: &mut ArmResponse,
) {
    let Some(stored) = world.get_mut(id) else {
        return;
    };
    let data = match before.filter(Value::is_object) {
        Some(old) => ctx.modified_system_data(&old),
        None => ctx.system_data(),
    };
    stored.body["systemData"] = data.clone();
    if let Some(body) = answer.body.as_mut().filter(|b| b["id"].is_string()) {
        body["systemData"] = data;
    }
}
