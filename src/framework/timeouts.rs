//! The SDKv2-style `timeouts` block: per-operation deadlines a user may override, with the
//! resource's defaults.

use std::time::Duration;

use super::duration;
use super::schema::{Attribute, Block, NestedBlock, Nesting};
use super::types::Type;
use super::validators::GoDuration;
use super::value::Value;

/// The block's keyword.
pub const BLOCK_NAME: &str = "timeouts";

/// `30m`, `1h30m`, `45s`: a duration as people write it in HCL.
pub fn short(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        duration::format(d)
    } else {
        out
    }
}

/// Which operation a deadline is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Read (refresh and import).
    Read,
    /// Update in place.
    Update,
    /// Delete.
    Delete,
}

impl Operation {
    /// The attribute name inside the block.
    pub fn key(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Read => "read",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// A resource's default deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutDefaults {
    /// Create.
    pub create: Duration,
    /// Read.
    pub read: Duration,
    /// Update.
    pub update: Duration,
    /// Delete.
    pub delete: Duration,
}

impl TimeoutDefaults {
    /// The default for one operation.
    pub fn get(&self, op: Operation) -> Duration {
        match op {
            Operation::Create => self.create,
            Operation::Read => self.read,
            Operation::Update => self.update,
            Operation::Delete => self.delete,
        }
    }

    /// The nested block added to a resource schema.
    pub fn block(&self) -> NestedBlock {
        self.block_for(&[
            Operation::Create,
            Operation::Read,
            Operation::Update,
            Operation::Delete,
        ])
    }

    /// A `timeouts` block offering only `ops` (a resource whose other operations never wait,
    /// such as a waiter whose create is the only long step); the rest keep their defaults.
    pub fn block_for(&self, ops: &[Operation]) -> NestedBlock {
        let attrs = ops
            .iter()
            .copied()
            .map(|op| {
                Attribute::optional(op.key(), Type::String)
                    .describe(&format!(
                        "How long to wait for the {} operation (default `{}`).",
                        op.key(),
                        short(self.get(op))
                    ))
                    .validate(GoDuration)
            })
            .collect();
        NestedBlock {
            type_name: BLOCK_NAME.to_string(),
            block: Block::new(attrs)
                .describe("Per-operation timeouts, as Go durations such as `20m` or `1h`."),
            nesting: Nesting::Single,
        }
    }

    /// The deadline for `op`, taken from the `timeouts` block of `object` when set there.
    pub fn effective(&self, object: &Value, op: Operation) -> Duration {
        object
            .get_attr(BLOCK_NAME)
            .and_then(|t| t.get_attr(op.key()))
            .and_then(|v| v.as_str())
            .and_then(|s| duration::parse(s).ok())
            .filter(|d| !d.is_zero())
            .unwrap_or_else(|| self.get(op))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const DEFAULTS: TimeoutDefaults = TimeoutDefaults {
        create: Duration::from_secs(1800),
        read: Duration::from_secs(300),
        update: Duration::from_secs(1800),
        delete: Duration::from_secs(1800),
    };

    #[test]
    fn user_value_wins_over_default() {
        let mut t = BTreeMap::new();
        t.insert("create".to_string(), Value::from("45m"));
        t.insert("read".to_string(), Value::Null);
        let mut obj = BTreeMap::new();
        obj.insert(BLOCK_NAME.to_string(), Value::Object(t));
        let obj = Value::Object(obj);
        assert_eq!(
            DEFAULTS.effective(&obj, Operation::Create),
            Duration::from_secs(2700)
        );
        assert_eq!(
            DEFAULTS.effective(&obj, Operation::Read),
            Duration::from_secs(300)
        );
        assert_eq!(
            DEFAULTS.effective(&Value::Null, Operation::Delete),
            Duration::from_secs(1800)
        );
    }

    #[test]
    fn block_lists_each_operation_with_its_default() {
        let b = DEFAULTS.block();
        let names: Vec<_> = b.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["create", "read", "update", "delete"]);
        assert!(b.block.attributes[1].description.contains("`5m`"));
    }
}
