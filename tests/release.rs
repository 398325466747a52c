//! The release steps: the workflow file lints clean and calls only scripts that `make release`
//! runs, and those scripts write the registry's file names, sums and signature.

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const WORKFLOW: &str = ".github/workflows/release.yml";

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `scripts/….sh` path named in `text`.
fn scripts_named(text: &str) -> std::collections::BTreeSet<String> {
    let re = regex::Regex::new(r"scripts/[A-Za-z0-9_./-]+\.sh").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

#[test]
fn release_workflow_runs_only_scripts_that_make_release_runs() {
    let makefile = read("Makefile");
    let target = makefile
        .split("\nrelease:")
        .nth(1)
        .expect("Makefile has a release target");
    let recipe: String = target
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with('\t'))
        .collect();
    assert_eq!(
        scripts_named(&recipe),
        ["scripts/release.sh".to_string()].into()
    );

    // What release.sh runs: its own steps under scripts/release/ (named through $HERE).
    let release_sh = read("scripts/release.sh");
    let mut make_runs = scripts_named(&release_sh);
    let step = regex::Regex::new(r#"(?m)^(?:bash|source) "\$HERE/([a-z]+\.sh)""#).unwrap();
    for c in step.captures_iter(&release_sh) {
        make_runs.insert(format!("scripts/release/{}", &c[1]));
    }
    for s in [
        "build.sh",
        "package.sh",
        "checksums.sh",
        "sign.sh",
        "common.sh",
    ] {
        assert!(
            make_runs.contains(&format!("scripts/release/{s}")),
            "make release must run scripts/release/{s}; it runs {make_runs:?}"
        );
    }

    let workflow = read(WORKFLOW);
    let workflow_runs = scripts_named(&workflow);
    assert!(
        workflow_runs.len() >= 4,
        "the workflow runs the release scripts: {workflow_runs:?}"
    );
    for s in &workflow_runs {
        assert!(
            make_runs.contains(s),
            "{WORKFLOW} runs {s}, which `make release` does not run ({make_runs:?})"
        );
    }
    // Build matrix: every registry platform.
    for os in ["linux", "darwin", "windows"] {
        for arch in ["amd64", "arm64"] {
            assert!(
                workflow.contains(&format!("{{os: {os}, arch: {arch},")),
                "{WORKFLOW} builds {os}_{arch}"
            );
        }
    }
    for needed in [
        "SHA256SUMS.sig",
        "gh release create",
        "actions/upload-artifact",
    ] {
        assert!(workflow.contains(needed), "{WORKFLOW} has {needed:?}");
    }
}

/// yamllint from PyPI (pinned), installed with pip into a directory of its own under the
/// target directory: the first run downloads it, later runs reuse it. Runs as
/// `python3 -m yamllint` with that directory on PYTHONPATH, so neither a virtual
/// environment nor a system-wide install is needed.
fn yamllint() -> Command {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("yamllint-1.38.0");
    if !dir.join("yamllint").is_dir() {
        let out = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--target")
            .arg(&dir)
            .arg("yamllint==1.38.0")
            .output()
            .expect("python3 -m pip (the YAML lint needs python3 with pip)");
        assert!(
            out.status.success(),
            "pip install yamllint failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut cmd = Command::new("python3");
    cmd.env("PYTHONPATH", &dir).args(["-m", "yamllint"]);
    cmd
}

#[test]
fn release_workflow_passes_yamllint() {
    let out = yamllint()
        .current_dir(ROOT)
        .args(["--strict", "-c", ".yamllint.yml", WORKFLOW])
        .output()
        .expect("run yamllint");
    assert!(
        out.status.success(),
        "yamllint {WORKFLOW}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yamllint_rejects_a_broken_workflow() {
    // The lint is not a rubber stamp: a duplicated key and bad indentation fail it.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    std::fs::write(&bad, "---\nname: a\nname: b\njobs:\n   x:\n  y: 1\n").unwrap();
    let out = yamllint()
        .args(["--strict", "-c"])
        .arg(Path::new(ROOT).join(".yamllint.yml"))
        .arg(&bad)
        .output()
        .expect("run yamllint");
    assert!(!out.status.success(), "yamllint accepted a broken file");
}

fn script(dist: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("bash")
        .args(args)
        .current_dir(ROOT)
        .env("DIST", dist)
        .envs(env.iter().copied())
        .output()
        .expect("run bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "bash {args:?} failed:\n{text}");
    text
}

#[test]
fn package_checksums_and_sign_write_the_registry_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let bin = env!("CARGO_BIN_EXE_terraform-provider-astro");
    let env = [("VERSION", "9.8.7")];
    script(
        &dist,
        &["scripts/release/package.sh", "linux", "amd64", bin],
        &env,
    );
    script(
        &dist,
        &["scripts/release/package.sh", "windows", "arm64", bin],
        &env,
    );
    script(&dist, &["scripts/release/checksums.sh"], &env);

    let mut names: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "terraform-provider-astro_9.8.7_SHA256SUMS",
            "terraform-provider-astro_9.8.7_linux_amd64.zip",
            "terraform-provider-astro_9.8.7_manifest.json",
            "terraform-provider-astro_9.8.7_windows_arm64.zip",
        ]
    );
    // The zip holds the binary alone, under the name Terraform runs, executable.
    let listing = Command::new("unzip")
        .args(["-Z", "-1"])
        .arg(dist.join("terraform-provider-astro_9.8.7_linux_amd64.zip"))
        .output()
        .expect("unzip -Z");
    assert_eq!(
        String::from_utf8_lossy(&listing.stdout),
        "terraform-provider-astro_v9.8.7\n"
    );
    let listing = Command::new("unzip")
        .args(["-Z"])
        .arg(dist.join("terraform-provider-astro_9.8.7_windows_arm64.zip"))
        .output()
        .expect("unzip -Z");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("-rwxr-xr-x") && listing.contains("terraform-provider-astro_v9.8.7.exe"),
        "{listing}"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("terraform-provider-astro_9.8.7_manifest.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["5.0"])
    );
    // The sums cover every zip and the manifest, and check.
    let sums =
        std::fs::read_to_string(dist.join("terraform-provider-astro_9.8.7_SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 3, "{sums}");
    let check = Command::new("sha256sum")
        .args(["-c", "terraform-provider-astro_9.8.7_SHA256SUMS"])
        .current_dir(&dist)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // Unsigned without a key; with one, a detached signature gpg verifies.
    let out = script(&dist, &["scripts/release/sign.sh"], &env);
    assert!(out.contains("not signing"), "{out}");
    assert!(
        !dist
            .join("terraform-provider-astro_9.8.7_SHA256SUMS.sig")
            .exists()
    );
    let gnupg = tmp.path().join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    let gen_key = Command::new("gpg")
        .env("GNUPGHOME", &gnupg)
        .args([
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Release Test <release@example.invalid>",
            "ed25519",
            "sign",
            "1d",
        ])
        .output()
        .expect("gpg --quick-gen-key");
    assert!(
        gen_key.status.success(),
        "{}",
        String::from_utf8_lossy(&gen_key.stderr)
    );
    let gnupg_s = gnupg.display().to_string();
    let env = [
        ("VERSION", "9.8.7"),
        ("GNUPGHOME", gnupg_s.as_str()),
        ("GPG_FINGERPRINT", "release@example.invalid"),
    ];
    script(&dist, &["scripts/release/sign.sh"], &env);
    let verify = Command::new("gpg")
        .env("GNUPGHOME", &gnupg)
        .args(["--batch", "--verify"])
        .arg(dist.join("terraform-provider-astro_9.8.7_SHA256SUMS.sig"))
        .arg(dist.join("terraform-provider-astro_9.8.7_SHA256SUMS"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // A tampered sums file no longer verifies against the signature.
    std::fs::write(
        dist.join("terraform-provider-astro_9.8.7_SHA256SUMS"),
        sums.replace('a', "b"),
    )
    .unwrap();
    let verify = Command::new("gpg")
        .env("GNUPGHOME", &gnupg)
        .args(["--batch", "--verify"])
        .arg(dist.join("terraform-provider-astro_9.8.7_SHA256SUMS.sig"))
        .arg(dist.join("terraform-provider-astro_9.8.7_SHA256SUMS"))
        .output()
        .unwrap();
    assert!(!verify.status.success(), "a tampered SHA256SUMS verified");
}
