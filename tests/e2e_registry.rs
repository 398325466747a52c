//! The release artefacts install as a Terraform user installs them: `dist/`, written by the
//! release scripts, is served as a provider network mirror over HTTPS on loopback
//! (https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol),
//! and the real `terraform init` downloads, verifies and runs the provider from it. A zip
//! that does not match its published hashes must make `init` fail.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use common::Workspace;
use common::sandbox::TestSandbox;

const HOST_PATH: &str = "registry.terraform.io/astro-privatelink/astro";
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Terraform's `zh:` hash: SHA-256 of the zip file itself, in hex.
fn zh(zip: &[u8]) -> String {
    format!("zh:{}", hex(digest(&SHA256, zip).as_ref()))
}

/// Terraform's `h1:` hash (Go's dirhash "Hash1" over the zip's contents): for every file in
/// the archive, sorted by name, the line "<sha256 hex>  <name>\n"; the hash is the base64 of
/// the SHA-256 of those lines. See golang.org/x/mod/sumdb/dirhash (Hash1, HashZip).
fn h1(zip: &Path) -> String {
    let names = Command::new("unzip")
        .args(["-Z", "-1"])
        .arg(zip)
        .output()
        .expect("unzip -Z -1");
    assert!(names.status.success(), "unzip -Z -1 {}", zip.display());
    let mut names: Vec<String> = String::from_utf8(names.stdout)
        .expect("UTF-8 names")
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    let mut summary = String::new();
    for name in names {
        assert!(!name.contains('\n'), "dirhash rejects names with newlines");
        let content = Command::new("unzip")
            .arg("-p")
            .arg(zip)
            .arg(&name)
            .output()
            .expect("unzip -p");
        assert!(content.status.success(), "unzip -p {name}");
        summary.push_str(&format!(
            "{}  {name}\n",
            hex(digest(&SHA256, &content.stdout).as_ref())
        ));
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest(&SHA256, summary.as_bytes()))
    )
}

/// `dist/` as the release scripts write it, for two platforms. The darwin zip carries some
/// other file of ours (only its bytes matter here, and they must differ from linux's so that
/// the two platforms' hashes differ).
fn release_dist(root: &Path) -> PathBuf {
    let dist = root.join("dist");
    let linux = env!("CARGO_BIN_EXE_terraform-provider-astro");
    let darwin = env!("CARGO_BIN_EXE_astro-azure-sandbox");
    for (os, arch, bin) in [("linux", "amd64", linux), ("darwin", "arm64", darwin)] {
        run_script(&dist, &["scripts/release/package.sh", os, arch, bin]);
    }
    run_script(&dist, &["scripts/release/checksums.sh"]);
    dist
}

fn run_script(dist: &Path, args: &[&str]) {
    let out = Command::new("bash")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DIST", dist)
        .env_remove("VERSION")
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{args:?}: {}", common::both(&out));
}

/// The platforms in `dist/` and their zips' file names.
fn zips(dist: &Path) -> BTreeMap<String, String> {
    let prefix = format!("terraform-provider-astro_{VERSION}_");
    std::fs::read_dir(dist)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let platform = name
                .strip_prefix(&prefix)?
                .strip_suffix(".zip")?
                .to_string();
            Some((platform, name))
        })
        .collect()
}

/// The `zh:` hashes the release's SHA256SUMS publishes, by zip name.
fn published_sums(dist: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dist.join(format!("terraform-provider-astro_{VERSION}_SHA256SUMS")))
        .expect("SHA256SUMS")
        .lines()
        .map(|l| {
            let (sum, name) = l.split_once("  ").expect("sha256sum line");
            (name.to_string(), format!("zh:{sum}"))
        })
        .collect()
}

/// An HTTPS server on loopback answering GETs from a map of path -> bytes, with a log of
/// the paths asked for.
struct MirrorServer {
    /// Runs the server; dropping it stops the server.
    _rt: tokio::runtime::Runtime,
    base: String,
    ca_pem: String,
    files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl MirrorServer {
    fn start() -> Self {
        use axum::extract::{OriginalUri, State};
        use axum::http::StatusCode;
        use axum::response::IntoResponse;
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use hyper_util::server::conn::auto::Builder;
        use hyper_util::service::TowerToHyperService;

        type Shared = (
            Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
            Arc<Mutex<Vec<String>>>,
        );
        async fn get(State((files, log)): State<Shared>, uri: OriginalUri) -> impl IntoResponse {
            let path = uri.path().to_string();
            log.lock().unwrap().push(path.clone());
            // The protocol requires application/json for the index and version documents.
            let kind = if path.ends_with(".json") {
                "application/json"
            } else {
                "application/zip"
            };
            match files.lock().unwrap().get(&path) {
                Some(body) => (StatusCode::OK, [("content-type", kind)], body.clone()),
                None => (
                    StatusCode::NOT_FOUND,
                    [("content-type", "text/plain")],
                    b"not found".to_vec(),
                ),
            }
        }

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let tls = astro_provider::sandbox::tls::generate().expect("TLS material");
        let files: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let app = axum::Router::new()
            .fallback(get)
            .with_state((files.clone(), log.clone()));
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config.clone());
        rt.spawn(async move {
            let builder = Arc::new(Builder::new(TokioExecutor::new()));
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, app, builder) = (acceptor.clone(), app.clone(), builder.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let service = TowerToHyperService::new(app);
                        let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                    }
                });
            }
        });
        Self {
            _rt: rt,
            base: format!("https://127.0.0.1:{port}/"),
            ca_pem: tls.ca_pem,
            files,
            log,
        }
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.files.lock().unwrap().insert(path.to_string(), body);
    }

    fn requested(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Publishes `dist/` on `server` as a network mirror: `index.json` lists the version,
/// `<version>.json` each platform's zip with its `h1:` and `zh:` hashes, and the zips under
/// `/dist/`. Returns the h1 hash of every platform. With `with_h1` false only the `zh:`
/// hashes are published, so any `h1:` in a lock file is Terraform's own computation.
fn publish(server: &MirrorServer, dist: &Path, with_h1: bool) -> BTreeMap<String, String> {
    let sums = published_sums(dist);
    let mut archives = serde_json::Map::new();
    let mut h1s = BTreeMap::new();
    for (platform, name) in zips(dist) {
        let bytes = std::fs::read(dist.join(&name)).unwrap();
        assert_eq!(
            sums.get(&name),
            Some(&zh(&bytes)),
            "SHA256SUMS holds the zip's sha256"
        );
        let h1 = h1(&dist.join(&name));
        archives.insert(
            platform.clone(),
            serde_json::json!({
                "url": format!("../../../dist/{name}"),
                "hashes": if with_h1 { vec![h1.clone(), zh(&bytes)] } else { vec![zh(&bytes)] },
            }),
        );
        h1s.insert(platform, h1);
        server.put(&format!("/dist/{name}"), bytes);
    }
    server.put(
        &format!("/{HOST_PATH}/index.json"),
        serde_json::to_vec(&serde_json::json!({ "versions": { VERSION: {} } })).unwrap(),
    );
    server.put(
        &format!("/{HOST_PATH}/{VERSION}.json"),
        serde_json::to_vec(&serde_json::json!({ "archives": archives })).unwrap(),
    );
    h1s
}

/// A workspace whose Terraform installs the provider only from `server`'s network mirror,
/// trusting the mirror's CA and the sandbox's.
fn mirror_workspace(server: &MirrorServer, sb: &TestSandbox) -> Workspace {
    let mut ws = Workspace::with_sandbox(sb);
    let rc = ws.tmp.path().join("terraform.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  network_mirror {{\n    url     = \"{}\"\n    include = [\"{HOST_PATH}\"]\n  }}\n  direct {{\n    exclude = [\"{HOST_PATH}\"]\n  }}\n}}\n",
            server.base
        ),
    )
    .unwrap();
    let bundle = ws.tmp.path().join("ca-bundle.pem");
    let sandbox_ca = std::fs::read_to_string(sb.var("SSL_CERT_FILE")).expect("sandbox CA");
    std::fs::write(&bundle, format!("{sandbox_ca}\n{}", server.ca_pem)).unwrap();
    ws.set_env("SSL_CERT_FILE", &bundle.display().to_string());
    ws.set_env("TF_CLI_CONFIG_FILE", &rc.display().to_string());
    ws.write_config(&format!(
        r#"provider "astro" {{}}

resource "astro_private_endpoint" "agents" {{
  name                       = "astro-privatelink"
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "{subnet}"
  private_link_service_alias = "{alias}"
}}
"#,
        subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
    ));
    ws
}

/// Every `h1:`/`zh:` hash in the lock file.
fn locked_hashes(ws: &Workspace) -> Vec<String> {
    let lock = std::fs::read_to_string(ws.dir().join(".terraform.lock.hcl")).expect("lock file");
    let re = regex::Regex::new(r#""((?:h1|zh):[^"]+)""#).unwrap();
    re.captures_iter(&lock).map(|c| c[1].to_string()).collect()
}

#[test]
fn release_installs_from_a_network_mirror_and_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = release_dist(tmp.path());
    let server = MirrorServer::start();
    let h1s = publish(&server, &dist, true);
    assert_eq!(
        h1s.keys().collect::<Vec<_>>(),
        ["darwin_arm64", "linux_amd64"]
    );
    let sb = TestSandbox::start();
    let ws = mirror_workspace(&server, &sb);

    let out = ws.ok(&["init", "-no-color", "-input=false"]);
    assert!(
        out.contains(&format!("Installed astro-privatelink/astro v{VERSION}")),
        "{out}"
    );
    let zip = format!("/dist/terraform-provider-astro_{VERSION}_linux_amd64.zip");
    assert!(
        server.requested().contains(&zip),
        "init downloaded {zip} from the mirror: {:?}",
        server.requested()
    );
    let locked = locked_hashes(&ws);
    assert!(
        locked.contains(&h1s["linux_amd64"]),
        "{locked:?} vs {h1s:?}"
    );

    let lock_out = ws.ok(&[
        "providers",
        "lock",
        "-no-color",
        &format!("-net-mirror={}", server.base),
        "-platform=linux_amd64",
        "-platform=darwin_arm64",
    ]);
    let locked = locked_hashes(&ws);
    for (platform, hash) in &h1s {
        assert!(
            locked.contains(hash),
            "lock file lacks {platform}'s {hash}:\n{locked:?}\n{lock_out}"
        );
    }
    let darwin = format!("/dist/terraform-provider-astro_{VERSION}_darwin_arm64.zip");
    assert!(
        server.requested().contains(&darwin),
        "{:?}",
        server.requested()
    );

    // The installed provider runs: a plan against the sandbox proposes the endpoint.
    let (code, text) = ws.plan_exit();
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("astro_private_endpoint.agents will be created"),
        "{text}"
    );
    assert!(!text.contains("Warning"), "{text}");
}

#[test]
fn a_corrupted_zip_fails_init_on_its_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = release_dist(tmp.path());
    let name = format!("terraform-provider-astro_{VERSION}_linux_amd64.zip");
    let good = std::fs::read(dist.join(&name)).unwrap();
    // A byte changed in transit, and a well-formed zip holding another binary under the
    // provider's name (what a tampered mirror would serve).
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    let other = tmp.path().join("other");
    run_script(
        &other,
        &[
            "scripts/release/package.sh",
            "linux",
            "amd64",
            env!("CARGO_BIN_EXE_astro-azure-sandbox"),
        ],
    );
    let swapped = std::fs::read(other.join(&name)).unwrap();
    assert_ne!(zh(&swapped), zh(&good));
    let sb = TestSandbox::start();
    for (what, bytes) in [("a flipped byte", flipped), ("another binary", swapped)] {
        let server = MirrorServer::start();
        // The mirror keeps publishing the release's hashes but serves the bad zip.
        publish(&server, &dist, true);
        server.put(&format!("/dist/{name}"), bytes);
        let ws = mirror_workspace(&server, &sb);
        let out = ws.run(&["init", "-no-color", "-input=false"]);
        let text = common::flat(&common::both(&out));
        assert!(!out.status.success(), "init accepted {what}:\n{text}");
        assert!(
            text.contains("Error while installing astro-privatelink/astro")
                && text.contains("checksum"),
            "{what}: init must fail on the checksum:\n{text}"
        );
        assert!(
            !ws.dir()
                .join(".terraform/providers")
                .join(HOST_PATH)
                .exists(),
            "{what}: nothing of the bad package is installed"
        );
    }
}

#[test]
fn published_h1_hashes_are_the_ones_terraform_computes() {
    // Only zh: hashes published: every h1: in the lock file is Terraform's own dirhash of a
    // zip it downloaded, and must equal what publish() computed.
    let tmp = tempfile::tempdir().unwrap();
    let dist = release_dist(tmp.path());
    let server = MirrorServer::start();
    let h1s = publish(&server, &dist, false);
    let sb = TestSandbox::start();
    let ws = mirror_workspace(&server, &sb);
    ws.init();
    let out = ws.ok(&[
        "providers",
        "lock",
        "-no-color",
        &format!("-net-mirror={}", server.base),
        "-platform=linux_amd64",
        "-platform=darwin_arm64",
    ]);
    let locked: Vec<String> = locked_hashes(&ws)
        .into_iter()
        .filter(|h| h.starts_with("h1:"))
        .collect();
    let mut ours: Vec<String> = h1s.values().cloned().collect();
    ours.sort();
    let mut theirs = locked.clone();
    theirs.sort();
    assert_eq!(theirs, ours, "{out}");
}
