//! Startup benchmark: how long the (bench-profile, i.e. optimised) provider binary takes from
//! spawn to printing its handshake line, with AutoMTLS on as under Terraform. Terraform starts
//! a fresh provider process for every schema load and graph walk, so this adds up.
//!
//! It also measures how long the provider takes to exit on SIGTERM (Terraform's go-plugin
//! client kills a plugin that has not exited 2 s after it asked), the figure the tests no
//! longer assert.
//!
//! Run: `cargo bench --bench startup` (N runs, prints min / median / p90 in milliseconds;
//! `-- --quick` runs 5). A figure that could not be measured prints "missing" and the bench
//! exits non-zero.
//!
//! Nearly all of the AutoMTLS start-up time is aws-lc seeding its random generator from CPU
//! jitter (about 20 ms of CPU, once per process, at the first key generation). Building with
//! `AWS_LC_SYS_NO_JITTER_ENTROPY=1` (e.g. in `.cargo/config.toml` `[env]`) seeds from the OS
//! instead and brings the median to about 2 ms.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-astro");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const RUNS: usize = 50;
const QUICK_RUNS: usize = 5;
const GOAL_MEDIAN: Duration = Duration::from_millis(5);
const GOAL_EXIT: Duration = Duration::from_secs(1);

/// A client certificate shaped like Terraform's (ECDSA P-521 / SHA-512, CA:TRUE), as PEM.
fn client_cert_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("cert params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    params.self_signed(&key).expect("self-signed cert").pem()
}

/// Spawns the provider once; returns the time until its handshake line arrived and, when
/// `sigterm`, the time from SIGTERM to its exit (else it is killed).
fn one_start(client_pem: &str, sigterm: bool) -> (Duration, Option<Duration>) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .env_clear()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn provider");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read handshake");
    let elapsed = start.elapsed();
    assert!(
        line.starts_with("1|5|tcp|"),
        "unexpected handshake {line:?}"
    );
    if !sigterm {
        child.kill().expect("kill provider");
        child.wait().expect("reap provider");
        return (elapsed, None);
    }
    let asked = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    let status = child.wait().expect("reap provider");
    (elapsed, (sent && status.success()).then(|| asked.elapsed()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that does not match skips the run.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"startup".contains(f.as_str())) {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { QUICK_RUNS } else { RUNS };
    let pem = client_cert_pem();
    one_start(&pem, false); // warm the page cache
    let mut times = Vec::new();
    let mut exits = Vec::new();
    for i in 0..runs {
        let (start, exit) = one_start(&pem, i % 2 == 1);
        times.push(start);
        exits.extend(exit);
    }
    times.sort();
    exits.sort();
    let median = times[runs / 2];
    let p90 = times[runs * 9 / 10];
    println!(
        "startup (spawn -> handshake line, AutoMTLS), n={runs}: min {:.2} ms, median {:.2} ms \
         (goal <= {} ms median: {}), p90 {:.2} ms",
        ms(times[0]),
        ms(median),
        GOAL_MEDIAN.as_millis(),
        if median <= GOAL_MEDIAN {
            "met"
        } else {
            "NOT met"
        },
        ms(p90),
    );
    // Every other start ends with SIGTERM; a run that did not exit cleanly is not a figure.
    if exits.len() < runs / 2 {
        println!(
            "exit on SIGTERM: missing ({} of {} runs exited cleanly)",
            exits.len(),
            runs / 2
        );
        std::process::exit(1);
    }
    let worst = exits[exits.len() - 1];
    println!(
        "exit on SIGTERM, n={}: median {:.2} ms, max {:.2} ms (goal <= {} ms max: {})",
        exits.len(),
        ms(exits[exits.len() / 2]),
        ms(worst),
        GOAL_EXIT.as_millis(),
        if worst <= GOAL_EXIT { "met" } else { "NOT met" },
    );
}
