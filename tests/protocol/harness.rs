//! The Terraform side of the protocol tests: serves [`ProviderService`] over a real tonic server
//! on 127.0.0.1, talks to it with the generated client, encodes values as Terraform does
//! (msgpack against the type implied by the schema Terraform received), builds
//! `proposed_new_state` as Terraform's `objchange.ProposedNew` does, and applies the checks
//! Terraform applies to plans and apply results (design/terraform-rules.md §2, §3).

use std::sync::Arc;

use astro_provider::framework::msgpack;
use astro_provider::framework::path::{AttributePath, PathStep};
use astro_provider::framework::types::Type;
use astro_provider::framework::value::Value;
use astro_provider::proto::tfplugin5 as pb;
use astro_provider::proto::tfplugin5::provider_client::ProviderClient;
use astro_provider::proto::tfplugin5::provider_server::ProviderServer;
use astro_provider::tfplugin5::ProviderService;
use pb::attribute_path::step::Selector;
use pb::diagnostic::Severity;
use tonic::transport::{Channel, Endpoint};

use super::double::{Cloud, LOOKUP, THING, TestProvider};

/// The CLI version the tests claim to be.
pub const TF_VERSION: &str = "1.11.4";

/// A running provider and a client connected to it, with the schema it announced.
pub struct Tf {
    /// The generated tfplugin5 client.
    pub client: ProviderClient<Channel>,
    /// The provider's in-memory cloud.
    pub cloud: Arc<Cloud>,
    /// The GetProviderSchema answer.
    pub schema: pb::get_provider_schema::Response,
    /// The implied type of `test_thing`, derived from the wire schema.
    pub thing: Type,
    /// The implied type of `test_lookup`.
    pub lookup: Type,
    /// The implied type of the provider block.
    pub provider: Type,
}

/// A PlanResourceChange answer, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The planned new state.
    pub planned: Value,
    /// Paths that force replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Diagnostics.
    pub diagnostics: Vec<pb::Diagnostic>,
    /// `planned_private` bytes.
    pub private: Vec<u8>,
}

/// An ApplyResourceChange answer, decoded.
#[derive(Debug)]
pub struct Applied {
    /// The new state (null when the object is gone).
    pub state: Value,
    /// Whether `new_state` was present at all.
    pub state_present: bool,
    /// Diagnostics.
    pub diagnostics: Vec<pb::Diagnostic>,
    /// `private` bytes to store.
    pub private: Vec<u8>,
}

/// Private bytes the tests hand the provider, to see them come back untouched.
pub const PRIVATE: &[u8] = b"\x01opaque-private-state\xff";

impl Tf {
    /// Starts a fresh provider with an empty cloud and fetches its schema, as Terraform does
    /// first in every provider process.
    pub async fn start() -> Tf {
        let cloud = Arc::new(Cloud::default());
        let service = ProviderService::new(TestProvider {
            cloud: cloud.clone(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(ProviderServer::new(service))
                .serve_with_incoming(incoming),
        );
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect to the provider");
        let mut client = ProviderClient::new(channel);
        let schema = client
            .get_schema(pb::get_provider_schema::Request::default())
            .await
            .expect("GetProviderSchema")
            .into_inner();
        let block_type = |s: Option<&pb::Schema>| {
            implied_type(
                s.and_then(|s| s.block.as_ref())
                    .expect("schema with a block"),
            )
        };
        let thing = block_type(schema.resource_schemas.get(THING));
        let lookup = block_type(schema.data_source_schemas.get(LOOKUP));
        let provider = block_type(schema.provider.as_ref());
        Tf {
            client,
            cloud,
            schema,
            thing,
            lookup,
            provider,
        }
    }

    /// The wire schema block of `test_thing`.
    pub fn thing_block(&self) -> &pb::schema::Block {
        self.schema.resource_schemas[THING]
            .block
            .as_ref()
            .expect("block")
    }

    /// A `test_thing` configuration: the given attributes, everything else null (as Terraform
    /// sends attributes the user did not write, computed-only ones included).
    pub fn thing_config(&self, attrs: &[(&str, Value)]) -> Value {
        object_of(&self.thing, attrs)
    }

    /// ValidateResourceTypeConfig for `test_thing`.
    pub async fn validate(&self, config: &Value) -> Vec<pb::Diagnostic> {
        self.client
            .clone()
            .validate_resource_type_config(pb::validate_resource_type_config::Request {
                type_name: THING.into(),
                config: Some(dv(config, &self.thing)),
                ..Default::default()
            })
            .await
            .expect("ValidateResourceTypeConfig")
            .into_inner()
            .diagnostics
    }

    /// PlanResourceChange for `test_thing` with the proposed new state Terraform would send.
    /// Checks the answer as Terraform does unless it carries errors.
    pub async fn plan(&self, prior: &Value, config: &Value) -> Plan {
        let proposed = proposed_new(self.thing_block(), prior, config);
        self.plan_raw(
            Some(dv(prior, &self.thing)),
            Some(dv(&proposed, &self.thing)),
            Some(dv(config, &self.thing)),
            prior,
            config,
        )
        .await
    }

    /// PlanResourceChange with the DynamicValues given as they are.
    pub async fn plan_raw(
        &self,
        prior_dv: Option<pb::DynamicValue>,
        proposed_dv: Option<pb::DynamicValue>,
        config_dv: Option<pb::DynamicValue>,
        prior: &Value,
        config: &Value,
    ) -> Plan {
        let resp = self
            .client
            .clone()
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: THING.into(),
                prior_state: prior_dv,
                proposed_new_state: proposed_dv,
                config: config_dv,
                prior_private: PRIVATE.to_vec(),
                ..Default::default()
            })
            .await
            .expect("PlanResourceChange")
            .into_inner();
        assert!(
            !resp.legacy_type_system,
            "a new provider must not claim the legacy type system"
        );
        let plan = Plan {
            planned: undv(resp.planned_state.as_ref(), &self.thing),
            requires_replace: resp.requires_replace.iter().map(path_of).collect(),
            private: resp.planned_private,
            diagnostics: resp.diagnostics,
        };
        if errors(&plan.diagnostics).is_empty() {
            let problems = plan_problems(self.thing_block(), prior, config, &plan.planned);
            assert!(
                problems.is_empty(),
                "Terraform would reject this plan (Provider produced invalid plan): {problems:#?}\nplanned: {:?}",
                plan.planned
            );
        }
        plan
    }

    /// ApplyResourceChange for `test_thing`. Checks a successful create/update result as
    /// Terraform does.
    pub async fn apply(&self, prior: &Value, planned: &Value, config: &Value) -> Applied {
        self.apply_raw(
            Some(dv(prior, &self.thing)),
            Some(dv(planned, &self.thing)),
            Some(dv(config, &self.thing)),
            planned,
        )
        .await
    }

    /// ApplyResourceChange with the DynamicValues given as they are.
    pub async fn apply_raw(
        &self,
        prior_dv: Option<pb::DynamicValue>,
        planned_dv: Option<pb::DynamicValue>,
        config_dv: Option<pb::DynamicValue>,
        planned: &Value,
    ) -> Applied {
        let resp = apply_call(self.client.clone(), prior_dv, planned_dv, config_dv).await;
        let applied = Applied {
            state: undv(resp.new_state.as_ref(), &self.thing),
            state_present: resp.new_state.is_some(),
            diagnostics: resp.diagnostics,
            private: resp.private,
        };
        if errors(&applied.diagnostics).is_empty() && !planned.is_null() {
            let mut problems = Vec::new();
            if !applied.state.is_wholly_known() {
                problems.push("new state still holds unknown values".to_string());
            }
            compatible(
                planned,
                &applied.state,
                &AttributePath::root(),
                &mut problems,
            );
            assert!(
                problems.is_empty(),
                "Terraform would reject this result (inconsistent result after apply): {problems:#?}"
            );
        }
        applied
    }

    /// Plan and apply a create from `config`; the created state.
    pub async fn create(&self, config: &Value) -> Value {
        let plan = self.plan(&Value::Null, config).await;
        assert_eq!(
            errors(&plan.diagnostics),
            Vec::<String>::new(),
            "create plan"
        );
        let applied = self.apply(&Value::Null, &plan.planned, config).await;
        assert_eq!(
            errors(&applied.diagnostics),
            Vec::<String>::new(),
            "create apply"
        );
        applied.state
    }

    /// ReadResource for `test_thing`: new state, diagnostics and private bytes.
    pub async fn read(&self, current: &Value) -> (Value, Vec<pb::Diagnostic>, Vec<u8>) {
        let resp = self
            .client
            .clone()
            .read_resource(pb::read_resource::Request {
                type_name: THING.into(),
                current_state: Some(dv(current, &self.thing)),
                private: PRIVATE.to_vec(),
                ..Default::default()
            })
            .await
            .expect("ReadResource")
            .into_inner();
        let state = undv(resp.new_state.as_ref(), &self.thing);
        assert!(
            state.is_wholly_known(),
            "refreshed state must be wholly known: {state:?}"
        );
        (state, resp.diagnostics, resp.private)
    }
}

/// ApplyResourceChange on its own client, so it can run in a task of its own.
pub async fn apply_call(
    mut client: ProviderClient<Channel>,
    prior: Option<pb::DynamicValue>,
    planned: Option<pb::DynamicValue>,
    config: Option<pb::DynamicValue>,
) -> pb::apply_resource_change::Response {
    let resp = client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: THING.into(),
            prior_state: prior,
            planned_state: planned,
            config,
            planned_private: PRIVATE.to_vec(),
            ..Default::default()
        })
        .await
        .expect("ApplyResourceChange")
        .into_inner();
    assert!(!resp.legacy_type_system);
    resp
}

/// An object of type `ty` with the given attributes and every other attribute null.
pub fn object_of(ty: &Type, attrs: &[(&str, Value)]) -> Value {
    let mut v = Value::null_object(ty);
    for (k, a) in attrs {
        assert!(
            ty.attribute_type(k).is_some(),
            "{k} is not an attribute of {ty}"
        );
        v.set_attr(k, a.clone());
    }
    v
}

/// A copy of `v` with attribute `name` set to `value`.
pub fn with(v: &Value, name: &str, value: impl Into<Value>) -> Value {
    let mut v = v.clone();
    assert!(v.get_attr(name).is_some(), "no attribute {name} in {v:?}");
    v.set_attr(name, value.into());
    v
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::string(text)
}

/// A number value.
pub fn n(i: i64) -> Value {
    Value::from(i)
}

/// A `map(string)` value.
pub fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect())
}

/// A `set(string)` value.
pub fn set(items: &[&str]) -> Value {
    Value::Set(items.iter().map(|i| s(i)).collect())
}

/// Encodes `v` as Terraform does: msgpack against the type.
pub fn dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: msgpack::encode(v, ty).expect("encode a test value"),
        json: vec![],
    }
}

/// Decodes a DynamicValue as Terraform does: msgpack if present, else JSON, else null.
pub fn undv(v: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    match v {
        Some(v) if !v.msgpack.is_empty() => {
            msgpack::decode(&v.msgpack, ty).expect("the provider's msgpack must decode")
        }
        Some(v) if !v.json.is_empty() => astro_provider::framework::json::decode(&v.json, ty)
            .expect("the provider's JSON must decode"),
        _ => Value::Null,
    }
}

/// The object type a schema block implies, built from the wire schema as Terraform does.
pub fn implied_type(block: &pb::schema::Block) -> Type {
    use pb::schema::nested_block::NestingMode;
    let attrs = block.attributes.iter().map(|a| {
        let t = Type::from_json_bytes(&a.r#type)
            .unwrap_or_else(|e| panic!("attribute {} has an invalid type: {e}", a.name));
        (a.name.clone(), t)
    });
    let blocks = block.block_types.iter().map(|b| {
        let inner = implied_type(b.block.as_ref().expect("nested block body"));
        let t = match NestingMode::try_from(b.nesting).expect("nesting mode") {
            NestingMode::Single | NestingMode::Group => inner,
            NestingMode::List => Type::list(inner),
            NestingMode::Set => Type::set(inner),
            NestingMode::Map => Type::map(inner),
            NestingMode::Invalid => panic!("block {} has INVALID nesting", b.type_name),
        };
        (b.type_name.clone(), t)
    });
    Type::object(attrs.chain(blocks))
}

/// `objchange.ProposedNew` for blocks without nested computed attributes: config values,
/// except computed attributes left null in config take the prior value.
pub fn proposed_new(block: &pb::schema::Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    let mut out = config.clone();
    for a in block.attributes.iter().filter(|a| a.computed) {
        if config.get_attr(&a.name).is_some_and(Value::is_null) {
            let p = prior.get_attr(&a.name).cloned().unwrap_or(Value::Null);
            out.set_attr(&a.name, p);
        }
    }
    out
}

/// Terraform's `assertPlannedValueValid` over a block: each problem it would report.
pub fn plan_problems(
    block: &pb::schema::Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<String> {
    let mut out = Vec::new();
    check_block(
        block,
        prior,
        config,
        planned,
        &AttributePath::root(),
        &mut out,
    );
    out
}

fn attr_of(v: &Value, name: &str) -> Value {
    v.get_attr(name).cloned().unwrap_or(Value::Null)
}

fn check_block(
    block: &pb::schema::Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<String>,
) {
    if config.is_null() != planned.is_null() {
        out.push(format!(
            "{path}: planned null-ness differs from config ({config:?} vs {planned:?})"
        ));
        return;
    }
    if planned.is_unknown() && !path.is_root() {
        out.push(format!("{path}: a nested block object must not be unknown"));
        return;
    }
    if config.is_null() {
        return;
    }
    for a in &block.attributes {
        let (p, c, pl) = (
            attr_of(prior, &a.name),
            attr_of(config, &a.name),
            attr_of(planned, &a.name),
        );
        let at = path.clone().attr(&a.name);
        let ok = pl == c
            || (!p.is_null() && !c.is_null() && pl == p)
            || (a.computed && !a.optional && !a.required)
            || (a.computed && a.optional && c.is_null())
            || (!a.computed && c.is_null() && pl.is_null());
        if !ok {
            out.push(format!(
                "{at}: planned {pl:?} for config {c:?} (prior {p:?})"
            ));
        }
    }
    for b in &block.block_types {
        let inner = b.block.as_ref().expect("nested block body");
        check_block(
            inner,
            &attr_of(prior, &b.type_name),
            &attr_of(config, &b.type_name),
            &attr_of(planned, &b.type_name),
            &path.clone().attr(&b.type_name),
            out,
        );
    }
}

/// Terraform's `AssertObjectCompatible(planned, new)`: every known planned value must be the
/// new value; unknown planned values may become anything.
pub fn compatible(planned: &Value, new: &Value, path: &AttributePath, out: &mut Vec<String>) {
    match (planned, new) {
        (Value::Unknown(_), _) => {}
        (Value::Object(p), Value::Object(n)) => {
            for (k, pv) in p {
                let nv = n.get(k).cloned().unwrap_or(Value::Null);
                compatible(pv, &nv, &path.clone().attr(k), out);
            }
        }
        (Value::Set(p), Value::Set(n)) if !planned.is_wholly_known() => {
            if p.len() != n.len() {
                out.push(format!("{path}: set length changed"));
            }
        }
        (p, n) if p == n => {}
        (p, n) => out.push(format!("{path}: was {p:?}, but now {n:?}")),
    }
}

/// A protocol path as a framework path.
pub fn path_of(p: &pb::AttributePath) -> AttributePath {
    AttributePath(
        p.steps
            .iter()
            .map(
                |s| match s.selector.as_ref().expect("a step with a selector") {
                    Selector::AttributeName(a) => PathStep::Attr(a.clone()),
                    Selector::ElementKeyString(k) => PathStep::Key(k.clone()),
                    Selector::ElementKeyInt(i) => PathStep::Index(*i),
                },
            )
            .collect(),
    )
}

/// Error diagnostics as `summary: detail` lines.
pub fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// The attribute paths of the error diagnostics (the root for ones without a path).
pub fn error_paths(d: &[pb::Diagnostic]) -> Vec<AttributePath> {
    d.iter()
        .filter(|d| d.severity == Severity::Error as i32)
        .map(|d| d.attribute.as_ref().map(path_of).unwrap_or_default())
        .collect()
}

/// Panics unless every diagnostic has a valid severity (Terraform treats INVALID as neither).
pub fn assert_severities_valid(d: &[pb::Diagnostic]) {
    for x in d {
        assert!(
            x.severity == Severity::Error as i32 || x.severity == Severity::Warning as i32,
            "diagnostic with invalid severity: {x:?}"
        );
    }
}
