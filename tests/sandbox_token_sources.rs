//! The sandbox's Entra and token sources are as strict as the real ones: certificate
//! assertions are checked for a registered thumbprint, signature, audience and time; federated
//! tokens for issuer, subject and audience; the CI and managed identity endpoints answer their
//! documented failures. (The provider's side of each is in tests/e2e_auth.rs.)

mod sandbox_support;

use astro_provider::azure::credential::certificate::ClientCertificate;
use astro_provider::sandbox::identity as idp;
use base64::Engine;
use reqwest::{Method, StatusCode};
use sandbox_support::{Answer, Env, start};
use serde_json::json;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn assert_with(env: &Env, assertion: &str) -> Answer {
    env.token_with(&[
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ])
    .await
}

fn aadsts(answer: &Answer) -> String {
    answer.body["error_description"]
        .as_str()
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn rsa_certificate() -> (String, ClientCertificate) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["astro".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let parsed = ClientCertificate::parse(
        format!("{}{}", cert.pem(), key.serialize_pem()).as_bytes(),
        "",
    )
    .unwrap();
    (cert.pem(), parsed)
}

#[tokio::test]
async fn certificate_assertions_are_verified_not_trusted() {
    let env = start().await;
    let client_id = env.var("ARM_CLIENT_ID");
    let tenant = env.var("ARM_TENANT_ID");
    let audience = format!("{}/{tenant}/oauth2/v2.0/token", env.base);
    let (pem, cert) = rsa_certificate();

    let good = cert.assertion(&client_id, &audience, now()).unwrap();
    let unregistered = assert_with(&env, &good).await;
    assert_eq!(unregistered.status, StatusCode::UNAUTHORIZED);
    assert_eq!(aadsts(&unregistered), "AADSTS700027");

    let registered = env
        .mgmt(
            Method::POST,
            &format!("principals/{client_id}/certificates"),
            Some(json!({"certificate_pem": pem})),
        )
        .await;
    assert_eq!(registered.status, StatusCode::CREATED, "{registered:?}");
    let ok = assert_with(&env, &good).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");

    let expired = cert.assertion(&client_id, &audience, now() - 7200).unwrap();
    assert_eq!(aadsts(&assert_with(&env, &expired).await), "AADSTS700024");

    let wrong_audience = cert
        .assertion(
            &client_id,
            "https://login.microsoftonline.com/x/oauth2/v2.0/token",
            now(),
        )
        .unwrap();
    assert_eq!(
        aadsts(&assert_with(&env, &wrong_audience).await),
        "AADSTS700016"
    );

    let other_client = cert
        .assertion("00000000-0000-0000-0000-0000000000c9", &audience, now())
        .unwrap();
    assert_eq!(
        aadsts(&assert_with(&env, &other_client).await),
        "AADSTS700021"
    );

    // Same thumbprint, but signed by another key: the signature check catches it.
    let (_, impostor) = rsa_certificate();
    let forged = impostor.assertion(&client_id, &audience, now()).unwrap();
    let mut parts: Vec<String> = forged.split('.').map(str::to_string).collect();
    parts[0] = good.split('.').next().unwrap().to_string();
    let forged = parts.join(".");
    let refused = assert_with(&env, &forged).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused.body["error_description"]
            .as_str()
            .unwrap()
            .contains("invalid signature"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn federated_tokens_must_match_issuer_subject_and_audience() {
    let env = start().await;
    let mint = |issuer: &'static str, subject: &'static str, audience: &'static str| {
        let env = &env;
        async move {
            let answer = env
                .mgmt(
                    Method::POST,
                    "oidc/mint",
                    Some(json!({"issuer": issuer, "subject": subject, "audience": audience})),
                )
                .await;
            answer.body["token"].as_str().unwrap().to_string()
        }
    };
    let ok = mint(idp::AKS_ISSUER, idp::AKS_SUBJECT, idp::FEDERATED_AUDIENCE).await;
    assert_eq!(assert_with(&env, &ok).await.status, StatusCode::OK);
    let issuer = mint(
        "https://issuer.example",
        idp::AKS_SUBJECT,
        idp::FEDERATED_AUDIENCE,
    )
    .await;
    assert_eq!(aadsts(&assert_with(&env, &issuer).await), "AADSTS700211");
    let subject = mint(
        idp::AKS_ISSUER,
        "system:serviceaccount:other:sa",
        idp::FEDERATED_AUDIENCE,
    )
    .await;
    assert_eq!(aadsts(&assert_with(&env, &subject).await), "AADSTS700213");
    let audience = mint(idp::AKS_ISSUER, idp::AKS_SUBJECT, "api://other").await;
    assert_eq!(aadsts(&assert_with(&env, &audience).await), "AADSTS700212");
    // A token that is not signed by a trusted issuer key.
    let mut parts: Vec<String> = ok.split('.').map(str::to_string).collect();
    parts[2] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 64]);
    assert_eq!(
        aadsts(&assert_with(&env, &parts.join(".")).await),
        "AADSTS50013"
    );
}

#[tokio::test]
async fn ci_and_managed_identity_endpoints_answer_their_failures() {
    let env = start().await;
    let send = |method: Method, path: &str, headers: &[(&str, &str)]| {
        let mut req = env.client.request(method, format!("{}{path}", env.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        async move { req.send().await.expect("request") }
    };
    let gh = format!(
        "{}?api-version=2.0&audience=api://AzureADTokenExchange",
        idp::GITHUB_PATH
    );
    assert_eq!(
        send(Method::GET, &gh, &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let ok = send(
        Method::GET,
        &gh,
        &[(
            "authorization",
            &format!("Bearer {}", idp::GITHUB_REQUEST_TOKEN),
        )],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(
        body["value"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "{body}"
    );

    let ado = format!(
        "{}?api-version=7.1&serviceConnectionId={}",
        idp::ADO_PATH,
        idp::ADO_SERVICE_CONNECTION_ID
    );
    let bearer = format!("Bearer {}", idp::ADO_SYSTEM_ACCESS_TOKEN);
    assert_eq!(
        send(Method::GET, &ado, &[("authorization", &bearer)])
            .await
            .status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        send(Method::POST, &ado, &[("authorization", "Bearer stale")])
            .await
            .status(),
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        "a sign-in page, as Azure DevOps answers without X-TFS-FedAuthRedirect"
    );
    assert_eq!(
        send(
            Method::POST,
            &ado,
            &[
                ("authorization", "Bearer stale"),
                ("x-tfs-fedauthredirect", "Suppress")
            ]
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );
    let unknown = ado.replace(
        idp::ADO_SERVICE_CONNECTION_ID,
        "00000000-0000-0000-0000-0000000000ff",
    );
    assert_eq!(
        send(Method::POST, &unknown, &[("authorization", &bearer)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let ok = send(Method::POST, &ado, &[("authorization", &bearer)]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(body["oidcToken"].as_str().is_some(), "{body}");

    let imds = format!(
        "{}?api-version=2018-02-01&resource=https://management.azure.com",
        idp::IMDS_PATH
    );
    assert_eq!(
        send(Method::GET, &imds, &[]).await.status(),
        StatusCode::BAD_REQUEST
    );
    let ok = send(Method::GET, &imds, &[("metadata", "true")]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(
        body["expires_on"].is_string() && body["access_token"].is_string(),
        "{body}"
    );

    let app = format!(
        "{}?api-version=2019-08-01&resource=https://management.azure.com",
        idp::APP_SERVICE_PATH
    );
    assert_eq!(
        send(Method::GET, &app, &[("x-identity-header", "wrong")])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Queued failures are answered first, one each, then service resumes.
    env.mgmt(
        Method::PUT,
        "token_source_failures",
        Some(json!({"statuses": [503]})),
    )
    .await;
    assert_eq!(
        send(Method::GET, &imds, &[("metadata", "true")])
            .await
            .status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        send(Method::GET, &imds, &[("metadata", "true")])
            .await
            .status(),
        StatusCode::OK
    );
}
