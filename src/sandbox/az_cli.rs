//! A stand-in for the Azure CLI's `az account get-access-token`, as `astro-azure-sandbox az …`
//! (tests put a two-line `az` script on `PATH` that execs it). It behaves like `az` after
//! `az login --service-principal`: the login lives in the CLI's config directory
//! (`$AZURE_CONFIG_DIR`, default `~/.azure`), here as `astro-sandbox-login.json`
//! `{"authority", "tenant_id", "client_id", "client_secret", "subscription_id"}`; a token
//! request is a client-credentials grant at the sandbox's Entra endpoint, sent with the CLI's
//! `AZURECLI/<version>` user agent; the answer is printed as
//! `az account get-access-token -o json` prints it (`accessToken`, `expiresOn`, `expires_on`,
//! `subscription`, `tenant`, `tokenType`;
//! https://learn.microsoft.com/cli/azure/account#az-account-get-access-token). Without a
//! login it fails the way `az` does: "Please run 'az login' to setup account." and exit 1.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Deserialize;
use serde_json::{Value, json};

/// The file the stand-in keeps its login in, inside the CLI's config directory.
pub const LOGIN_FILE: &str = "astro-sandbox-login.json";
/// The Azure CLI version the stand-in claims in its user agent.
pub const CLI_VERSION: &str = "2.67.0";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    authority: String,
    tenant_id: String,
    client_id: String,
    client_secret: String,
    subscription_id: String,
}

fn config_dir() -> Option<PathBuf> {
    std::env::var_os("AZURE_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".azure")))
}

/// Runs `az <args>`; prints what `az` would and returns its exit code.
pub fn run(args: &[String]) -> ExitCode {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    if words.get(..2) != Some(&["account", "get-access-token"][..]) {
        eprintln!(
            "ERROR: the sandbox's az stand-in only serves `az account get-access-token`, got `az {}`",
            words.join(" ")
        );
        return ExitCode::from(2);
    }
    let flag = |name: &str| {
        words
            .iter()
            .position(|w| *w == name)
            .and_then(|i| words.get(i + 1))
            .map(|s| s.to_string())
    };
    let Some(scope) =
        flag("--scope").or_else(|| flag("--resource").map(|r| format!("{r}/.default")))
    else {
        eprintln!("ERROR: --scope or --resource is required by the stand-in");
        return ExitCode::from(2);
    };
    let login: Option<Login> = config_dir()
        .map(|d| d.join(LOGIN_FILE))
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(login) = login else {
        eprintln!("ERROR: Please run 'az login' to setup account.");
        return ExitCode::FAILURE;
    };
    let tenant = flag("--tenant").unwrap_or_else(|| login.tenant_id.clone());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ERROR: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(token(&login, &tenant, &scope)) {
        Ok(answer) => {
            println!("{answer:#}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ERROR: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn token(login: &Login, tenant: &str, scope: &str) -> Result<Value, String> {
    let url = format!(
        "{}/{tenant}/oauth2/v2.0/token",
        login.authority.trim_end_matches('/')
    );
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", login.client_id.as_str()),
            ("client_secret", login.client_secret.as_str()),
            ("scope", scope),
        ])
        .finish();
    let response = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "user-agent",
            format!("AZURECLI/{CLI_VERSION} (astro-azure-sandbox stand-in)"),
        )
        .body(form)
        .send()
        .await
        .map_err(|e| format!("requesting a token from {url}: {e}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("reading the token answer: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{}: {}",
            body["error"].as_str().unwrap_or("error"),
            body["error_description"].as_str().unwrap_or_default()
        ));
    }
    let expires_in = body["expires_in"].as_u64().unwrap_or(3599);
    let expires_on = time::OffsetDateTime::now_utc() + time::Duration::seconds(expires_in as i64);
    let local = expires_on
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]"
        ))
        .unwrap_or_default();
    Ok(json!({
        "accessToken": body["access_token"],
        "expiresOn": local,
        "expires_on": expires_on.unix_timestamp(),
        "subscription": login.subscription_id,
        "tenant": tenant,
        "tokenType": "Bearer",
    }))
}
