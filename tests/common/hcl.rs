//! HCL builders for the configurations the e2e tests and benchmarks apply: the provider block
//! and blocks wired to the sandbox's seeded subnet, VNet and Private Link Service alias, so a
//! test writes only what it varies.

use super::sandbox::TestSandbox;

/// The provider block: every setting comes from the sandbox's environment.
pub const PROVIDER: &str = "provider \"astro\" {}\n";

/// `astro_private_endpoint.<label>` named `name` in the seeded agents subnet, to Astronomer's
/// seeded alias; `extra` holds more argument lines for the block (each ending in a newline).
pub fn endpoint(sb: &TestSandbox, label: &str, name: &str, extra: &str) -> String {
    endpoint_in(sb, label, name, &sb.var("ASTRO_SANDBOX_SUBNET_ID"), extra)
}

/// [`endpoint`] in `subnet_id`.
pub fn endpoint_in(
    sb: &TestSandbox,
    label: &str,
    name: &str,
    subnet_id: &str,
    extra: &str,
) -> String {
    format!(
        r#"
resource "astro_private_endpoint" "{label}" {{
  name                       = "{name}"
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "{subnet_id}"
  private_link_service_alias = "{alias}"
{extra}}}
"#,
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
    )
}

/// `astro_private_dns.<label>` for `cluster_id` in `rg-astro-dns`, its record pointing at
/// `ip_address` (an HCL expression, e.g. a quoted address or a reference) and linked to
/// `vnets` (HCL expressions); `extra` holds more argument lines.
pub fn dns(
    label: &str,
    cluster_id: &str,
    ip_address: &str,
    vnets: &[String],
    extra: &str,
) -> String {
    format!(
        r#"
resource "astro_private_dns" "{label}" {{
  resource_group_name = "rg-astro-dns"
  cluster_id          = "{cluster_id}"
  ip_address          = {ip_address}
  virtual_network_ids = [{vnets}]
{extra}}}
"#,
        vnets = vnets.join(", "),
    )
}

/// `"text"`: an HCL string literal (the tests' values hold no quotes or escapes).
pub fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// The endpoint `agents` (`astro-privatelink`) and DNS unit `astro` for cluster `clxxxxxxxxx`
/// on its address, linked to the seeded VNet: the smallest whole configuration.
pub fn basic(sb: &TestSandbox) -> String {
    format!(
        "{PROVIDER}{}{}",
        endpoint(sb, "agents", "astro-privatelink", ""),
        dns(
            "astro",
            "clxxxxxxxxx",
            "astro_private_endpoint.agents.private_ip_address",
            &[quoted(&sb.var("ASTRO_SANDBOX_VNET_ID"))],
            ""
        )
    )
}
