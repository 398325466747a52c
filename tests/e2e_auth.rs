//! End-to-end authentication, one method at a time: real `terraform` applies and destroys
//! against the sandbox with only that method's environment variables set, and the sandbox's
//! request log shows where the token came from (client certificate, a federated token from
//! GitHub Actions, Azure DevOps, HCP Terraform or AKS, managed identity). Each method also gets
//! a failure: the reason is in the diagnostic, and no secret or token is in the TRACE log.

mod common;

use astro_provider::sandbox::identity as idp;
use base64::Engine;
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat};
use reqwest::Method;
use serde_json::{Value as Json, json};

/// Variables that would let the provider authenticate some other way.
const OTHER_CREDENTIALS: [&str; 3] = ["ARM_CLIENT_SECRET", "ARM_CLIENT_ID", "ARM_TENANT_ID"];

fn dns_config(sb: &TestSandbox) -> String {
    format!(
        "provider \"astro\" {{}}\n\nresource \"astro_private_dns\" \"astro\" {{\n  resource_group_name = \"rg-astro-dns\"\n  cluster_id          = \"clauth0000\"\n  ip_address          = \"10.10.1.4\"\n  virtual_network_ids = [\"{}\"]\n}}\n",
        sb.var("ASTRO_SANDBOX_VNET_ID")
    )
}

/// A workspace with the sandbox's endpoints and CA but no credential at all (and the CLI
/// off), logging at TRACE; `keep_ids` keeps ARM_CLIENT_ID and ARM_TENANT_ID.
fn bare_workspace(sb: &TestSandbox, keep_ids: bool) -> Workspace {
    let mut ws = Workspace::with_sandbox(sb);
    ws.env.retain(|(k, _)| {
        k != "ARM_CLIENT_SECRET" && (keep_ids || !OTHER_CREDENTIALS.contains(&k.as_str()))
    });
    ws.set_env("TF_LOG", "TRACE");
    ws.write_config(&dns_config(sb));
    ws.init();
    ws
}

/// Fails if any of `secrets` shows up in `text` (TRACE logs, plan output) or in the state.
fn assert_hidden(ws: &Workspace, text: &str, secrets: &[&str]) {
    let state = std::fs::read_to_string(ws.dir().join("terraform.tfstate")).unwrap_or_default();
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !text.contains(secret),
            "a secret leaked into the output/log: {secret:.12}…"
        );
        assert!(
            !state.contains(secret),
            "a secret leaked into the state: {secret:.12}…"
        );
    }
    // Access tokens the sandbox issued look like `sbx.<hex>`.
    assert!(
        !text.contains("\"sbx.") && !text.contains(" sbx."),
        "an access token leaked"
    );
}

/// Applies, checks a clean plan, destroys; returns every output (TRACE log included).
fn apply_and_destroy(ws: &mut Workspace, secrets: &[&str]) -> String {
    let apply = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = both(&apply);
    assert!(apply.status.success(), "apply failed:\n{}", tail(&text));
    // The plan checks run without TRACE (Terraform's refresh-only exit code is what is checked).
    let log = ws
        .env
        .iter()
        .position(|(k, _)| k == "TF_LOG")
        .map(|i| ws.env.remove(i));
    ws.assert_clean_plan("after apply");
    ws.env.extend(log);
    let destroy = ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    let text = format!("{text}{}", both(&destroy));
    assert!(destroy.status.success(), "destroy failed:\n{}", tail(&text));
    assert_hidden(ws, &text, secrets);
    text
}

/// Applies and expects failure; returns the output (TRACE log included), flattened.
fn failing_apply(ws: &Workspace, secrets: &[&str]) -> String {
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = both(&out);
    assert!(!out.status.success(), "apply must fail:\n{}", tail(&text));
    assert_hidden(ws, &text, secrets);
    flat(&text)
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("[TRACE]") && !l.contains("[DEBUG]"))
        .collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// The `credential` of every successful token request, in order.
fn token_sources(sb: &TestSandbox) -> Vec<String> {
    sb.requests()
        .iter()
        .filter(|r| r["resource_type"] == "token" && r["status"] == 200)
        .filter_map(|r| r["credential"].as_str().map(str::to_string))
        .collect()
}

/// Statuses of the requests of one kind (`github_oidc`, `ado_oidc`, `imds`, ...).
fn statuses(sb: &TestSandbox, kind: &str) -> Vec<u64> {
    sb.requests()
        .iter()
        .filter(|r| r["resource_type"] == kind)
        .filter_map(|r| r["status"].as_u64())
        .collect()
}

fn assert_only_source(sb: &TestSandbox, want: &str) {
    let sources = token_sources(sb);
    assert!(
        !sources.is_empty(),
        "no token was issued: {:?}",
        sb.requests()
    );
    assert!(
        sources.iter().all(|s| s == want),
        "tokens came from {sources:?}, want only {want}"
    );
}

/// A fresh RSA certificate registered on the sandbox's app registration:
/// (certificate PEM, key PEM, certificate DER, key PKCS#8 DER).
fn registered_certificate(sb: &TestSandbox) -> (String, String, Vec<u8>, Vec<u8>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    let cert = rcgen::CertificateParams::new(vec!["astro-terraform".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    sb.manage(
        Method::POST,
        &format!("principals/{}/certificates", sb.var("ARM_CLIENT_ID")),
        Some(json!({"certificate_pem": cert.pem()})),
    );
    (
        cert.pem(),
        key.serialize_pem(),
        cert.der().to_vec(),
        key.serialize_der(),
    )
}

fn pkcs12(cert_der: &[u8], key_der: &[u8], password: &str) -> Vec<u8> {
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "astro",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            b"astro".as_slice(),
            p12_keystore::PrivateKey::from_der(key_der).unwrap(),
            [p12_keystore::Certificate::from_der(cert_der).unwrap()],
        )),
    );
    store.writer(password).write().expect("PKCS#12")
}

fn mint(
    sb: &TestSandbox,
    issuer: &str,
    subject: &str,
    audience: &str,
    lifetime_secs: i64,
) -> String {
    let answer: Json = sb.manage(
        Method::POST,
        "oidc/mint",
        Some(json!({"issuer": issuer, "subject": subject, "audience": audience, "lifetime_secs": lifetime_secs})),
    );
    answer["token"].as_str().expect("token").to_string()
}

// ---- client certificate ----------------------------------------------------------------

#[test]
fn client_certificate_pkcs12_with_password_from_base64() {
    let sb = TestSandbox::start();
    let (_, key_pem, cert_der, key_der) = registered_certificate(&sb);
    let pfx = pkcs12(&cert_der, &key_der, "pfx-Pa55word");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&pfx);
    let mut ws = bare_workspace(&sb, true);
    ws.set_env("ARM_CLIENT_CERTIFICATE", &b64);
    ws.set_env("ARM_CLIENT_CERTIFICATE_PASSWORD", "pfx-Pa55word");
    let key_body = key_pem.lines().nth(1).unwrap_or_default().to_string();
    apply_and_destroy(&mut ws, &["pfx-Pa55word", &b64[..40], &key_body]);
    assert_only_source(&sb, "client_certificate");
}

#[test]
fn client_certificate_pem_file() {
    let sb = TestSandbox::start();
    let (cert_pem, key_pem, _, _) = registered_certificate(&sb);
    let mut ws = bare_workspace(&sb, true);
    let path = ws.tmp.path().join("client.pem");
    std::fs::write(&path, format!("{cert_pem}{key_pem}")).unwrap();
    ws.set_env("ARM_CLIENT_CERTIFICATE_PATH", &path.display().to_string());
    let key_body = key_pem.lines().nth(1).unwrap_or_default().to_string();
    apply_and_destroy(&mut ws, &[&key_body]);
    assert_only_source(&sb, "client_certificate");
}

#[test]
fn client_certificate_failures_name_the_reason() {
    let sb = TestSandbox::start();
    // Not registered on the app registration: Entra refuses the signed assertion.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["stranger".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let mut ws = bare_workspace(&sb, true);
    let path = ws.tmp.path().join("stranger.pem");
    std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
    ws.set_env("ARM_CLIENT_CERTIFICATE_PATH", &path.display().to_string());
    let text = failing_apply(&ws, &[]);
    assert!(text.contains("AADSTS700027"), "{}", tail(&text));
    assert!(sb.resources().is_empty());

    // A wrong PKCS#12 password is caught before any request, and never shown.
    let (_, _, cert_der, key_der) = registered_certificate(&sb);
    let pfx_path = ws.tmp.path().join("client.pfx");
    std::fs::write(&pfx_path, pkcs12(&cert_der, &key_der, "right-password")).unwrap();
    ws.set_env(
        "ARM_CLIENT_CERTIFICATE_PATH",
        &pfx_path.display().to_string(),
    );
    ws.set_env("ARM_CLIENT_CERTIFICATE_PASSWORD", "wrong-password");
    sb.clear_requests();
    let text = failing_apply(&ws, &["wrong-password", "right-password"]);
    assert!(
        text.contains("ARM_CLIENT_CERTIFICATE_PASSWORD"),
        "{}",
        tail(&text)
    );
    assert!(token_sources(&sb).is_empty());

    // A missing file names the file.
    ws.set_env("ARM_CLIENT_CERTIFICATE_PATH", "/nonexistent/client.pfx");
    let text = failing_apply(&ws, &[]);
    assert!(text.contains("/nonexistent/client.pfx"), "{}", tail(&text));
}

// ---- client secret ---------------------------------------------------------------------

#[test]
fn client_secret_and_its_failure() {
    let sb = TestSandbox::start();
    let secret = sb.var("ARM_CLIENT_SECRET");
    let mut ws = bare_workspace(&sb, true);
    ws.set_env("ARM_CLIENT_SECRET", &secret);
    apply_and_destroy(&mut ws, &[&secret]);
    assert_only_source(&sb, "client_secret");

    ws.set_env("ARM_CLIENT_SECRET", "a-wrong-client-secret");
    let text = failing_apply(&ws, &["a-wrong-client-secret", &secret]);
    assert!(text.contains("AADSTS7000215"), "{}", tail(&text));
}

// ---- GitHub Actions --------------------------------------------------------------------

fn github_workspace(sb: &TestSandbox, request_token: &str) -> Workspace {
    let mut ws = bare_workspace(sb, true);
    ws.set_env("ARM_USE_OIDC", "true");
    ws.set_env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        &format!("{}{}?api-version=2.0", sb.endpoint(), idp::GITHUB_PATH),
    );
    ws.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token);
    ws
}

#[test]
fn github_actions_id_token_request() {
    let sb = TestSandbox::start();
    let mut ws = github_workspace(&sb, idp::GITHUB_REQUEST_TOKEN);
    apply_and_destroy(&mut ws, &[idp::GITHUB_REQUEST_TOKEN]);
    assert_only_source(&sb, "federated:github");
    let asked = statuses(&sb, "github_oidc");
    assert!(
        !asked.is_empty() && asked.iter().all(|s| *s == 200),
        "{asked:?}"
    );
}

#[test]
fn github_endpoint_answering_500_twice_is_retried_and_succeeds() {
    let sb = TestSandbox::start();
    sb.manage(
        Method::PUT,
        "token_source_failures",
        Some(json!({"statuses": [500, 500]})),
    );
    let mut ws = github_workspace(&sb, idp::GITHUB_REQUEST_TOKEN);
    apply_and_destroy(&mut ws, &[idp::GITHUB_REQUEST_TOKEN]);
    let asked = statuses(&sb, "github_oidc");
    assert_eq!(&asked[..3], &[500, 500, 200], "{asked:?}");
    assert_only_source(&sb, "federated:github");
}

#[test]
fn github_wrong_request_token_is_refused_with_the_reason() {
    let sb = TestSandbox::start();
    let ws = github_workspace(&sb, "not-the-request-token");
    let text = failing_apply(&ws, &["not-the-request-token"]);
    assert!(
        text.contains("OIDC request URL answered 401"),
        "{}",
        tail(&text)
    );
    assert!(token_sources(&sb).is_empty());
}

// ---- Azure DevOps ----------------------------------------------------------------------

fn ado_workspace(sb: &TestSandbox, access_token: &str, connection_var: &str) -> Workspace {
    let mut ws = bare_workspace(sb, true);
    ws.set_env("ARM_USE_OIDC", "true");
    ws.set_env(connection_var, idp::ADO_SERVICE_CONNECTION_ID);
    ws.set_env("SYSTEM_ACCESSTOKEN", access_token);
    ws.set_env(
        "SYSTEM_OIDCREQUESTURI",
        &format!("{}{}", sb.endpoint(), idp::ADO_PATH),
    );
    ws
}

#[test]
fn azure_devops_service_connection() {
    let sb = TestSandbox::start();
    let mut ws = ado_workspace(
        &sb,
        idp::ADO_SYSTEM_ACCESS_TOKEN,
        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
    );
    apply_and_destroy(&mut ws, &[idp::ADO_SYSTEM_ACCESS_TOKEN]);
    assert_only_source(&sb, "federated:azure_devops");
    let posts: Vec<Json> = sb
        .requests()
        .into_iter()
        .filter(|r| r["resource_type"] == "ado_oidc")
        .collect();
    assert!(
        !posts.is_empty()
            && posts
                .iter()
                .all(|r| r["method"] == "POST" && r["status"] == 200),
        "{posts:?}"
    );
}

#[test]
fn azure_devops_legacy_variable_and_a_wrong_access_token() {
    let sb = TestSandbox::start();
    let ws = ado_workspace(
        &sb,
        "a-stale-system-access-token",
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    );
    let text = failing_apply(&ws, &["a-stale-system-access-token"]);
    assert!(
        text.contains("401") && text.contains("OIDC endpoint"),
        "{}",
        tail(&text)
    );
    assert!(token_sources(&sb).is_empty());
    assert_eq!(statuses(&sb, "ado_oidc").first(), Some(&401));
}

// ---- HCP Terraform ---------------------------------------------------------------------

#[test]
fn hcp_terraform_workload_identity_token() {
    let sb = TestSandbox::start();
    let token = mint(
        &sb,
        idp::HCP_ISSUER,
        idp::HCP_SUBJECT,
        idp::FEDERATED_AUDIENCE,
        3600,
    );
    let mut ws = bare_workspace(&sb, true);
    ws.set_env("ARM_USE_OIDC", "true");
    ws.set_env("TFC_WORKLOAD_IDENTITY_TOKEN", &token);
    apply_and_destroy(&mut ws, &[&token]);
    assert_only_source(&sb, "federated:hcp_terraform");
}

#[test]
fn hcp_terraform_alias_files_from_tfc_azure_dynamic_credentials() {
    // For provider aliases HCP Terraform writes the client ID and token to files and hands
    // their paths over in `var.tfc_azure_dynamic_credentials`, as azurerm users wire them.
    let sb = TestSandbox::start();
    let token = mint(
        &sb,
        idp::HCP_ISSUER,
        idp::HCP_SUBJECT,
        idp::FEDERATED_AUDIENCE,
        3600,
    );
    let mut ws = bare_workspace(&sb, false);
    ws.set_env("ARM_TENANT_ID", &sb.var("ARM_TENANT_ID"));
    let client_file = ws.dir().join("azure_dynamic_credentials_client_id");
    let token_file = ws.dir().join("azure_token");
    std::fs::write(&client_file, sb.var("ARM_CLIENT_ID")).unwrap();
    std::fs::write(&token_file, &token).unwrap();
    let vars = json!({"tfc_azure_dynamic_credentials": {
        "default": {"client_id_file_path": client_file, "oidc_token_file_path": token_file},
        "aliases": {}
    }});
    std::fs::write(
        ws.dir().join("dynamic_credentials.auto.tfvars.json"),
        vars.to_string(),
    )
    .unwrap();
    ws.write_config(&dns_config(&sb).replace(
        "provider \"astro\" {}",
        "variable \"tfc_azure_dynamic_credentials\" {\n  type = object({\n    default = object({ client_id_file_path = string, oidc_token_file_path = string })\n    aliases = map(object({ client_id_file_path = string, oidc_token_file_path = string }))\n  })\n}\n\nprovider \"astro\" {\n  use_oidc             = true\n  client_id_file_path  = var.tfc_azure_dynamic_credentials.default.client_id_file_path\n  oidc_token_file_path = var.tfc_azure_dynamic_credentials.default.oidc_token_file_path\n}",
    ));
    apply_and_destroy(&mut ws, &[&token]);
    assert_only_source(&sb, "federated:hcp_terraform");
}

#[test]
fn hcp_terraform_expired_or_wrong_audience_token_is_refused() {
    let sb = TestSandbox::start();
    let expired = mint(
        &sb,
        idp::HCP_ISSUER,
        idp::HCP_SUBJECT,
        idp::FEDERATED_AUDIENCE,
        -600,
    );
    let mut ws = bare_workspace(&sb, true);
    ws.set_env("ARM_USE_OIDC", "true");
    ws.set_env("TFC_WORKLOAD_IDENTITY_TOKEN", &expired);
    let text = failing_apply(&ws, &[&expired]);
    assert!(text.contains("AADSTS700024"), "{}", tail(&text));

    let wrong_audience = mint(
        &sb,
        idp::HCP_ISSUER,
        idp::HCP_SUBJECT,
        "https://app.terraform.io",
        3600,
    );
    ws.set_env("TFC_WORKLOAD_IDENTITY_TOKEN", &wrong_audience);
    let text = failing_apply(&ws, &[&wrong_audience]);
    assert!(text.contains("AADSTS700212"), "{}", tail(&text));
    assert!(token_sources(&sb).is_empty());
}

// ---- AKS workload identity ---------------------------------------------------------------

#[test]
fn aks_workload_identity_with_only_the_injected_variables() {
    let sb = TestSandbox::start();
    let token = mint(
        &sb,
        idp::AKS_ISSUER,
        idp::AKS_SUBJECT,
        idp::FEDERATED_AUDIENCE,
        3600,
    );
    let mut ws = bare_workspace(&sb, false);
    let file = ws.tmp.path().join("azure-identity-token");
    std::fs::write(&file, &token).unwrap();
    ws.set_env("AZURE_CLIENT_ID", &sb.var("ARM_CLIENT_ID"));
    ws.set_env("AZURE_TENANT_ID", &sb.var("ARM_TENANT_ID"));
    ws.set_env("AZURE_FEDERATED_TOKEN_FILE", &file.display().to_string());
    assert!(
        !ws.env
            .iter()
            .any(|(k, _)| k == "ARM_USE_OIDC" || OTHER_CREDENTIALS.contains(&k.as_str()))
    );
    apply_and_destroy(&mut ws, &[&token]);
    assert_only_source(&sb, "federated:aks");
}

#[test]
fn aks_missing_token_file_is_named() {
    let sb = TestSandbox::start();
    let mut ws = bare_workspace(&sb, false);
    ws.set_env("AZURE_CLIENT_ID", &sb.var("ARM_CLIENT_ID"));
    ws.set_env("AZURE_TENANT_ID", &sb.var("ARM_TENANT_ID"));
    ws.set_env(
        "AZURE_FEDERATED_TOKEN_FILE",
        "/var/run/secrets/azure/tokens/missing-token",
    );
    let text = failing_apply(&ws, &[]);
    assert!(
        text.contains("/var/run/secrets/azure/tokens/missing-token"),
        "{}",
        tail(&text)
    );
    assert_eq!(sb.total(), 0, "nothing was sent: {}", sb.summary());
}

// ---- managed identity --------------------------------------------------------------------

#[test]
fn managed_identity_through_msi_endpoint_imds_style() {
    let sb = TestSandbox::start();
    let mut ws = bare_workspace(&sb, false);
    ws.set_env("ARM_USE_MSI", "true");
    ws.set_env(
        "ARM_MSI_ENDPOINT",
        &format!("{}{}", sb.endpoint(), idp::IMDS_PATH),
    );
    apply_and_destroy(&mut ws, &[]);
    let imds = statuses(&sb, "imds");
    assert!(
        !imds.is_empty() && imds.iter().all(|s| *s == 200),
        "{imds:?}"
    );
    assert!(token_sources(&sb).is_empty(), "no Entra token request");

    // A user-assigned identity that is not on this host.
    ws.set_env("ARM_CLIENT_ID", "00000000-0000-0000-0000-0000000000ff");
    let text = failing_apply(&ws, &[]);
    assert!(text.contains("Identity not found"), "{}", tail(&text));
}

#[test]
fn managed_identity_app_service_style_and_a_wrong_identity_header() {
    let sb = TestSandbox::start();
    let mut ws = bare_workspace(&sb, false);
    ws.set_env("ARM_USE_MSI", "true");
    ws.set_env("ARM_CLIENT_ID", "00000000-0000-0000-0000-0000000000e2");
    ws.set_env(
        "IDENTITY_ENDPOINT",
        &format!("{}{}", sb.endpoint(), idp::APP_SERVICE_PATH),
    );
    ws.set_env("IDENTITY_HEADER", idp::APP_SERVICE_IDENTITY_HEADER);
    apply_and_destroy(&mut ws, &[idp::APP_SERVICE_IDENTITY_HEADER]);
    let asked = statuses(&sb, "app_service_msi");
    assert!(
        !asked.is_empty() && asked.iter().all(|s| *s == 200),
        "{asked:?}"
    );

    ws.set_env("IDENTITY_HEADER", "a-wrong-identity-header");
    let text = failing_apply(&ws, &["a-wrong-identity-header"]);
    assert!(text.contains("401"), "{}", tail(&text));
}

// ---- nothing applies, user agent ----------------------------------------------------------

#[test]
fn nothing_configured_lists_every_method_and_why_it_was_skipped() {
    let sb = TestSandbox::start();
    let ws = bare_workspace(&sb, true);
    let text = failing_apply(&ws, &[]);
    for method in [
        "client certificate (skipped",
        "client secret (skipped",
        "OIDC (skipped",
        "managed identity (skipped",
        "Azure CLI (skipped",
    ] {
        assert!(text.contains(method), "{method}: {}", tail(&text));
    }
    assert_eq!(sb.total(), 0);
}

#[test]
fn user_agent_keeps_the_sdk_part_and_adds_terraform_provider_and_partner() {
    let sb = TestSandbox::start();
    let mut ws = bare_workspace(&sb, true);
    ws.set_env("ARM_CLIENT_SECRET", &sb.var("ARM_CLIENT_SECRET"));
    ws.set_env("ARM_PARTNER_ID", "11111111-2222-3333-4444-555555555555");
    apply_and_destroy(&mut ws, &[]);
    let version = String::from_utf8(ws.run(&["version"]).stdout).unwrap();
    let tf = version
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches('v')
        .to_string();
    let arm: Vec<String> = sb
        .requests()
        .iter()
        .filter(|r| r["resource_type"] != "token")
        .filter_map(|r| r["user_agent"].as_str().map(str::to_string))
        .collect();
    assert!(!arm.is_empty());
    for ua in arm {
        assert!(ua.starts_with("azsdk-rust-"), "{ua}");
        assert!(
            ua.ends_with(&format!(
                "HashiCorp Terraform/{tf} (+https://www.terraform.io) terraform-provider-astro/{} pid-11111111-2222-3333-4444-555555555555",
                env!("CARGO_PKG_VERSION")
            )),
            "{ua}"
        );
    }
}

// ---- Azure CLI -----------------------------------------------------------------------------

#[test]
fn azure_cli_logged_in_and_not() {
    let sb = TestSandbox::start();
    let mut ws = bare_workspace(&sb, false);
    ws.set_env("ARM_USE_CLI", "true");
    ws.az_on_path();
    // Not logged in: az's own message comes through.
    let text = failing_apply(&ws, &[]);
    assert!(text.contains("az login"), "{}", tail(&text));

    // `az login --service-principal`, as the stand-in keeps it in ~/.azure.
    let azure_dir = ws.tmp.path().join("home").join(".azure");
    std::fs::create_dir_all(&azure_dir).unwrap();
    let secret = sb.var("ARM_CLIENT_SECRET");
    std::fs::write(
        azure_dir.join(astro_provider::sandbox::az_cli::LOGIN_FILE),
        json!({
            "authority": sb.var("AZURE_AUTHORITY_HOST"),
            "tenant_id": sb.var("ARM_TENANT_ID"),
            "client_id": sb.var("ARM_CLIENT_ID"),
            "client_secret": secret,
            "subscription_id": sb.var("ARM_SUBSCRIPTION_ID"),
        })
        .to_string(),
    )
    .unwrap();
    apply_and_destroy(&mut ws, &[&secret]);
    let tokens: Vec<Json> = sb
        .requests()
        .into_iter()
        .filter(|r| r["resource_type"] == "token" && r["status"] == 200)
        .collect();
    assert!(!tokens.is_empty());
    for t in tokens {
        assert!(
            t["user_agent"]
                .as_str()
                .is_some_and(|ua| ua.starts_with("AZURECLI/")),
            "every token came through the az stand-in: {t}"
        );
    }
}

#[test]
fn bad_partner_id_and_http_msi_endpoint_are_refused_at_validate_time() {
    let sb = TestSandbox::start();
    let ws = bare_workspace(&sb, true);
    ws.write_config(&dns_config(&sb).replace(
        "provider \"astro\" {}",
        "provider \"astro\" {\n  partner_id   = \"acme\"\n  msi_endpoint = \"http://msi.example.com/token\"\n}",
    ));
    let out = ws.run(&["validate", "-no-color"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{}", tail(&text));
    assert!(
        text.contains("partner_id") && text.contains("\"acme\" is not a GUID"),
        "{}",
        tail(&text)
    );
    assert!(
        text.contains("msi_endpoint") && text.contains("use https"),
        "{}",
        tail(&text)
    );
    assert_eq!(sb.total(), 0);
}
