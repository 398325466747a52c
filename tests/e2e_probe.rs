//! The in-network probe of `astro_private_link_check` end to end on loopback: the sandbox
//! started from its loopback seed answers DNS for its zones on a loopback UDP port and
//! imitates Astro's API on the endpoint's address (127.77.1.4, loopback on Linux) on port
//! 443; the probe resolves the cluster's name through that DNS server and gets
//! `404 page not found` over HTTPS once Astronomer has approved the connection.

mod common;

use std::path::PathBuf;

use common::hcl::{self, PROVIDER};
use common::sandbox::{TestSandbox, fast};
use common::{Workspace, both, flat};

const CLUSTER: &str = "clprobe000001";

fn loopback_sandbox() -> TestSandbox {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/sandbox/loopback-seed.json");
    TestSandbox::start_seeded(fast(), Some(seed))
}

fn config(sb: &TestSandbox) -> String {
    let endpoint = hcl::endpoint(sb, "agents", "astro-privatelink", "");
    let unit = hcl::dns(
        "astro",
        CLUSTER,
        "astro_private_endpoint.agents.private_ip_address",
        &[hcl::quoted(&sb.var("ASTRO_SANDBOX_VNET_ID"))],
        "",
    );
    format!(
        r#"{PROVIDER}{endpoint}{unit}
data "astro_private_link_check" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id
  dns_record_id       = astro_private_dns.astro.id

  probe {{
    dns_servers = ["{dns}"]
    timeout     = "3s"
  }}
}}

output "ok" {{
  value = data.astro_private_link_check.astro.ok
}}

output "checks" {{
  value = data.astro_private_link_check.astro.checks
}}
"#,
        dns = sb.var("ASTRO_SANDBOX_DNS"),
    )
}

#[test]
fn the_probe_resolves_the_private_ip_and_gets_404_on_loopback_once_approved() {
    let sb = loopback_sandbox();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.status.success(), "{}", both(&out));
    let pe = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    let fqdn = format!("{CLUSTER}.external.astronomer.run");

    // Pending: the name resolves, but nothing answers on 443 yet.
    let (ok, c) = ws.link_checks();
    assert!(!ok);
    let resolve = &c["resolves_to_private_ip"];
    assert_eq!(resolve["ok"], true, "{resolve}");
    assert!(
        resolve["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!(
                "{fqdn} resolves to 127.77.1.4 through DNS server {}",
                sb.var("ASTRO_SANDBOX_DNS")
            )),
        "{resolve}"
    );
    assert_eq!(c["https_answers_404"]["ok"], false, "{c:?}");
    assert!(
        c["https_answers_404"]["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("connection_approved"),
        "{c:?}"
    );

    sb.approve(&pe, "Approved", "Approved by Astronomer support");
    let (ok, c) = ws.link_checks();
    for (name, check) in &c {
        assert_eq!(check["ok"], true, "{name}: {check}");
    }
    assert!(ok);
    assert!(
        c["https_answers_404"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!(
                "GET https://{fqdn}/ at 127.77.1.4 answered 404 \"404 page not found\""
            )),
        "{c:?}"
    );
    assert_eq!(c.len(), 8, "six ARM checks and two probe checks: {c:?}");

    // The A record moved elsewhere: the probe sees it too.
    let record = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/{CLUSTER}",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    sb.oob(serde_json::json!({"op": "set_a_record", "id": record, "ipv4": ["127.77.1.99"]}));
    let (ok, c) = ws.link_checks();
    assert!(!ok);
    let detail = flat(
        c["resolves_to_private_ip"]["detail"]
            .as_str()
            .unwrap_or_default(),
    );
    assert!(
        detail.contains("resolves to 127.77.1.99")
            && detail.contains("the endpoint's private IP is 127.77.1.4"),
        "{detail}"
    );
}
