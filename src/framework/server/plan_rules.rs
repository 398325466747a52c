//! The value rules the server applies to every resource: validators, defaults (also for stored
//! state on upgrade), equivalent values kept from prior state, computed attributes marked
//! unknown, and timeouts-only changes.

use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::schema::{AttrDefault, Block};
use crate::framework::timeouts::{self};
use crate::framework::value::Value;

/// Runs each attribute's validators on known values and recurses into nested blocks.
pub fn validate_block(block: &Block, object: &Value, path: &AttributePath) -> Diagnostics {
    let mut d = Diagnostics::new();
    if !matches!(object, Value::Object(_)) {
        return d;
    }
    for a in &block.attributes {
        let Some(v) = object.get_attr(&a.name) else {
            continue;
        };
        if v.is_null() || v.is_unknown() {
            continue;
        }
        let p = path.clone().attr(&a.name);
        if a.deprecated {
            d.push(
                Diagnostic::warning(
                    "Argument is deprecated",
                    format!("{p} is deprecated: {}", a.description),
                )
                .at(p.clone()),
            );
        }
        let mut found = Diagnostics::new();
        for check in &a.validators {
            check.validate(v, &p, &mut found);
        }
        if a.sensitive {
            // Validators quote the value they reject; a sensitive one must not be shown.
            let shown = v.as_str().map(str::to_string);
            for diag in &mut found.0 {
                if let Some(s) = shown.as_deref().filter(|s| !s.is_empty()) {
                    diag.detail = diag.detail.replace(s, "(sensitive value)");
                }
            }
        }
        d.extend(found);
    }
    for b in &block.blocks {
        let Some(v) = object.get_attr(&b.type_name) else {
            continue;
        };
        let p = path.clone().attr(&b.type_name);
        match v {
            Value::Object(_) => d.extend(validate_block(&b.block, v, &p)),
            Value::List(items) | Value::Set(items) => {
                for (i, item) in items.iter().enumerate() {
                    d.extend(validate_block(&b.block, item, &p.clone().index(i as i64)));
                }
            }
            _ => {}
        }
    }
    d
}

pub(super) fn set_attr(object: &mut Value, name: &str, v: Value) {
    if let Some(slot) = object.get_attr_mut(name) {
        *slot = v;
    }
}

/// Fills defaults where the configuration leaves an attribute null.
pub(super) fn apply_defaults(block: &Block, planned: &mut Value, config: &Value) {
    for a in &block.attributes {
        let config_null = config.get_attr(&a.name).is_none_or(Value::is_null);
        if !config_null {
            continue;
        }
        match &a.default {
            AttrDefault::None => {}
            AttrDefault::Value(v) => set_attr(planned, &a.name, v.clone()),
            AttrDefault::Attribute(other) => {
                let v = planned.get_attr(other).cloned().unwrap_or(Value::Null);
                set_attr(planned, &a.name, v);
            }
        }
    }
}

/// A stored null where the schema's default is an empty collection takes that default: for
/// such attributes null and empty say the same thing (Azure has no "null tags"), and a state
/// written before the default existed (release 0.1.0 stored `tags = null`; later releases read
/// `{}`) would otherwise make the first `plan -refresh-only` after an upgrade report a change
/// nobody made. Other defaults are left alone: a null there can carry meaning the default
/// would erase (an imported `astro_private_dns` stores `manage_zone = null` until the
/// configuration decides whether it owns the zone).
pub(super) fn fill_stored_defaults(block: &Block, state: &mut Value) {
    if state.is_null() {
        return;
    }
    for a in &block.attributes {
        if let AttrDefault::Value(v) = &a.default
            && is_empty_collection(v)
            && state.get_attr(&a.name).is_none_or(Value::is_null)
        {
            set_attr(state, &a.name, v.clone());
        }
    }
}

pub(super) fn is_empty_collection(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.is_empty(),
        Value::List(items) | Value::Set(items) => items.is_empty(),
        _ => false,
    }
}

/// Keeps prior values that are semantically equal to the configured ones (e.g. "East US"
/// and "eastus"), so that no diff is shown.
pub(super) fn keep_equivalent(block: &Block, planned: &mut Value, prior: &Value, config: &Value) {
    for a in &block.attributes {
        let Some(eq) = a.equivalent else { continue };
        let (Some(c), Some(p)) = (config.get_attr(&a.name), prior.get_attr(&a.name)) else {
            continue;
        };
        if c.is_wholly_known() && !c.is_null() && !p.is_null() && eq(c, p) {
            set_attr(planned, &a.name, p.clone());
        }
    }
}

/// True when the objects differ at most in their `timeouts` block.
pub(super) fn same_but_timeouts(block: &Block, a: &Value, b: &Value) -> bool {
    let attrs = block.attributes.iter().map(|x| x.name.as_str());
    let blocks = block.blocks.iter().map(|x| x.type_name.as_str());
    attrs
        .chain(blocks)
        .filter(|name| *name != timeouts::BLOCK_NAME)
        .all(|name| a.get_attr(name) == b.get_attr(name))
}

pub(super) fn configurable_changed(block: &Block, planned: &Value, prior: &Value) -> bool {
    block
        .attributes
        .iter()
        .filter(|a| !a.is_computed_only())
        .any(|a| planned.get_attr(&a.name) != prior.get_attr(&a.name))
}

/// The `force_new` attributes whose planned value differs from the prior one (unknown
/// counts as different), unless the schema says both name the same object.
pub(super) fn replaced_by(block: &Block, planned: &Value, prior: &Value) -> Vec<AttributePath> {
    block
        .attributes
        .iter()
        .filter(|a| a.force_new)
        .filter(|a| {
            let (p, n) = (
                prior.get_attr(&a.name).unwrap_or(&Value::Null),
                planned.get_attr(&a.name).unwrap_or(&Value::Null),
            );
            p != n && !a.same_object.is_some_and(|same| same(p, n))
        })
        .map(|a| AttributePath::root().attr(&a.name))
        .collect()
}

/// Marks null computed attributes unknown ("known after apply").
pub(super) fn mark_computed_unknown(
    block: &Block,
    planned: &mut Value,
    also_if_set: impl Fn(&crate::framework::schema::Attribute) -> bool,
) {
    for a in block.attributes.iter().filter(|a| a.computed) {
        let Some(v) = planned.get_attr(&a.name) else {
            continue;
        };
        let null_now = v.is_null();
        let unknown = if a.is_computed_only() {
            null_now || also_if_set(a)
        } else {
            null_now && matches!(a.default, AttrDefault::None)
        };
        if unknown {
            set_attr(planned, &a.name, Value::unknown());
        }
    }
}

/// Replaces every unknown with null (apply sees computed attributes as unset).
pub fn unknowns_to_null(v: &mut Value) {
    match v {
        Value::Unknown(_) => *v = Value::Null,
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter_mut().for_each(unknowns_to_null)
        }
        Value::Map(m) | Value::Object(m) => m.values_mut().for_each(unknowns_to_null),
        Value::Typed(_, inner) => unknowns_to_null(inner),
        _ => {}
    }
}
