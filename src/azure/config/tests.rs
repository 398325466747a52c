//! Unit tests of `config`.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn resolve_with(s: &ProviderSettings, pairs: &[(&str, &str)]) -> Result<AzureConfig, ConfigError> {
    resolve(s, &env_of(pairs))
}

const SUB: (&str, &str) = ("ARM_SUBSCRIPTION_ID", "sub-env");

#[test]
fn credential_choice_table() {
    let sp = [("ARM_TENANT_ID", "t"), ("ARM_CLIENT_ID", "c")];
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        Result<&'a str, ConfigError>,
    );
    let cases: Vec<Case> = vec![
        ("default is cli", vec![SUB], Ok("Azure CLI")),
        (
            "secret with tenant and client",
            vec![SUB, sp[0], sp[1], ("ARM_CLIENT_SECRET", "s")],
            Ok("client secret"),
        ),
        (
            "secret beats oidc and msi",
            vec![
                SUB,
                sp[0],
                sp[1],
                ("ARM_CLIENT_SECRET", "s"),
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN", "x"),
                ("ARM_USE_MSI", "true"),
            ],
            Ok("client secret"),
        ),
        (
            "oidc inline",
            vec![
                SUB,
                sp[0],
                sp[1],
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN", "jwt"),
            ],
            Ok("OIDC"),
        ),
        (
            "oidc federated file",
            vec![
                SUB,
                sp[0],
                sp[1],
                ("ARM_USE_OIDC", "1"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
            ],
            Ok("OIDC"),
        ),
        (
            "oidc beats msi",
            vec![
                SUB,
                sp[0],
                sp[1],
                ("ARM_USE_OIDC", "true"),
                ("ARM_OIDC_TOKEN", "jwt"),
                ("ARM_USE_MSI", "true"),
            ],
            Ok("OIDC"),
        ),
        (
            "msi",
            vec![SUB, ("ARM_USE_MSI", "TRUE")],
            Ok("managed identity"),
        ),
        (
            "oidc without token",
            vec![SUB, sp[0], sp[1], ("ARM_USE_OIDC", "true")],
            Err(ConfigError::OidcWithoutToken),
        ),
        (
            "secret without tenant",
            vec![SUB, sp[1], ("ARM_CLIENT_SECRET", "s")],
            Err(ConfigError::IncompleteServicePrincipal {
                auth: "client secret authentication",
                missing: "a tenant ID",
                hint: "`tenant_id` or ARM_TENANT_ID",
            }),
        ),
        (
            "secret without client",
            vec![SUB, sp[0], ("ARM_CLIENT_SECRET", "s")],
            Err(ConfigError::IncompleteServicePrincipal {
                auth: "client secret authentication",
                missing: "a client ID",
                hint: "`client_id` or ARM_CLIENT_ID",
            }),
        ),
        (
            "bad bool",
            vec![SUB, ("ARM_USE_MSI", "yes")],
            Err(ConfigError::BadBool {
                variable: "ARM_USE_MSI",
                value: "yes".into(),
            }),
        ),
        (
            "no subscription",
            vec![],
            Err(ConfigError::MissingSubscription),
        ),
        (
            "empty subscription counts as unset",
            vec![("ARM_SUBSCRIPTION_ID", "")],
            Err(ConfigError::MissingSubscription),
        ),
    ];
    for (name, env, want) in cases {
        let got = resolve_with(&ProviderSettings::default(), &env).map(|c| c.credential.kind());
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn explicit_settings_win_over_env() {
    let s = ProviderSettings {
        subscription_id: Some("sub-explicit".into()),
        tenant_id: Some("t-explicit".into()),
        client_id: Some("c-explicit".into()),
        client_secret: Some(Secret::new("s-explicit")),
        use_cli: Some(false),
        ..Default::default()
    };
    let c = resolve_with(
        &s,
        &[
            SUB,
            ("ARM_TENANT_ID", "t-env"),
            ("ARM_CLIENT_ID", "c-env"),
            ("ARM_CLIENT_SECRET", "s-env"),
            ("ARM_USE_CLI", "true"),
        ],
    )
    .expect("resolves");
    assert_eq!(c.subscription_id, "sub-explicit");
    assert_eq!(
        c.credential,
        CredentialChoice::ClientSecret {
            tenant_id: "t-explicit".into(),
            client_id: "c-explicit".into(),
            secret: Secret::new("s-explicit"),
        }
    );
    // use_cli = false explicitly beats ARM_USE_CLI=true.
    let s = ProviderSettings {
        use_cli: Some(false),
        ..Default::default()
    };
    assert!(matches!(
        resolve_with(&s, &[SUB, ("ARM_USE_CLI", "true")]),
        Err(ConfigError::NoCredential { .. })
    ));
}

#[test]
fn oidc_token_sources_in_order() {
    let base = [
        SUB,
        ("ARM_TENANT_ID", "t"),
        ("ARM_CLIENT_ID", "c"),
        ("ARM_USE_OIDC", "true"),
    ];
    let token_of = |extra: &[(&str, &str)], s: &ProviderSettings| {
        let env: Vec<_> = base.iter().chain(extra).copied().collect();
        match resolve_with(s, &env).expect("resolves").credential {
            CredentialChoice::Oidc { token, .. } => token,
            other => panic!("expected OIDC, got {other:?}"),
        }
    };
    let d = ProviderSettings::default();
    let github = [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/t?v=1"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "bearer"),
    ];
    assert_eq!(
        token_of(&github, &d),
        OidcTokenSource::Request {
            url: "https://gh.example/t?v=1".into(),
            token: Secret::new("bearer")
        }
    );
    let with_file: Vec<_> = github
        .iter()
        .copied()
        .chain([("ARM_OIDC_TOKEN_FILE_PATH", "/a")])
        .collect();
    assert_eq!(
        token_of(&with_file, &d),
        OidcTokenSource::File("/a".into()),
        "a token file wins over the request URL"
    );
    assert_eq!(
        token_of(
            &[
                ("ARM_OIDC_TOKEN_FILE_PATH", "/a"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/b")
            ],
            &d
        ),
        OidcTokenSource::File("/a".into())
    );
    assert_eq!(
        token_of(&[("AZURE_FEDERATED_TOKEN_FILE", "/b")], &d),
        OidcTokenSource::File("/b".into())
    );
    assert_eq!(
        token_of(
            &[
                ("ARM_OIDC_TOKEN", "jwt"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/b")
            ],
            &d
        ),
        OidcTokenSource::Inline(Secret::new("jwt"))
    );
    let explicit = ProviderSettings {
        oidc_token_file_path: Some("/explicit".into()),
        ..Default::default()
    };
    assert_eq!(
        token_of(&[("ARM_OIDC_TOKEN_FILE_PATH", "/a")], &explicit),
        OidcTokenSource::File("/explicit".into())
    );
}

#[test]
fn msi_and_cli_carry_ids() {
    let c = resolve_with(
        &ProviderSettings::default(),
        &[SUB, ("ARM_USE_MSI", "true"), ("ARM_CLIENT_ID", "uami")],
    )
    .expect("msi");
    assert_eq!(
        c.credential,
        CredentialChoice::ManagedIdentity {
            client_id: Some("uami".into()),
            endpoint: None,
        }
    );
    let c =
        resolve_with(&ProviderSettings::default(), &[SUB, ("ARM_TENANT_ID", "t")]).expect("cli");
    assert_eq!(
        c.credential,
        CredentialChoice::AzureCli {
            tenant_id: Some("t".into())
        }
    );
}

#[test]
fn environments_and_endpoints() {
    let cases = [
        (
            None,
            "https://management.azure.com/",
            "https://login.microsoftonline.com/",
        ),
        (
            Some("public"),
            "https://management.azure.com/",
            "https://login.microsoftonline.com/",
        ),
        (
            Some("USGovernment"),
            "https://management.usgovcloudapi.net/",
            "https://login.microsoftonline.us/",
        ),
        (
            Some("china"),
            "https://management.chinacloudapi.cn/",
            "https://login.chinacloudapi.cn/",
        ),
    ];
    for (envname, arm, login) in cases {
        let mut env = vec![SUB];
        if let Some(e) = envname {
            env.push(("ARM_ENVIRONMENT", e));
        }
        let c = resolve_with(&ProviderSettings::default(), &env).expect("resolves");
        assert_eq!(c.resource_manager_endpoint.as_str(), arm);
        assert_eq!(c.authority_host.as_str(), login);
        assert_eq!(
            c.token_scope,
            format!("{}/.default", arm.trim_end_matches('/'))
        );
    }
    assert_eq!(
        resolve_with(
            &ProviderSettings::default(),
            &[SUB, ("ARM_ENVIRONMENT", "mars")]
        ),
        Err(ConfigError::BadEnvironment("mars".into()))
    );
}

#[test]
fn endpoint_overrides_must_be_https() {
    let c = resolve_with(
        &ProviderSettings::default(),
        &[
            SUB,
            ("ARM_RESOURCE_MANAGER_ENDPOINT", "https://127.0.0.1:8443"),
            ("AZURE_AUTHORITY_HOST", "https://127.0.0.1:8444"),
        ],
    )
    .expect("resolves");
    assert_eq!(
        c.resource_manager_endpoint.as_str(),
        "https://127.0.0.1:8443/"
    );
    assert_eq!(c.authority_host.as_str(), "https://127.0.0.1:8444/");
    assert_eq!(c.token_scope, "https://127.0.0.1:8443/.default");

    for (var, value) in [
        ("ARM_RESOURCE_MANAGER_ENDPOINT", "http://127.0.0.1:8080/"),
        ("AZURE_AUTHORITY_HOST", "http://login.local/"),
        ("ARM_RESOURCE_MANAGER_ENDPOINT", "not a url"),
        ("ARM_RESOURCE_MANAGER_ENDPOINT", "https://arm.local/?x=1"),
        ("AZURE_AUTHORITY_HOST", "https://login.local/prefix"),
    ] {
        let err = resolve_with(&ProviderSettings::default(), &[SUB, (var, value)]).unwrap_err();
        assert!(
            matches!(err, ConfigError::BadEndpoint { variable, .. } if variable == var),
            "{var}={value}: {err}"
        );
    }
    let explicit = ProviderSettings {
        resource_manager_endpoint: Some("http://x/".into()),
        ..Default::default()
    };
    let err = resolve_with(&explicit, &[SUB]).unwrap_err();
    assert!(
        err.to_string().contains("`resource_manager_endpoint`"),
        "{err}"
    );
}

#[test]
fn messages_name_attribute_and_variable_and_hide_secrets() {
    let msg = ConfigError::MissingSubscription.to_string();
    assert!(
        msg.contains("subscription_id") && msg.contains("ARM_SUBSCRIPTION_ID"),
        "{msg}"
    );
    let c = resolve_with(
        &ProviderSettings::default(),
        &[
            SUB,
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_CLIENT_SECRET", "hunter2-secret"),
        ],
    )
    .expect("resolves");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("hunter2-secret"), "{dbg}");
    assert!(dbg.contains("***"), "{dbg}");
}

#[test]
fn nothing_applies_lists_every_method_and_why_it_was_skipped() {
    let err = resolve_with(
        &ProviderSettings::default(),
        &[SUB, ("ARM_USE_CLI", "false"), ("ARM_CLIENT_ID", "c")],
    )
    .unwrap_err();
    let msg = err.to_string();
    let order = [
        "client certificate (skipped: neither `client_certificate_path`",
        "client secret (skipped:",
        "OIDC (skipped: `use_oidc` / ARM_USE_OIDC is not set",
        "managed identity (skipped:",
        "Azure CLI (skipped: `use_cli` / ARM_USE_CLI is false)",
    ];
    let mut at = 0;
    for part in order {
        let found = msg[at..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} in order in {msg}"));
        at += found + part.len();
    }
}

#[test]
fn certificate_comes_first_and_reads_path_or_base64() {
    let sp = [SUB, ("ARM_TENANT_ID", "t"), ("ARM_CLIENT_ID", "c")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let env: Vec<_> = sp.iter().chain(extra).copied().collect();
        resolve_with(&ProviderSettings::default(), &env).map(|c| c.credential)
    };
    assert_eq!(
        with(&[
            ("ARM_CLIENT_CERTIFICATE_PATH", "/c.pfx"),
            ("ARM_CLIENT_CERTIFICATE_PASSWORD", "pw"),
            ("ARM_CLIENT_SECRET", "s"),
        ]),
        Ok(CredentialChoice::ClientCertificate {
            tenant_id: "t".into(),
            client_id: "c".into(),
            certificate: CertificateSource::Path("/c.pfx".into()),
            password: Some(Secret::new("pw")),
        })
    );
    assert_eq!(
        with(&[("ARM_CLIENT_CERTIFICATE", "QUJD")]),
        Ok(CredentialChoice::ClientCertificate {
            tenant_id: "t".into(),
            client_id: "c".into(),
            certificate: CertificateSource::Base64(Secret::new("QUJD")),
            password: None,
        })
    );
    let err = resolve_with(
        &ProviderSettings::default(),
        &[SUB, ("ARM_CLIENT_CERTIFICATE_PATH", "/c.pem")],
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("client certificate authentication needs"),
        "{err}"
    );
}

#[test]
fn ci_token_sources_azure_devops_hcp_and_aks() {
    let d = ProviderSettings::default();
    let oidc = |env: &[(&str, &str)]| match resolve_with(&d, env).map(|c| c.credential) {
        Ok(CredentialChoice::Oidc {
            token,
            tenant_id,
            client_id,
        }) => Ok((token, tenant_id, client_id)),
        Ok(other) => panic!("expected OIDC, got {other:?}"),
        Err(e) => Err(e),
    };
    let base = [
        SUB,
        ("ARM_TENANT_ID", "t"),
        ("ARM_CLIENT_ID", "c"),
        ("ARM_USE_OIDC", "true"),
    ];
    let ado = |extra: &[(&'static str, &'static str)]| {
        let env: Vec<_> = base.iter().chain(extra).copied().collect();
        oidc(&env).map(|(t, _, _)| t)
    };
    let want_ado = OidcTokenSource::AzurePipelines {
        service_connection_id: "sc".into(),
        access_token: Secret::new("sys"),
    };
    for var in [
        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    ] {
        assert_eq!(
            ado(&[
                (var, "sc"),
                ("SYSTEM_ACCESSTOKEN", "sys"),
                ("SYSTEM_OIDCREQUESTURI", "https://dev.azure.example/o"),
                ("ARM_OIDC_REQUEST_URL", "https://other.example/"),
                ("ARM_OIDC_REQUEST_TOKEN", "other"),
            ]),
            Ok(want_ado.clone()),
            "{var}"
        );
    }
    assert!(matches!(
        ado(&[
            ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "sc"),
            ("SYSTEM_OIDCREQUESTURI", "https://x/")
        ]),
        Err(ConfigError::AzurePipelinesIncomplete {
            missing: "SYSTEM_ACCESSTOKEN",
            ..
        })
    ));
    assert!(matches!(
        ado(&[
            ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "sc"),
            ("SYSTEM_ACCESSTOKEN", "sys")
        ]),
        Err(ConfigError::AzurePipelinesIncomplete {
            missing: "SYSTEM_OIDCREQUESTURI",
            ..
        })
    ));
    assert_eq!(
        ado(&[("TFC_WORKLOAD_IDENTITY_TOKEN", "hcp-jwt")]),
        Ok(OidcTokenSource::HcpTerraform(Secret::new("hcp-jwt")))
    );
    assert_eq!(
        ado(&[
            ("TFC_WORKLOAD_IDENTITY_TOKEN", "hcp-jwt"),
            ("ARM_OIDC_TOKEN", "arm-jwt")
        ]),
        Ok(OidcTokenSource::Inline(Secret::new("arm-jwt"))),
        "ARM_OIDC_TOKEN first"
    );
    // AKS: only the three variables the webhook injects, no ARM_* at all.
    assert_eq!(
        oidc(&[
            SUB,
            ("AZURE_CLIENT_ID", "aks-c"),
            ("AZURE_TENANT_ID", "aks-t"),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                "/var/run/secrets/azure/tokens/azure-identity-token"
            ),
        ]),
        Ok((
            OidcTokenSource::File("/var/run/secrets/azure/tokens/azure-identity-token".into()),
            "aks-t".into(),
            "aks-c".into()
        ))
    );
    // ...but an explicit use_oidc = false still wins.
    assert!(matches!(
        resolve_with(
            &d,
            &[
                SUB,
                ("ARM_USE_OIDC", "false"),
                ("AZURE_CLIENT_ID", "aks-c"),
                ("AZURE_TENANT_ID", "aks-t"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
            ]
        )
        .map(|c| c.credential.kind()),
        Ok("Azure CLI")
    ));
}

#[test]
fn msi_endpoint_partner_id_and_user_agent() {
    let c = resolve_with(
        &ProviderSettings {
            terraform_version: Some("1.11.4".into()),
            ..Default::default()
        },
        &[
            SUB,
            ("ARM_USE_MSI", "true"),
            (
                "ARM_MSI_ENDPOINT",
                "http://169.254.169.254/metadata/identity/oauth2/token",
            ),
            ("ARM_PARTNER_ID", "pid-11111111-2222-3333-4444-555555555555"),
        ],
    )
    .expect("resolves");
    assert!(matches!(
        &c.credential,
        CredentialChoice::ManagedIdentity { endpoint: Some(u), .. } if u.host_str() == Some("169.254.169.254")
    ));
    assert_eq!(
        c.user_agent_suffix(),
        format!(
            "HashiCorp Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-astro/{} pid-11111111-2222-3333-4444-555555555555",
            env!("CARGO_PKG_VERSION")
        )
    );
    for bad in ["http://msi.example.com/token", "ftp://127.0.0.1/"] {
        let err = resolve_with(
            &ProviderSettings::default(),
            &[SUB, ("ARM_USE_MSI", "true"), ("ARM_MSI_ENDPOINT", bad)],
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::BadEndpoint {
                    attribute: "msi_endpoint",
                    ..
                }
            ),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        resolve_with(
            &ProviderSettings::default(),
            &[SUB, ("ARM_PARTNER_ID", "acme")]
        )
        .unwrap_err(),
        ConfigError::BadPartnerId("acme".into())
    );
}

#[test]
fn client_id_from_a_file_as_hcp_terraform_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azure_dynamic_credentials_client_id");
    std::fs::write(&file, "c-from-file\n").unwrap();
    let path = file.display().to_string();
    let env = [
        SUB,
        ("ARM_TENANT_ID", "t"),
        ("ARM_USE_OIDC", "true"),
        ("ARM_OIDC_TOKEN", "jwt"),
        ("ARM_CLIENT_ID_FILE_PATH", path.as_str()),
    ];
    let c = resolve_with(&ProviderSettings::default(), &env).expect("resolves");
    assert!(
        matches!(c.credential, CredentialChoice::Oidc { ref client_id, .. } if client_id == "c-from-file")
    );
    let mismatch: Vec<_> = env
        .iter()
        .copied()
        .chain([("ARM_CLIENT_ID", "other")])
        .collect();
    let err = resolve_with(&ProviderSettings::default(), &mismatch).unwrap_err();
    assert!(
        err.to_string().contains("differs from `client_id`"),
        "{err}"
    );
    let missing = ProviderSettings {
        client_id_file_path: Some("/nonexistent/client-id".into()),
        ..Default::default()
    };
    let err = resolve_with(&missing, &env).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/client-id"), "{err}");
}
