//! Every scenario example plans without a warning, filled in the way a user fills it: from
//! its own `terraform.tfvars.example`, with the placeholders (`<subscription>`, the alias
//! from Astronomer support) replaced by the sandbox's values. Warnings that depend on the
//! values (an argument that cannot take effect with the values given) only show in a plan,
//! not in `terraform validate`. Terraform's note that a `check` block is evaluated after
//! apply, which every first plan of a check on new objects prints, is the one allowed. The import example plans against objects made by hand in
//! tests/e2e_examples.rs; the guide and per-type examples are planned by tests/e2e_guides.rs
//! and tests/e2e_type_examples.rs.

mod common;

use std::path::Path;

use common::Workspace;
use common::sandbox::TestSandbox;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

#[test]
fn scenario_examples_plan_without_warnings_from_their_tfvars_templates() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let sb = TestSandbox::start();
    let mut problems = Vec::new();
    for name in ["quickstart", "module-per-vnet", "hub-and-spoke"] {
        let ws = Workspace::with_sandbox(&sb);
        copy_dir(&examples.join(name), &ws.dir());
        copy_dir(&examples.join("modules"), &ws.tmp.path().join("modules"));
        let template = std::fs::read_to_string(ws.dir().join("terraform.tfvars.example"))
            .expect("terraform.tfvars.example");
        let vars = template
            .replace("<subscription>", &sb.var("ARM_SUBSCRIPTION_ID"))
            .replace(
                "<alias from Astronomer support>",
                &sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
            );
        assert!(
            !vars.contains('<'),
            "examples/{name}/terraform.tfvars.example has a placeholder this test does not fill:\n{vars}"
        );
        std::fs::write(ws.dir().join("terraform.tfvars"), vars).expect("write tfvars");
        ws.init();
        let (code, plan) = ws.plan_exit();
        // Terraform's own note on a first plan that a `check` block's condition depends on
        // values known after apply is not a warning about the configuration; any other is.
        let warnings = plan.matches("Warning:").count()
            - plan
                .matches("Warning: Check block assertion known after apply")
                .count();
        if code != 2 || warnings > 0 {
            problems.push(format!("examples/{name} (exit {code}):\n{plan}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
