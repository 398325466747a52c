//! Microsoft's own Azure SDK for Python (azure-identity, azure-mgmt-network,
//! azure-mgmt-privatedns), installed by this test at pinned versions into a virtual
//! environment under the target directory, drives the sandbox through the guide's journey
//! (tests/sdk_python/journey.py): login with the sandbox as authority, endpoints created, read,
//! listed at both scopes across pages, updated, approved on Astronomer's side and deleted; a
//! zone, record set and link created, patched, listed and deleted with the SDK's pollers; the
//! SDK's default api-versions throughout. No library is patched. Without python3, its venv
//! module, or the package index, the test fails and says which.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use astro_provider::sandbox::Faults;
use common::sandbox::TestSandbox;

/// The pins: the releases the sandbox is measured against.
const PINS: [&str; 3] = [
    "azure-identity==1.27.0",
    "azure-mgmt-network==33.1.0",
    "azure-mgmt-privatedns==2.0.0",
];
const JOURNEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk_python/journey.py");

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A venv holding exactly [`PINS`] (made once, reused while its marker names the same pins);
/// answers its python.
fn sdk_python() -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("azure-sdk-python");
    let python = dir.join("bin/python");
    let marker = dir.join("pins.txt");
    let wanted = PINS.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let venv = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs python3 on PATH to install the Azure SDK for Python: {e}")
        });
    assert!(
        venv.status.success(),
        "`python3 -m venv` failed (on Debian/Ubuntu install the python3-venv package):\n{}",
        output_text(&venv)
    );
    let pip = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PINS)
        .output()
        .expect("run pip from the venv");
    assert!(
        pip.status.success(),
        "pip could not install {PINS:?} from the package index (is PyPI reachable?):\n{}",
        output_text(&pip)
    );
    std::fs::write(&marker, wanted).expect("write the venv's pin marker");
    python
}

/// The installed version of a distribution, as pip's metadata says.
fn installed(python: &Path, dist: &str) -> String {
    let out = Command::new(python)
        .args([
            "-c",
            &format!("import importlib.metadata as m; print(m.version('{dist}'))"),
        ])
        .output()
        .expect("run python");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn azure_sdk_for_python_runs_the_guides_journey_unchanged() {
    let python = sdk_python();
    for pin in PINS {
        let (dist, version) = pin.split_once("==").expect("pin");
        assert_eq!(installed(&python, dist), version, "{dist} in the venv");
        println!("installed {dist} {version}");
    }
    // Retry-After 1 s, as Azure sends: azure-core reads a 0 as "no hint" and waits its
    // 30 s default between polls.
    let sandbox = TestSandbox::start_with(Faults {
        lro_polls: 1,
        retry_after_secs: 1,
        ..Faults::default()
    });
    let ca = sandbox.var("SSL_CERT_FILE");
    let out = Command::new(&python)
        .arg(JOURNEY)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(sandbox.env())
        // The libraries' own ways to trust a CA: requests (MSAL, the management API calls)
        // reads REQUESTS_CA_BUNDLE, azure-core's transport too; set for this child only.
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .expect("run the journey");
    let text = output_text(&out);
    println!("{text}");
    assert!(
        out.status.success() && text.contains("journey: ok"),
        "the Azure SDK journey failed:\n{text}"
    );

    // What the libraries asked for before their first token, with no token.
    let log = sandbox.requests();
    let asked = |kind: &str| log.iter().filter(|e| e["resource_type"] == kind).count();
    assert!(
        asked("instance-discovery") >= 1,
        "MSAL never asked for instance discovery"
    );
    assert!(
        asked("openid-configuration") >= 2,
        "MSAL and azure-identity each read it"
    );
    for entry in &log {
        let status = entry["status"].as_u64().unwrap_or_default();
        let path = entry["path"].as_str().unwrap_or_default();
        let refused_on_purpose = path.ends_with("/privateEndpoints/x");
        let gone_on_purpose = status == 404 && entry["method"] == "GET";
        assert!(
            status < 400 || refused_on_purpose || gone_on_purpose,
            "the sandbox refused the SDK: {entry}"
        );
    }
    // The subscription-scope list was read page by page (one endpoint per page).
    let sub_list = log
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/providers/Microsoft.Network/privateEndpoints"))
        })
        .count();
    assert!(
        sub_list >= 2,
        "the subscription list had one page only ({sub_list})"
    );
    // Microsoft's SDK PUTs back an endpoint it read without the properties the definitions
    // mark read-only (top-level name, type, etag; a connection's type and etag), the rule
    // the provider's own update bodies are held to in tests/sandbox_request_bodies.rs.
    let update = log
        .iter()
        .rfind(|e| {
            e["method"] == "PUT"
                && e["status"] == 200
                && e["path"].as_str().is_some_and(|p| p.ends_with("/sdk-pe-1"))
        })
        .expect("the endpoint update PUT is in the log");
    let body = &update["body"];
    assert_eq!(body["tags"]["owner"], "sdk", "{update}");
    for read_only in ["name", "type", "etag"] {
        assert!(
            body.get(read_only).is_none(),
            "the SDK sent {read_only}: {body}"
        );
    }
    let conn = &body["properties"]["manualPrivateLinkServiceConnections"][0];
    assert_eq!(conn["name"], "astro", "{body}");
    for read_only in ["type", "etag"] {
        assert!(
            conn.get(read_only).is_none(),
            "the SDK sent the connection's {read_only}: {conn}"
        );
    }
    let props = &body["properties"];
    for read_only in ["provisioningState", "networkInterfaces"] {
        assert!(
            props.get(read_only).is_none(),
            "the SDK sent {read_only}: {body}"
        );
    }
}
