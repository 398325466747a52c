//! Stand-ins for providers that cannot be downloaded here, served on our own plugin runtime
//! and framework: `hashicorp/azurerm` (the four types Astronomer's portal steps map to, with
//! azurerm's attribute names) and `astronomer/astro` (its provider block and
//! `astro_workspace`). They answer validate, plan and read like the real ones for the
//! attributes they declare; they refuse to create, change or delete anything, so a test that
//! needed that would fail loudly instead of pretending.
//!
//! The test binary that includes this module becomes a stand-in when Terraform starts it:
//! it is copied into the filesystem mirror as `terraform-provider-<type>_v<version>`, and
//! [`serve_if_started_by_terraform`] picks the stand-in from that file name.

use async_trait::async_trait;

use astro_provider::framework::diagnostics::Diagnostics;
use astro_provider::framework::erased::{self, AnyDataSource, AnyResource};
use astro_provider::framework::resource::{OpContext, Outcome, Provider, Resource};
use astro_provider::framework::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use astro_provider::framework::types::Type;
use astro_provider::framework::value::Value;

type Json = serde_json::Value;

/// A resource type known only by its schema: reads return the state unchanged.
struct StandInResource {
    type_name: &'static str,
    schema: Schema,
}

fn refused(what: &str, type_name: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(
        format!("stand-in cannot {what}"),
        format!("{type_name} is served by a test stand-in that only validates, plans and reads."),
    );
    d
}

#[async_trait]
impl Resource for StandInResource {
    type Model = Json;
    fn type_name(&self) -> &'static str {
        self.type_name
    }
    fn schema(&self) -> Schema {
        self.schema.clone()
    }
    async fn create(&self, _: &OpContext, _: Json) -> Outcome<Json> {
        Outcome::failed(None, refused("create", self.type_name))
    }
    async fn read(&self, _: &OpContext, current: Json) -> Outcome<Json> {
        Outcome::ok(current)
    }
    async fn update(&self, _: &OpContext, prior: Json, _: Json) -> Outcome<Json> {
        Outcome::failed(Some(prior), refused("update", self.type_name))
    }
    async fn delete(&self, _: &OpContext, _: Json) -> Diagnostics {
        refused("delete", self.type_name)
    }
    async fn import(&self, _: &OpContext, _: &str) -> Result<Json, Diagnostics> {
        Err(refused("import", self.type_name))
    }
}

/// A provider with a fixed schema and stand-in resources.
struct StandInProvider {
    schema: Schema,
    resources: fn() -> Vec<StandInResource>,
}

#[async_trait]
impl Provider for StandInProvider {
    fn schema(&self) -> Schema {
        self.schema.clone()
    }
    async fn configure(&self, _: &Value, _: &str) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Box<dyn AnyResource>> {
        (self.resources)()
            .into_iter()
            .map(erased::resource)
            .collect()
    }
    fn data_sources(&self) -> Vec<Box<dyn AnyDataSource>> {
        Vec::new()
    }
}

fn s(name: &str) -> Attribute {
    Attribute::required(name, Type::String)
}
fn o(name: &str, ty: Type) -> Attribute {
    Attribute::optional(name, ty)
}
fn c(name: &str, ty: Type) -> Attribute {
    Attribute::computed(name, ty)
}
fn oc(name: &str, ty: Type) -> Attribute {
    let mut a = Attribute::optional(name, ty);
    a.computed = true;
    a
}
fn block(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> NestedBlock {
    NestedBlock {
        type_name: name.to_string(),
        block: Block::new(attributes),
        nesting,
    }
}
fn tags() -> Attribute {
    o("tags", Type::map(Type::String))
}

/// `hashicorp/azurerm`: `features {}` and the four types, with the attribute names azurerm
/// documents for them (registry.terraform.io/providers/hashicorp/azurerm/latest/docs).
fn azurerm() -> StandInProvider {
    StandInProvider {
        schema: Schema::new(
            Block::new(vec![o("subscription_id", Type::String)]).with_block(block(
                "features",
                Nesting::List,
                vec![],
            )),
        ),
        resources: || {
            vec![
                StandInResource {
                    type_name: "azurerm_private_endpoint",
                    schema: Schema::new(
                        Block::new(vec![
                            c("id", Type::String),
                            s("name"),
                            s("resource_group_name"),
                            s("location"),
                            s("subnet_id"),
                            oc("custom_network_interface_name", Type::String),
                            c(
                                "network_interface",
                                Type::list(Type::object([
                                    ("id", Type::String),
                                    ("name", Type::String),
                                ])),
                            ),
                            c(
                                "custom_dns_configs",
                                Type::list(Type::object([
                                    ("fqdn", Type::String),
                                    ("ip_addresses", Type::list(Type::String)),
                                ])),
                            ),
                            tags(),
                        ])
                        .with_block(block(
                            "private_service_connection",
                            Nesting::List,
                            vec![
                                s("name"),
                                Attribute::required("is_manual_connection", Type::Bool),
                                o("private_connection_resource_id", Type::String),
                                o("private_connection_resource_alias", Type::String),
                                o("subresource_names", Type::list(Type::String)),
                                o("request_message", Type::String),
                                c("private_ip_address", Type::String),
                            ],
                        )),
                    ),
                },
                StandInResource {
                    type_name: "azurerm_private_dns_zone",
                    schema: Schema::new(Block::new(vec![
                        c("id", Type::String),
                        s("name"),
                        s("resource_group_name"),
                        c("number_of_record_sets", Type::Number),
                        c("max_number_of_record_sets", Type::Number),
                        c("max_number_of_virtual_network_links", Type::Number),
                        c(
                            "max_number_of_virtual_network_links_with_registration",
                            Type::Number,
                        ),
                        tags(),
                    ])),
                },
                StandInResource {
                    type_name: "azurerm_private_dns_a_record",
                    schema: Schema::new(Block::new(vec![
                        c("id", Type::String),
                        s("name"),
                        s("resource_group_name"),
                        s("zone_name"),
                        Attribute::required("ttl", Type::Number),
                        o("records", Type::set(Type::String)),
                        c("fqdn", Type::String),
                        tags(),
                    ])),
                },
                StandInResource {
                    type_name: "azurerm_private_dns_zone_virtual_network_link",
                    schema: Schema::new(Block::new(vec![
                        c("id", Type::String),
                        s("name"),
                        s("resource_group_name"),
                        s("private_dns_zone_name"),
                        s("virtual_network_id"),
                        o("registration_enabled", Type::Bool),
                        tags(),
                    ])),
                },
            ]
        },
    }
}

/// `astronomer/astro`: its provider block and `astro_workspace`, as that provider documents
/// them (registry.terraform.io/providers/astronomer/astro/latest/docs).
fn astronomer() -> StandInProvider {
    let mut token = o("token", Type::String);
    token.sensitive = true;
    StandInProvider {
        schema: Schema::new(Block::new(vec![
            s("organization_id"),
            o("host", Type::String),
            token,
        ])),
        resources: || {
            vec![StandInResource {
                type_name: "astro_workspace",
                schema: Schema::new(Block::new(vec![
                    c("id", Type::String),
                    s("name"),
                    s("description"),
                    Attribute::required("cicd_enforced_default", Type::Bool),
                    c("created_at", Type::String),
                    c("updated_at", Type::String),
                ])),
            }]
        },
    }
}

/// When Terraform started this binary (its magic cookie is set), serves the stand-in its file
/// name names and returns the exit code; otherwise `None`.
pub fn serve_if_started_by_terraform() -> Option<std::process::ExitCode> {
    std::env::var_os("TF_PLUGIN_MAGIC_COOKIE")?;
    let exe = std::env::args().next().unwrap_or_default();
    let name = std::path::Path::new(&exe)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let provider = if name.starts_with("terraform-provider-azurerm_") {
        azurerm()
    } else if name.starts_with("terraform-provider-astro_") {
        astronomer()
    } else {
        eprintln!("stand-in: no stand-in provider is named {name:?}");
        return Some(std::process::ExitCode::FAILURE);
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = astro_provider::tfplugin5::ProviderService::new(provider);
    let result = rt.block_on(astro_provider::plugin::serve(
        service,
        astro_provider::plugin::ServeOptions { debug: false },
    ));
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    Some(match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stand-in: {e}");
            std::process::ExitCode::FAILURE
        }
    })
}

/// Lays this test binary into `mirror` as the stand-in for `namespace/type` at `version`.
pub fn lay_into_mirror(mirror: &std::path::Path, namespace: &str, ty: &str, version: &str) {
    let dir = mirror
        .join("registry.terraform.io")
        .join(namespace)
        .join(ty)
        .join(version)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir).expect("mirror dir");
    let me = std::env::current_exe().expect("current exe");
    std::fs::copy(me, dir.join(format!("terraform-provider-{ty}_v{version}")))
        .expect("copy stand-in");
}
