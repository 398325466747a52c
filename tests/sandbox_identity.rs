//! The token endpoint as azure_identity 1.1 really calls it: ClientSecretCredential and
//! ClientAssertionCredential, pointed at the sandbox through a custom cloud and a reqwest
//! transport trusting the sandbox CA, obtain tokens that ARM routes then accept.

mod sandbox_support;

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions,
};
use reqwest::StatusCode;

const SCOPE: &str = "https://management.azure.com/.default";

fn client_options(env: &sandbox_support::Env) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = env.var("AZURE_AUTHORITY_HOST");
    ClientOptions {
        transport: Some(Transport::new(Arc::new(env.client.clone()))),
        cloud: Some(Arc::new(CloudConfiguration::from(cloud))),
        ..ClientOptions::default()
    }
}

#[derive(Debug)]
struct FixedAssertion(String);

#[async_trait::async_trait]
impl ClientAssertion for FixedAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self.0.clone())
    }
}

/// A federated token from the sandbox's issuer for one of the seeded federated credentials.
async fn minted(env: &sandbox_support::Env, subject: &str) -> String {
    let answer = env
        .mgmt(
            reqwest::Method::POST,
            "oidc/mint",
            Some(serde_json::json!({"issuer": "https://app.terraform.io", "subject": subject})),
        )
        .await;
    answer.body["token"].as_str().expect("token").to_string()
}

async fn arm_status(env: &sandbox_support::Env, token: &str) -> StatusCode {
    let url = format!(
        "{}/subscriptions/{}/resourceGroups/rg-astro-agents?api-version=2024-03-01",
        env.base,
        env.sub()
    );
    env.client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("ARM")
        .status()
}

#[tokio::test]
async fn client_secret_credential_gets_a_token_arm_accepts() {
    let env = sandbox_support::start().await;
    let credential = ClientSecretCredential::new(
        &env.var("ARM_TENANT_ID"),
        env.var("ARM_CLIENT_ID"),
        Secret::new(env.var("ARM_CLIENT_SECRET")),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&env),
        }),
    )
    .expect("credential");
    let token = credential.get_token(&[SCOPE], None).await.expect("token");
    assert_eq!(arm_status(&env, token.token.secret()).await, StatusCode::OK);

    let wrong = ClientSecretCredential::new(
        &env.var("ARM_TENANT_ID"),
        env.var("ARM_CLIENT_ID"),
        Secret::new("wrong"),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&env),
        }),
    )
    .expect("credential");
    assert!(wrong.get_token(&[SCOPE], None).await.is_err());
}

#[tokio::test]
async fn client_assertion_credential_gets_a_token_arm_accepts() {
    let env = sandbox_support::start().await;
    let credential = ClientAssertionCredential::new(
        env.var("ARM_TENANT_ID"),
        env.var("ARM_CLIENT_ID"),
        FixedAssertion(
            minted(
                &env,
                "organization:astro:project:infra:workspace:privatelink:run_phase:apply",
            )
            .await,
        ),
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(&env),
        }),
    )
    .expect("credential");
    let token = credential.get_token(&[SCOPE], None).await.expect("token");
    assert_eq!(arm_status(&env, token.token.secret()).await, StatusCode::OK);

    let forged = ClientAssertionCredential::new(
        env.var("ARM_TENANT_ID"),
        env.var("ARM_CLIENT_ID"),
        FixedAssertion(
            minted(
                &env,
                "organization:someone-else:project:x:workspace:y:run_phase:apply",
            )
            .await,
        ),
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(&env),
        }),
    )
    .expect("credential");
    assert!(forged.get_token(&[SCOPE], None).await.is_err());
}
