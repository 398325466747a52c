//! End-to-end figures of issue 6, each printed with its goal: `terraform validate` / `plan`
//! against a `terraform_data`-only config of the same shape, refresh cost (ARM requests per
//! endpoint and per DNS unit, wall time against the ideal) at N = 10, 50, 100 pairs with 20 ms
//! of sandbox latency, the provider's peak RSS during that refresh, the stripped binary size,
//! and how soon an LRO completion and an approval are seen.
//!
//! Run: `cargo bench --bench e2e` (or `scripts/bench.sh`). Needs `terraform` on PATH; talks
//! only to an in-process sandbox on 127.0.0.1.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use std::time::{Duration, Instant};

use common::{Workspace, both};
use serde_json::json;
use support::Sbx;

/// Runs whose median is reported for validate / plan timing.
const TIMING_RUNS: usize = 15;
/// Refresh runs per N (median wall time).
const REFRESH_RUNS: usize = 5;
const LATENCY_MS: u64 = 20;
const PARALLELISM: u64 = 10;

/// One figure: label, value, unit, goal (if any) and whether smaller is better.
struct Figure {
    label: String,
    value: f64,
    unit: &'static str,
    goal: Option<f64>,
}

impl Figure {
    fn new(label: impl Into<String>, value: f64, unit: &'static str, goal: Option<f64>) -> Self {
        Self {
            label: label.into(),
            value,
            unit,
            goal,
        }
    }

    fn print(&self) {
        let verdict = match self.goal {
            None => "(no goal; reported)".to_string(),
            Some(g) if self.value <= g => format!("goal <= {g:.3}{}: met", self.unit),
            Some(g) => format!(
                "goal <= {g:.3}{}: NOT met, over by {:.3}{} ({:+.1}%)",
                self.unit,
                self.value - g,
                self.unit,
                (self.value / g - 1.0) * 100.0
            ),
        };
        println!(
            "  {:<58} {:>10.3}{:<3}  {verdict}",
            self.label, self.value, self.unit
        );
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A workspace talking to `sb`.
fn workspace(sb: &Sbx) -> Workspace {
    let mut ws = Workspace::new();
    for (k, v) in sb.env() {
        ws.set_env(k, v);
    }
    ws
}

/// Runs terraform, fails loudly unless it exits 0, returns its wall time.
fn timed_ok(ws: &Workspace, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = ws.run(args);
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "terraform {} failed:\n{}",
        args.join(" "),
        both(&out)
    );
    took
}

/// `n` endpoint + DNS pairs (the shape of tests/e2e_reliability.rs), each DNS unit linked to
/// the seeded VNet.
fn pairs(sb: &Sbx, n: usize) -> String {
    format!(
        r#"provider "astro" {{}}

resource "astro_private_endpoint" "pe" {{
  count                      = {n}
  name                       = "astro-pl-${{count.index}}"
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "{subnet}"
  private_link_service_alias = "{alias}"
}}

resource "astro_private_dns" "dns" {{
  count               = {n}
  resource_group_name = "rg-astro-dns"
  cluster_id          = "cl${{count.index}}"
  zone_name           = "zone${{count.index}}.astronomer.run"
  ip_address          = astro_private_endpoint.pe[count.index].private_ip_address
  virtual_network_ids = ["{vnet}"]
}}
"#,
        subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        vnet = sb.var("ASTRO_SANDBOX_VNET_ID"),
    )
}

/// The same graph as [`pairs`] with `terraform_data` only (no provider to start).
fn pairs_builtin(sb: &Sbx, n: usize) -> String {
    format!(
        r#"resource "terraform_data" "pe" {{
  count = {n}
  input = {{
    name                       = "astro-pl-${{count.index}}"
    resource_group_name        = "rg-astro-agents"
    location                   = "eastus"
    subnet_id                  = "{subnet}"
    private_link_service_alias = "{alias}"
  }}
}}

resource "terraform_data" "dns" {{
  count = {n}
  input = {{
    resource_group_name = "rg-astro-dns"
    cluster_id          = "cl${{count.index}}"
    zone_name           = "zone${{count.index}}.astronomer.run"
    ip_address          = terraform_data.pe[count.index].output.name
    virtual_network_ids = ["{vnet}"]
  }}
}}
"#,
        subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        vnet = sb.var("ASTRO_SANDBOX_VNET_ID"),
    )
}

/// Figure 2: validate and plan, our provider against `terraform_data`, runs interleaved.
fn validate_and_plan(sb: &Sbx) {
    println!(
        "\n[2] terraform validate / plan: 10 pairs with astro vs terraform_data, median of {TIMING_RUNS} interleaved runs"
    );
    let ours = workspace(sb);
    ours.write_config(&pairs(sb, 10));
    ours.init();
    let builtin = workspace(sb);
    std::fs::write(builtin.dir().join("main.tf"), pairs_builtin(sb, 10)).expect("main.tf");
    builtin.init();
    for (cmd, goal) in [("validate", Some(1.05)), ("plan", None)] {
        let args: &[&str] = if cmd == "validate" {
            &["validate", "-no-color"]
        } else {
            &["plan", "-no-color", "-input=false", "-refresh=false"]
        };
        timed_ok(&ours, args);
        timed_ok(&builtin, args);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..TIMING_RUNS {
            a.push(secs(timed_ok(&ours, args)) * 1000.0);
            b.push(secs(timed_ok(&builtin, args)) * 1000.0);
        }
        let (ma, mb) = (median(a), median(b));
        Figure::new(format!("{cmd}: astro provider (median)"), ma, "ms", None).print();
        Figure::new(
            format!("{cmd}: terraform_data only (median)"),
            mb,
            "ms",
            None,
        )
        .print();
        Figure::new(
            format!("{cmd}: ratio astro / terraform_data"),
            ma / mb,
            "x",
            goal,
        )
        .print();
    }
}

/// Which side of a pair a logged resource type belongs to (`None` = token or other).
fn side(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "privateEndpoints"
        | "networkInterfaces"
        | "privateEndpointConnections"
        | "privateLinkServices"
        | "checkPrivateLinkServiceVisibility"
        | "operations"
        | "operationResults" => Some("endpoint"),
        "privateDnsZones"
        | "virtualNetworkLinks"
        | "A"
        | "SOA"
        | "ALL"
        | "privateDnsOperationStatuses"
        | "privateDnsOperationResults" => Some("dns"),
        _ => None,
    }
}

/// Requests of the log split into (endpoint, dns, other non-token).
fn split_counts(sb: &Sbx) -> (u64, u64, u64) {
    let (mut pe, mut dns, mut other) = (0, 0, 0);
    for (key, v) in sb.counts() {
        let n = v.as_u64().unwrap_or(0);
        let ty = key.split_once(' ').map(|(_, t)| t).unwrap_or("");
        match (ty, side(ty)) {
            ("token", _) => {}
            (_, Some("endpoint")) => pe += n,
            (_, Some(_)) => dns += n,
            (_, None) => other += n,
        }
    }
    (pe, dns, other)
}

/// One refresh row: counts, wall times and the provider's peak RSS.
struct RefreshRow {
    n: usize,
    pe_requests: u64,
    dns_requests: u64,
    other: u64,
    wall: f64,
    base: f64,
    ideal: f64,
    rss_kb: u64,
    server_ms: f64,
}

/// Figures 3 and 4 for one N.
fn refresh_row(n: usize) -> RefreshRow {
    let sb = Sbx::start(0);
    let ws = workspace(&sb);
    ws.write_config(&pairs(&sb, n));
    ws.init();
    let par = format!("-parallelism={PARALLELISM}");
    timed_ok(
        &ws,
        &["apply", "-auto-approve", "-no-color", "-input=false", &par],
    );
    let plan = [
        "plan",
        "-no-color",
        "-input=false",
        "-detailed-exitcode",
        &par,
    ];
    // Runs with and without latency alternate, so load from elsewhere on the machine falls on
    // both alike; `net` (their difference) is what the latency cost.
    let (mut walls, mut bases) = (Vec::new(), Vec::new());
    let mut rss_kb = 0;
    let mut counts = (0, 0, 0);
    let mut server_ms = 0.0;
    for run in 0..REFRESH_RUNS {
        sb.set_faults(json!({}));
        bases.push(secs(timed_ok(&ws, &plan)));
        sb.set_faults(json!({"latency_ms": LATENCY_MS}));
        sb.clear();
        let (wall, peak) = support::rss::run_sampled(&ws, &plan);
        walls.push(wall);
        rss_kb = rss_kb.max(peak);
        if run == 0 {
            counts = split_counts(&sb);
            server_ms = mean_server_ms(&sb);
        }
    }
    let base = median(bases);
    let (pe, dns, other) = counts;
    let total = pe + dns + other;
    RefreshRow {
        n,
        pe_requests: pe,
        dns_requests: dns,
        other,
        wall: median(walls),
        base,
        ideal: total as f64 * LATENCY_MS as f64 / 1000.0 / PARALLELISM as f64,
        rss_kb,
        server_ms,
    }
}

/// Mean time the sandbox spent answering a logged ARM request (latency included), in ms.
fn mean_server_ms(sb: &Sbx) -> f64 {
    let ms: Vec<f64> = sb
        .requests()
        .iter()
        .filter(|e| e["resource_type"] != "token")
        .filter_map(|e| e["ms"].as_f64())
        .collect();
    ms.iter().sum::<f64>() / ms.len().max(1) as f64
}

/// ARM requests to refresh one DNS unit linked to `links` VNets (no endpoint in the config).
fn dns_unit_requests(links: usize) -> u64 {
    let sb = Sbx::start(links);
    let ws = workspace(&sb);
    let ids: Vec<String> = (0..links)
        .map(|i| format!("\"{}\"", sb.extra_vnet_id(i)))
        .collect();
    ws.write_config(&format!(
        r#"provider "astro" {{}}

resource "astro_private_dns" "dns" {{
  resource_group_name = "rg-astro-dns"
  cluster_id          = "clmany"
  zone_name           = "many.astronomer.run"
  ip_address          = "10.10.1.4"
  virtual_network_ids = [{}]
}}
"#,
        ids.join(", ")
    ));
    ws.init();
    timed_ok(
        &ws,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
    );
    sb.clear();
    let out = ws.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let (pe, dns, other) = split_counts(&sb);
    assert_eq!(
        pe + other,
        0,
        "only DNS requests expected: {:?}",
        sb.counts()
    );
    dns
}

/// Figures 3 and 4.
fn refresh() {
    println!(
        "\n[3] refresh (terraform plan on applied state), sandbox latency {LATENCY_MS} ms, -parallelism={PARALLELISM}; \
         wall = median of {REFRESH_RUNS}; base = same plan at 0 ms latency (runs alternate); net = wall - base; ideal = requests x {LATENCY_MS} ms / {PARALLELISM}; srv ms = mean time the sandbox took per request"
    );
    println!(
        "  {:>4} {:>8} {:>8} {:>6} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "N",
        "PE req",
        "DNS req",
        "other",
        "req/PE",
        "req/DNS",
        "wall s",
        "base s",
        "net s",
        "ideal s",
        "net/ideal",
        "srv ms"
    );
    let rows: Vec<RefreshRow> = [10, 50, 100].into_iter().map(refresh_row).collect();
    for r in &rows {
        println!(
            "  {:>4} {:>8} {:>8} {:>6} {:>7.2} {:>7.2} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.2} {:>7.1}",
            r.n,
            r.pe_requests,
            r.dns_requests,
            r.other,
            r.pe_requests as f64 / r.n as f64,
            r.dns_requests as f64 / r.n as f64,
            r.wall,
            r.base,
            r.wall - r.base,
            r.ideal,
            (r.wall - r.base) / r.ideal,
            r.server_ms
        );
    }
    for r in &rows {
        let n = r.n;
        Figure::new(
            format!("N={n}: ARM requests per endpoint"),
            r.pe_requests as f64 / n as f64,
            "",
            Some(2.0),
        )
        .print();
        Figure::new(
            format!("N={n}: ARM requests per DNS unit (1 link)"),
            r.dns_requests as f64 / n as f64,
            "",
            Some(3.0),
        )
        .print();
        Figure::new(
            format!("N={n}: net refresh time / ideal"),
            (r.wall - r.base) / r.ideal,
            "x",
            Some(1.2),
        )
        .print();
        Figure::new(
            format!("N={n}: whole plan wall / ideal (incl. terraform's own start)"),
            r.wall / r.ideal,
            "x",
            None,
        )
        .print();
    }
    for links in [2, 5] {
        let n = dns_unit_requests(links);
        Figure::new(
            format!("ARM requests to refresh one DNS unit with {links} VNet links"),
            n as f64,
            "",
            Some(3.0),
        )
        .print();
    }
    println!("\n[4] provider process size");
    let peak = rows.iter().map(|r| r.rss_kb).max().unwrap_or(0);
    Figure::new(
        "peak RSS (VmHWM) of terraform-provider-astro during the refreshes",
        peak as f64 / 1024.0,
        "MB",
        Some(30.0),
    )
    .print();
    let bin = env!("CARGO_BIN_EXE_terraform-provider-astro");
    let size = std::fs::metadata(bin).map(|m| m.len()).unwrap_or(0);
    Figure::new(
        "release binary size (profile strip = true)",
        size as f64 / 1_048_576.0,
        "MB",
        Some(20.0),
    )
    .print();
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"e2e".contains(f.as_str())) {
        return;
    }
    common::terraform_bin();
    {
        let sb = Sbx::start(0);
        validate_and_plan(&sb);
    }
    refresh();
    support::waits::lro_and_approval();
}
