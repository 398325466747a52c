//! Shared harness for the end-to-end tests: the real `terraform` binary driving the built
//! provider through a filesystem mirror, with an environment of its own (nothing inherited
//! from the machine but PATH), optionally against an in-process Azure sandbox.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

/// Provider source address used in every test configuration.
pub const SOURCE: &str = "astro-privatelink/astro";
/// Version laid into the mirror.
pub const VERSION: &str = "0.1.0";

/// The `terraform` binary on PATH; fails the test with a clear message when it is missing.
pub fn terraform_bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("terraform");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "the end-to-end tests need the `terraform` CLI (1.11.4 or later) on PATH, and none was found. Install Terraform, or put its binary on PATH, then run the tests again."
    );
}

/// A filesystem mirror holding the provider binary built for this test run.
pub fn mirror(root: &Path) -> PathBuf {
    let dir = root
        .join("mirror/registry.terraform.io")
        .join(SOURCE)
        .join(VERSION)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir).expect("create mirror dir");
    let bin = env!("CARGO_BIN_EXE_terraform-provider-astro");
    std::fs::copy(
        bin,
        dir.join(format!("terraform-provider-astro_v{VERSION}")),
    )
    .expect("copy provider into mirror");
    root.join("mirror")
}

/// A Terraform working directory with its own CLI config, home and environment.
pub struct Workspace {
    /// Owns the temporary directory.
    pub tmp: tempfile::TempDir,
    /// Extra environment for every terraform command.
    pub env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace whose terraform finds the provider only in a local mirror.
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mirror = mirror(tmp.path());
        let rc = tmp.path().join("terraform.rc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/{SOURCE}\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/{SOURCE}\"]\n  }}\n}}\n",
                mirror.display()
            ),
        )
        .expect("write CLI config");
        std::fs::create_dir_all(tmp.path().join("work")).expect("work dir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home dir");
        // Trust no CA of the machine's: tests that reach the sandbox set its CA instead.
        let no_ca = tmp.path().join("untrusted-ca.pem");
        let ca = rcgen::generate_simple_self_signed(vec!["untrusted.invalid".to_string()])
            .expect("throwaway CA");
        std::fs::write(&no_ca, ca.cert.pem()).expect("write throwaway CA");
        let env = vec![
            ("TF_CLI_CONFIG_FILE".to_string(), rc.display().to_string()),
            ("CHECKPOINT_DISABLE".to_string(), "1".to_string()),
            ("TF_IN_AUTOMATION".to_string(), "1".to_string()),
            (
                "HOME".to_string(),
                tmp.path().join("home").display().to_string(),
            ),
            ("SSL_CERT_FILE".to_string(), no_ca.display().to_string()),
        ];
        Self { tmp, env }
    }

    /// The Terraform working directory.
    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    /// Sets (or replaces) an environment variable for later commands.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Writes `main.tf` (the provider requirement is added here).
    pub fn write_config(&self, body: &str) {
        let text = format!(
            "terraform {{\n  required_providers {{\n    astro = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n\n{body}"
        );
        std::fs::write(self.dir().join("main.tf"), text).expect("write main.tf");
    }

    /// Runs terraform with `args`; returns its output whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(terraform_bin());
        cmd.current_dir(self.dir()).args(args).env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run terraform")
    }

    /// Runs terraform and fails the test, showing its output, unless it exits 0.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = both(&out);
        assert!(
            out.status.success(),
            "terraform {} failed:\n{text}",
            args.join(" ")
        );
        text
    }

    /// For a configuration whose outputs `ok` and `checks` are those of an
    /// `astro_private_link_check`: re-reads the check (a refresh-only apply changes nothing in
    /// Azure) and returns the overall verdict and each check by name.
    pub fn link_checks(&self) -> (bool, std::collections::BTreeMap<String, Json>) {
        self.ok(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ]);
        let output = |name: &str| -> Json {
            serde_json::from_str(&self.ok(&["output", "-json", name]))
                .unwrap_or_else(|e| panic!("output {name} is JSON: {e}"))
        };
        let by_name = output("checks")
            .as_array()
            .expect("checks is a list")
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or_default().to_string(),
                    c.clone(),
                )
            })
            .collect();
        (output("ok").as_bool().expect("ok is a bool"), by_name)
    }

    /// `terraform init` against the mirror.
    pub fn init(&self) {
        self.ok(&["init", "-no-color", "-input=false"]);
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 2 changes (1 = error fails the test).
    pub fn plan_exit(&self) -> (i32, String) {
        let out = self.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
        let code = out.status.code().unwrap_or(-1);
        let text = both(&out);
        assert!(code == 0 || code == 2, "terraform plan failed:\n{text}");
        (code, text)
    }

    /// A clean plan in both senses: `plan -detailed-exitcode` and
    /// `plan -refresh-only -detailed-exitcode` exit 0. The second is what scheduled drift checks
    /// run; it exits 2 whenever refreshed state differs from stored state in any way Terraform
    /// keeps, even when nothing is rendered. Fails the test with `context` and the output.
    pub fn assert_clean_plan(&self, context: &str) {
        let (code, text) = self.plan_exit();
        assert_eq!(
            code, 0,
            "{context}: plan -detailed-exitcode must exit 0:\n{text}"
        );
        let out = self.run(&[
            "plan",
            "-no-color",
            "-input=false",
            "-refresh-only",
            "-detailed-exitcode",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{context}: plan -refresh-only -detailed-exitcode must exit 0:\n{}",
            both(&out)
        );
    }

    /// `terraform apply -auto-approve`; fails the test unless it succeeds. Returns its output.
    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `terraform apply -auto-approve -target=<address>`: one resource (and what it needs)
    /// before the rest; fails the test unless it succeeds.
    pub fn apply_target(&self, address: &str) -> String {
        let target = format!("-target={address}");
        self.ok(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            &target,
        ])
    }

    /// `terraform destroy -auto-approve`, then `sb` must hold no object a client created.
    pub fn destroy_to_nothing(&self, sb: &sandbox::TestSandbox) {
        self.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(
            sb.resources(),
            Vec::<String>::new(),
            "destroy leaves the sandbox empty"
        );
    }

    /// `terraform show -json` of a saved plan file.
    pub fn plan_json(&self) -> Json {
        self.ok(&["plan", "-no-color", "-input=false", "-out=tfplan"]);
        let out = self.ok(&["show", "-json", "tfplan"]);
        serde_json::from_str(&out).expect("plan JSON")
    }

    /// The actions of each resource change a saved plan of the current configuration holds
    /// (`["update"]`, `["delete", "create"]`, ...).
    pub fn planned_actions(&self) -> Vec<Json> {
        self.plan_json()["resource_changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|c| c["change"]["actions"].clone())
            .collect()
    }

    /// `terraform plan -refresh-only` saved and shown as JSON: the `resource_drift` it reports
    /// (empty when no attribute of any object changed outside Terraform).
    pub fn refresh_drift(&self) -> Vec<Json> {
        self.ok(&[
            "plan",
            "-refresh-only",
            "-no-color",
            "-input=false",
            "-out=refresh.tfplan",
        ]);
        let plan: Json = serde_json::from_str(&self.ok(&["show", "-json", "refresh.tfplan"]))
            .expect("plan JSON");
        plan["resource_drift"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `terraform show -json` of the state.
    pub fn state_json(&self) -> Json {
        let out = self.ok(&["show", "-json"]);
        serde_json::from_str(&out).expect("state JSON")
    }
}

/// stdout and stderr together.
pub fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `values` object of a resource in `terraform show -json` output.
pub fn resource_values<'a>(state: &'a Json, address: &str) -> &'a Json {
    fn find<'a>(module: &'a Json, address: &str) -> Option<&'a Json> {
        module["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| &r["values"])
            .or_else(|| {
                module["child_modules"]
                    .as_array()?
                    .iter()
                    .find_map(|m| find(m, address))
            })
    }
    find(&state["values"]["root_module"], address)
        .unwrap_or_else(|| panic!("{address} not in state: {state}"))
}

pub mod bad_inputs;
pub mod hcl;
pub mod kill;
pub mod sandbox;
pub mod sandbox_env;
pub mod wait;

impl Workspace {
    /// A workspace whose provider talks to `sb` with its service principal.
    pub fn with_sandbox(sb: &sandbox::TestSandbox) -> Self {
        let mut ws = Self::new();
        for (k, v) in sb.env() {
            ws.set_env(&k, &v);
        }
        ws
    }
}

impl Workspace {
    /// Starts terraform with `args` without waiting (stdout and stderr captured).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new(terraform_bin());
        cmd.current_dir(self.dir()).args(args).env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().expect("spawn terraform")
    }
}

/// `text` with every run of white space folded to one space: Terraform wraps diagnostics at
/// 78 columns, so phrases are matched on the folded text.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Workspace {
    /// Puts an `az` script that runs the sandbox's stand-in for the Azure CLI first on PATH.
    pub fn az_on_path(&mut self) {
        let bin = self.tmp.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        let az = bin.join("az");
        std::fs::write(
            &az,
            format!(
                "#!/bin/sh\nexec '{}' az \"$@\"\n",
                env!("CARGO_BIN_EXE_astro-azure-sandbox")
            ),
        )
        .expect("write az");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod az");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        self.set_env("PATH", &path);
    }
}

impl Workspace {
    /// Sends the provider's INFO lines (`TF_LOG_PROVIDER=INFO`) to the file `name` in the
    /// workspace, so a test can wait for one; returns its path.
    pub fn log_provider_to(&mut self, name: &str) -> PathBuf {
        let path = self.tmp.path().join(name);
        self.set_env("TF_LOG_PROVIDER", "INFO");
        self.set_env("TF_LOG_PATH", &path.display().to_string());
        path
    }
}
