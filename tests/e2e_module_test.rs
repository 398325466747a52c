//! Module authors test with `terraform test`: the module's own tests
//! (examples/modules/astro-privatelink/tests/*.tftest.hcl, on Terraform's mock of this
//! provider) pass, and neither they nor a plan of the module print a warning.

mod common;

use std::path::Path;

use common::{Workspace, flat};

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
fn module_tests_pass_without_warnings() {
    let ws = Workspace::new();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/modules/astro-privatelink");
    copy_dir(&module, &ws.dir());
    let tests: Vec<_> = std::fs::read_dir(ws.dir().join("tests"))
        .expect("the module ships tests/")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tftest.hcl"))
        })
        .collect();
    assert!(!tests.is_empty(), "no tests/*.tftest.hcl in the module");
    ws.init();
    let out = ws.ok(&["test", "-no-color"]);
    let text = flat(&out);
    assert!(text.contains("4 passed, 0 failed."), "{out}");
    assert!(!text.contains("Warning"), "terraform test warned:\n{out}");
}
