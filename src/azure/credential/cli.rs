//! The Azure CLI, the last credential method and on by default, so its failure is often the
//! first error a new user reads: a wrapper whose failure leads with the fix (installing the
//! CLI when `az` is not on PATH, `az login` otherwise) and lists every method tried before it.

use std::ffi::OsStr;
use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;

use crate::azure::config::tried_before_cli;

/// Whether an `az` executable is in one of the directories of `path` (a PATH value).
pub fn azure_cli_on_path(path: Option<&OsStr>) -> bool {
    let names: &[&str] = if cfg!(windows) {
        &["az.cmd", "az.exe", "az"]
    } else {
        &["az"]
    };
    path.is_some_and(|p| {
        std::env::split_paths(p).any(|dir| names.iter().any(|n| is_executable(&dir.join(n))))
    })
}

#[cfg(unix)]
fn is_executable(file: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &std::path::Path) -> bool {
    file.is_file()
}

/// The Azure CLI credential; a failure says how to fix it, then what else was tried.
#[derive(Debug)]
pub struct AzureCli(pub Arc<dyn TokenCredential>);

#[async_trait::async_trait]
impl TokenCredential for AzureCli {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.0.get_token(scopes, options).await.map_err(|e| {
            let (fix, why) = if azure_cli_on_path(std::env::var_os("PATH").as_deref()) {
                ("Sign in with `az login`", e.to_string())
            } else {
                (
                    "Install the Azure CLI so that `az` is on PATH and sign in with `az login`",
                    format!("`az` is not on PATH ({e})"),
                )
            };
            azure_core::Error::with_message(
                ErrorKind::Credential,
                format!(
                    "{fix}, or set up another method (see the provider documentation's authentication table). The Azure CLI, the last method tried and on by default, failed: {why}. Tried before it: {}",
                    tried_before_cli()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn az_is_found_only_as_an_executable_file_on_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let az = dir.path().join("az");
        let path = std::env::join_paths([dir.path()]).expect("path");
        assert!(!azure_cli_on_path(Some(&path)));
        std::fs::write(&az, "#!/bin/sh\n").expect("write az");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(!azure_cli_on_path(Some(&path)), "not executable yet");
            std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        assert!(azure_cli_on_path(Some(&path)));
        assert!(!azure_cli_on_path(None));
    }
}
