//! PrepareProviderConfig and Configure: provider configuration checked and handed over.

use super::*;

pub(crate) async fn prepare(tf: &Tf, config: &Value) -> pb::prepare_provider_config::Response {
    tf.client
        .clone()
        .prepare_provider_config(pb::prepare_provider_config::Request {
            config: Some(dv(config, &tf.provider)),
        })
        .await
        .expect("PrepareProviderConfig")
        .into_inner()
}

/// Configure with `config` as Terraform sends it; an answer with diagnostics is no gRPC error.
pub(crate) async fn configure(tf: &Tf, config: &Value) -> pb::configure::Response {
    tf.client
        .clone()
        .configure(pb::configure::Request {
            terraform_version: TF_VERSION.into(),
            config: Some(dv(config, &tf.provider)),
            ..Default::default()
        })
        .await
        .expect("Configure answers with diagnostics, not a gRPC error")
        .into_inner()
}

#[tokio::test]
async fn prepare_provider_config_accepts_valid_null_and_unknown_values() {
    let tf = Tf::start().await;
    for endpoint in [s("https://api.example"), Value::Null, Value::unknown()] {
        let config = object_of(&tf.provider, &[("endpoint", endpoint.clone())]);
        let resp = prepare(&tf, &config).await;
        assert!(
            resp.diagnostics.is_empty(),
            "{endpoint:?}: {:?}",
            resp.diagnostics
        );
        // Terraform ignores prepared_config; if present it must be the config.
        if let Some(p) = resp.prepared_config.as_ref() {
            assert_eq!(undv(Some(p), &tf.provider), config);
        }
    }
}

#[tokio::test]
async fn prepare_provider_config_reports_an_invalid_value_at_its_attribute() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("endpoint", s("http://plain.example"))]);
    let resp = prepare(&tf, &config).await;
    assert_severities_valid(&resp.diagnostics);
    assert_eq!(error_paths(&resp.diagnostics), [root().attr("endpoint")]);
    let e = errors(&resp.diagnostics);
    assert!(e[0].contains("https://"), "{e:?}");
}

#[tokio::test]
async fn configure_hands_the_config_and_terraform_version_to_the_provider() {
    let tf = Tf::start().await;
    // During plan the provider config may hold unknowns.
    let config = object_of(
        &tf.provider,
        &[
            ("endpoint", s("https://api.example")),
            ("token", Value::unknown()),
        ],
    );
    let resp = configure(&tf, &config).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let (got, version) = tf.cloud.configured().expect("configure was called");
    assert_eq!(version, TF_VERSION);
    assert_eq!(got, config);
    assert!(got.get_attr("token").is_some_and(Value::is_unknown));
}
