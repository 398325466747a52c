//! The per-type examples the registry pages embed (examples/provider, examples/resources/<type>,
//! examples/data-sources/<type>) work as written against the sandbox: together they plan
//! without warnings, apply and plan clean; each resource's `import.sh` command and its
//! `import` block adopt the object again with a clean plan after.

mod common;

use std::path::{Path, PathBuf};

use common::sandbox::TestSandbox;
use common::{Workspace, flat};

/// The placeholders the examples use, as the sandbox spells them.
const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";
const ALIAS: &str =
    "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `text` with the examples' placeholder subscription and alias replaced by the sandbox's.
fn for_sandbox(sb: &TestSandbox, text: &str) -> String {
    text.replace(ALIAS, &sb.var("ASTRO_SANDBOX_PLS_ALIAS"))
        .replace(ZERO_GUID, &sb.var("ARM_SUBSCRIPTION_ID"))
}

/// The type directories under `examples/<sub>`, sorted.
fn type_dirs(sub: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples().join(sub))
        .expect("examples dir")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    dirs
}

fn copy_for_sandbox(sb: &TestSandbox, from: &Path, to: &Path) {
    let text = std::fs::read_to_string(from).unwrap_or_else(|e| panic!("{from:?}: {e}"));
    std::fs::write(to, for_sandbox(sb, &text)).expect("write example");
}

/// The `terraform import <address> <id>` line of an import.sh.
fn import_command(sb: &TestSandbox, dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(dir.join("import.sh")).expect("import.sh");
    let line = text
        .lines()
        .find(|l| l.starts_with("terraform import "))
        .expect("import.sh runs terraform import");
    let args: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(args.len(), 4, "terraform import <address> <id>: {line}");
    (args[2].to_string(), for_sandbox(sb, args[3]))
}

#[test]
fn type_examples_apply_import_and_plan_clean() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    copy_for_sandbox(
        &sb,
        &examples().join("provider/provider.tf"),
        &ws.dir().join("provider.tf"),
    );
    let resources = type_dirs("resources");
    for dir in &resources {
        let ty = dir.file_name().unwrap().to_string_lossy();
        copy_for_sandbox(
            &sb,
            &dir.join("resource.tf"),
            &ws.dir().join(format!("{ty}.tf")),
        );
    }
    for dir in type_dirs("data-sources") {
        let ty = dir.file_name().unwrap().to_string_lossy().into_owned();
        copy_for_sandbox(
            &sb,
            &dir.join("data-source.tf"),
            &ws.dir().join(format!("data_{ty}.tf")),
        );
    }
    // The application security group the endpoint's example joins, made by the network team.
    sb.make_asg("asg-astro-agents");
    ws.init();
    let (code, plan) = ws.plan_exit();
    assert_eq!(code, 2, "{plan}");
    assert!(
        !plan.contains("Warning"),
        "the examples plan without warnings:\n{plan}"
    );
    if examples()
        .join("resources/astro_private_endpoint_approval")
        .is_dir()
    {
        // The approval waits for Astronomer: make the endpoint first, approve its connection
        // as support would, then the whole apply finds it approved.
        ws.apply_target("astro_private_endpoint.agents");
        let state = ws.state_json();
        let endpoint = common::resource_values(&state, "astro_private_endpoint.agents")["id"]
            .as_str()
            .expect("endpoint id")
            .to_string();
        sb.approve(&endpoint, "Approved", "Approved by Astronomer support");
    }
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    ws.assert_clean_plan("after applying the type examples");

    for dir in &resources {
        let (address, id) = import_command(&sb, dir);
        // import.sh, as written.
        ws.ok(&["state", "rm", "-no-color", &address]);
        let out = ws.ok(&["import", "-no-color", "-input=false", &address, &id]);
        assert!(out.contains("Import successful!"), "{out}");
        // The plan after a CLI import may only settle state (see the resource's Import docs).
        ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        ws.assert_clean_plan(&format!("after import.sh of {address}"));

        // import-by-string-id.tf, as written.
        ws.ok(&["state", "rm", "-no-color", &address]);
        let block = ws.dir().join("import.tf");
        copy_for_sandbox(&sb, &dir.join("import-by-string-id.tf"), &block);
        let plan = flat(&ws.ok(&["plan", "-no-color", "-input=false"]));
        // An import never holds a timeouts block, so a configured one shows as a change: one
        // that settles state and writes nothing to Azure (checked below).
        assert!(
            plan.contains("Plan: 1 to import, 0 to add,") && plan.contains("0 to destroy."),
            "{address}: {plan}"
        );
        assert!(!plan.contains("Warning"), "{plan}");
        sb.clear_requests();
        ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let writes: u64 = ["PUT", "PATCH", "DELETE"]
            .iter()
            .map(|m| sb.summary()["by_method"][m].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(
            writes,
            0,
            "{address}: importing wrote to Azure: {}",
            sb.summary()
        );
        std::fs::remove_file(&block).expect("remove import block");
        ws.assert_clean_plan(&format!("after the import block of {address}"));
    }
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
}
