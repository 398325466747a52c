//! Attribute paths: where inside a value a diagnostic or codec error points.

use std::fmt;

/// A path from the root of a value to a nested value, as Terraform's `AttributePath`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct AttributePath(pub Vec<PathStep>);

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute or nested block name (`.name`).
    Attr(String),
    /// A map element key (`["key"]`).
    Key(String),
    /// A list, tuple or set element position (`[0]`).
    Index(i64),
}

impl AttributePath {
    /// The empty path: the value itself.
    pub fn root() -> Self {
        AttributePath(Vec::new())
    }

    /// This path extended by an attribute step.
    pub fn attr(mut self, name: &str) -> Self {
        self.0.push(PathStep::Attr(name.to_string()));
        self
    }

    /// This path extended by a map key step.
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(PathStep::Key(key.to_string()));
        self
    }

    /// This path extended by an element index step.
    pub fn index(mut self, index: i64) -> Self {
        self.0.push(PathStep::Index(index));
        self
    }

    /// This path extended by an arbitrary step.
    pub fn step(mut self, step: PathStep) -> Self {
        self.0.push(step);
        self
    }

    /// A copy of this path extended by `step` (the original is kept).
    pub fn child(&self, step: PathStep) -> Self {
        self.clone().step(step)
    }

    /// True for the empty path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The steps of this path.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }
}

impl fmt::Display for AttributePath {
    /// Renders `timeouts.create`, `tags["team"]`, `virtual_network_ids[0]`; the root is `(root)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => f.write_str(name)?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => {
                    let quoted = serde_json::to_string(key).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?
                }
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_cases() {
        let cases: Vec<(&str, AttributePath, &str)> = vec![
            ("root", AttributePath::root(), "(root)"),
            ("attr", AttributePath::root().attr("name"), "name"),
            (
                "nested attr",
                AttributePath::root().attr("timeouts").attr("create"),
                "timeouts.create",
            ),
            (
                "map key",
                AttributePath::root().attr("tags").key("team"),
                r#"tags["team"]"#,
            ),
            (
                "list index",
                AttributePath::root().attr("virtual_network_ids").index(0),
                "virtual_network_ids[0]",
            ),
            (
                "key with quote",
                AttributePath::root().attr("m").key("a\"b"),
                r#"m["a\"b"]"#,
            ),
            (
                "index then attr",
                AttributePath::root().attr("rule").index(2).attr("port"),
                "rule[2].port",
            ),
        ];
        for (name, path, want) in cases {
            assert_eq!(path.to_string(), want, "case {name}");
        }
    }

    #[test]
    fn root_and_child() {
        let root = AttributePath::root();
        assert!(root.is_root());
        let child = root.child(PathStep::Attr("a".into()));
        assert!(root.is_root());
        assert!(!child.is_root());
        assert_eq!(child.steps(), &[PathStep::Attr("a".into())]);
    }
}
