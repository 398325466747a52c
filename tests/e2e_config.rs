//! End-to-end provider configuration: missing settings, unusable credentials and non-https
//! endpoints fail with messages that say what to set; OIDC works from a token file.

mod common;

use common::sandbox::TestSandbox;
use common::{Workspace, both, flat};

fn dns_config(sb: &TestSandbox, provider_body: &str) -> String {
    format!(
        "provider \"astro\" {{\n{provider_body}}}\n\nresource \"astro_private_dns\" \"astro\" {{\n  resource_group_name = \"rg-astro-dns\"\n  cluster_id          = \"clxxxxxxxxx\"\n  ip_address          = \"10.10.1.4\"\n  virtual_network_ids = [\"{}\"]\n}}\n",
        sb.var("ASTRO_SANDBOX_VNET_ID")
    )
}

fn failing_apply(ws: &Workspace) -> String {
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "apply must fail:\n{text}");
    text
}

#[test]
fn missing_subscription_names_the_attribute_and_the_variable() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.env.retain(|(k, _)| k != "ARM_SUBSCRIPTION_ID");
    ws.write_config(&dns_config(&sb, ""));
    ws.init();
    let text = failing_apply(&ws);
    assert!(
        text.contains("subscription_id") && text.contains("ARM_SUBSCRIPTION_ID"),
        "{text}"
    );
    assert_eq!(sb.total(), 0, "nothing was sent: {}", sb.summary());
}

#[test]
fn a_wrong_client_secret_fails_with_entra_reason_and_never_shows_the_secret() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.set_env("ARM_CLIENT_SECRET", "definitely-wrong-secret");
    ws.write_config(&dns_config(&sb, ""));
    ws.init();
    let text = failing_apply(&ws);
    assert!(text.contains("access token"), "{text}");
    assert!(
        text.contains("AADSTS7000215"),
        "Entra's reason is shown: {text}"
    );
    assert!(text.contains("Check the provider's credentials"), "{text}");
    assert!(
        !text.contains("definitely-wrong-secret"),
        "the secret must not be shown: {text}"
    );
    assert!(sb.resources().is_empty());
}

#[test]
fn an_http_endpoint_is_refused() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let endpoint = sb
        .var("ARM_RESOURCE_MANAGER_ENDPOINT")
        .replace("https://", "http://");
    ws.set_env("ARM_RESOURCE_MANAGER_ENDPOINT", &endpoint);
    ws.write_config(&dns_config(&sb, ""));
    ws.init();
    let text = failing_apply(&ws);
    assert!(text.contains("https"), "{text}");
    assert_eq!(sb.total(), 0, "nothing was sent: {}", sb.summary());
}

#[test]
fn oidc_from_a_token_file_authenticates_and_the_token_stays_out_of_state() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let token_file = ws.tmp.path().join("oidc-token");
    let minted = sb.manage(
        reqwest::Method::POST,
        "oidc/mint",
        Some(serde_json::json!({
            "issuer": "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-0000000000aa/",
            "subject": "system:serviceaccount:astro:terraform"
        })),
    );
    let token = minted["token"].as_str().expect("token").to_string();
    std::fs::write(&token_file, &token).unwrap();
    ws.env.retain(|(k, _)| k != "ARM_CLIENT_SECRET");
    ws.set_env("ARM_USE_OIDC", "true");
    ws.set_env(
        "ARM_OIDC_TOKEN_FILE_PATH",
        &token_file.display().to_string(),
    );
    ws.write_config(&dns_config(&sb, ""));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let state = std::fs::read_to_string(ws.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains(&token));
    ws.assert_clean_plan("plan");
}

#[test]
fn a_sensitive_client_secret_in_the_provider_block_never_reaches_state_or_output() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let secret = sb.var("ARM_CLIENT_SECRET");
    ws.env.retain(|(k, _)| k != "ARM_CLIENT_SECRET");
    ws.write_config(&dns_config(
        &sb,
        &format!("  client_secret = \"{secret}\"\n"),
    ));
    ws.init();
    let out = ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!out.contains(&secret));
    let state = std::fs::read_to_string(ws.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains(&secret));
}
