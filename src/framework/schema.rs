//! Schemas: attributes, nested blocks and the plan rules and validators attached to them.
//! A schema is the single source for the wire schema, the implied value type, validation
//! at validate time and the plan rules applied by [`super::server`].

use std::sync::Arc;

use super::types::Type;
use super::validators::Validator;
use super::value::Value;

/// A resource, data source or provider schema.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Schema version stored in state (UpgradeResourceState sees it).
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Attributes, in documentation order.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Deprecated block.
    pub deprecated: bool,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one, null when absent.
    Single,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
}

/// A nested block type.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    /// The block's keyword, e.g. `timeouts`.
    pub type_name: String,
    /// Its contents.
    pub block: Block,
    /// Repetition.
    pub nesting: Nesting,
}

/// What the framework may do with a value the user did not set.
#[derive(Clone, Debug, Default)]
pub enum AttrDefault {
    /// Leave it null (optional) or unknown until apply (computed).
    #[default]
    None,
    /// A fixed value.
    Value(Value),
    /// The value of another top-level attribute of the same object.
    Attribute(&'static str),
}

/// One attribute.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its cty type.
    pub ty: Type,
    /// Markdown description, shown in docs.
    pub description: String,
    /// Must be set by the user.
    pub required: bool,
    /// May be set by the user.
    pub optional: bool,
    /// Set by the provider when the user does not.
    pub computed: bool,
    /// Hidden in plan output.
    pub sensitive: bool,
    /// Deprecated (a warning when set).
    pub deprecated: bool,
    /// A change replaces the object.
    pub force_new: bool,
    /// A change replaces the object, except when this says the prior and planned values
    /// name the same thing (the plugin framework's `RequiresReplaceIf`, inverted).
    pub same_object: Option<fn(&Value, &Value) -> bool>,
    /// Computed: an in-place update keeps the prior value in the plan instead of planning it
    /// unknown (the plugin framework's `UseStateForUnknown`).
    pub use_state_for_unknown: bool,
    /// With `use_state_for_unknown`: except when this other attribute changes.
    pub unless_changed: Option<&'static str>,
    /// With `use_state_for_unknown`: only when the prior value passes this check (a settled
    /// value an update ends in again, not a transient one).
    pub keep_if: Option<fn(&Value) -> bool>,
    /// Value used when the user sets none.
    pub default: AttrDefault,
    /// Checks run on known, non-null values at validate time.
    pub validators: Vec<Arc<dyn Validator>>,
    /// Semantic equality: when the configured value equals the prior one under it, the plan
    /// keeps the prior value and shows no diff.
    pub equivalent: Option<fn(&Value, &Value) -> bool>,
}

impl Attribute {
    fn new(name: &str, ty: Type) -> Self {
        Self {
            name: name.to_string(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            force_new: false,
            same_object: None,
            use_state_for_unknown: false,
            unless_changed: None,
            keep_if: None,
            default: AttrDefault::None,
            validators: Vec::new(),
            equivalent: None,
        }
    }

    /// A required argument.
    pub fn required(name: &str, ty: Type) -> Self {
        Self {
            required: true,
            ..Self::new(name, ty)
        }
    }

    /// An optional argument.
    pub fn optional(name: &str, ty: Type) -> Self {
        Self {
            optional: true,
            ..Self::new(name, ty)
        }
    }

    /// An optional argument the provider fills in when it is not set (optional + computed):
    /// unset, the plan keeps what state holds (with `use_state_for_unknown`) or leaves it
    /// unknown.
    pub fn optional_computed(name: &str, ty: Type) -> Self {
        Self {
            optional: true,
            computed: true,
            ..Self::new(name, ty)
        }
    }

    /// A computed-only attribute.
    pub fn computed(name: &str, ty: Type) -> Self {
        Self {
            computed: true,
            ..Self::new(name, ty)
        }
    }

    /// Sets the description.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// A change forces replacement.
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    /// A change replaces the object unless `same(prior, planned)`: two spellings of one
    /// object, taken in place.
    pub fn force_new_unless(mut self, same: fn(&Value, &Value) -> bool) -> Self {
        self.force_new = true;
        self.same_object = Some(same);
        self
    }

    /// An in-place update keeps the prior value in the plan (declare it on every computed
    /// attribute that only a replacement changes).
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// An in-place update keeps the prior value in the plan when `settled(prior)`: a value
    /// every successful update ends in (otherwise it is known after apply).
    pub fn use_state_when(mut self, settled: fn(&Value) -> bool) -> Self {
        self.use_state_for_unknown = true;
        self.keep_if = Some(settled);
        self
    }

    /// An in-place update keeps the prior value in the plan unless `other` changes with it.
    pub fn use_state_unless_changed(mut self, other: &'static str) -> Self {
        self.use_state_for_unknown = true;
        self.unless_changed = Some(other);
        self
    }

    /// A fixed default (makes the attribute optional + computed).
    pub fn default_value(mut self, v: impl Into<Value>) -> Self {
        self.default = AttrDefault::Value(v.into());
        self.computed = true;
        self
    }

    /// Defaults to another attribute's value (makes it optional + computed).
    pub fn default_from(mut self, attribute: &'static str) -> Self {
        self.default = AttrDefault::Attribute(attribute);
        self.computed = true;
        self
    }

    /// Adds a validator.
    pub fn validate(mut self, v: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(v));
        self
    }

    /// Treats values equal under `eq` as the same (no diff in plans).
    pub fn equivalent_when(mut self, eq: fn(&Value, &Value) -> bool) -> Self {
        self.equivalent = Some(eq);
        self
    }

    /// True for attributes only the provider sets.
    pub fn is_computed_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

impl Block {
    /// A block with these attributes.
    pub fn new(attributes: Vec<Attribute>) -> Self {
        Self {
            attributes,
            ..Default::default()
        }
    }

    /// Sets the description.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Adds a nested block.
    pub fn with_block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    /// Looks an attribute up by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type values of this block have.
    pub fn implied_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()));
        let blocks = self.blocks.iter().map(|b| {
            let inner = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
            };
            (b.type_name.clone(), ty)
        });
        Type::object(attrs.chain(blocks))
    }
}

impl Schema {
    /// A version-0 schema around a block.
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    /// Sets the schema version (bump it with a state upgrade when attributes change).
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The object type of values of this schema.
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }
}
