//! End-to-end figures of issue 6, each printed with its goal: `terraform validate` / `plan`
//! against the same graph served by an empty provider built on our own plugin runtime (no
//! resources: what is left is the cost of our schema and config handling), with a
//! `terraform_data`-only config as a reported reference; refresh cost (ARM requests per
//! endpoint and per DNS unit, the span of its ARM requests against a true lower bound) at
//! N = 10, 50, 100 pairs with 50 ms of sandbox latency, the provider's peak RSS during that
//! refresh, the stripped
//! binary size, and how soon an LRO completion and an approval are seen.
//!
//! The empty provider is this benchmark's own executable: started by Terraform (the magic
//! cookie is set) it serves a provider with no resources instead of benchmarking.
//!
//! Run: `cargo bench --bench e2e` (or `scripts/bench.sh`); `-- --quick` for one small round
//! of everything (CI). A figure that could not be measured prints "missing" and the bench
//! exits non-zero. Needs `terraform` on PATH; talks only to an in-process sandbox on
//! 127.0.0.1.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::sandbox::TestSandbox;
use common::{Workspace, both};
use serde_json::json;

/// Runs whose median is reported for validate / plan timing (quick: 3).
fn timing_runs() -> usize {
    if quick() { 3 } else { 15 }
}
/// Refresh runs per N (medians; quick: 3, so one disturbed run cannot decide the figure).
fn refresh_runs() -> usize {
    if quick() { 3 } else { 5 }
}

/// `--quick`: one small round of every figure, for CI (numbers are indicative only).
pub fn quick() -> bool {
    static QUICK: OnceLock<bool> = OnceLock::new();
    *QUICK.get_or_init(|| std::env::args().any(|a| a == "--quick"))
}

/// Set when a figure could not be measured; the bench then exits non-zero.
static MISSING: AtomicBool = AtomicBool::new(false);
/// Latency the sandbox adds to every ARM request during the refresh figures.
const LATENCY_MS: u64 = 50;
const PARALLELISM: u64 = 10;

/// One figure: label, value, unit and goal (if any; smaller is better). A value that is not a
/// finite number, or not above zero for a figure that must be, was not measured.
struct Figure {
    label: String,
    value: f64,
    unit: &'static str,
    goal: Option<f64>,
    positive: bool,
}

impl Figure {
    fn new(label: impl Into<String>, value: f64, unit: &'static str, goal: Option<f64>) -> Self {
        Self {
            label: label.into(),
            value,
            unit,
            goal,
            positive: false,
        }
    }

    /// The figure is a size, count or time: zero means it was not measured.
    fn positive(mut self) -> Self {
        self.positive = true;
        self
    }

    fn print(&self) {
        if !self.value.is_finite() || (self.positive && self.value <= 0.0) {
            MISSING.store(true, Ordering::Relaxed);
            println!(
                "  {:<58} {:>13}  missing: could not be measured",
                self.label, "-"
            );
            return;
        }
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
fn pairs(sb: &TestSandbox, n: usize) -> String {
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
fn pairs_builtin(sb: &TestSandbox, n: usize) -> String {
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

/// The source address the empty provider is installed under.
const EMPTY_SOURCE: &str = "astro-privatelink/empty";

/// A provider with no resources, data sources or settings, served by our own plugin runtime.
struct EmptyProvider;

#[async_trait::async_trait]
impl astro_provider::framework::resource::Provider for EmptyProvider {
    fn schema(&self) -> astro_provider::framework::schema::Schema {
        astro_provider::framework::schema::Schema::new(
            astro_provider::framework::schema::Block::new(Vec::new()),
        )
    }

    async fn configure(
        &self,
        _config: &astro_provider::framework::value::Value,
        _terraform_version: &str,
    ) -> astro_provider::framework::diagnostics::Diagnostics {
        astro_provider::framework::diagnostics::Diagnostics::new()
    }

    fn resources(&self) -> Vec<Box<dyn astro_provider::framework::erased::AnyResource>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Box<dyn astro_provider::framework::erased::AnyDataSource>> {
        Vec::new()
    }
}

/// Serves [`EmptyProvider`] as the provider binary does (this process was started by
/// Terraform).
fn serve_empty_provider() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = astro_provider::tfplugin5::ProviderService::new(EmptyProvider);
    let served = runtime.block_on(astro_provider::plugin::serve(
        service,
        astro_provider::plugin::ServeOptions::default(),
    ));
    runtime.shutdown_timeout(Duration::from_millis(100));
    if let Err(e) = served {
        eprintln!("empty provider: {e}");
        std::process::exit(1);
    }
}

/// A workspace whose Terraform finds this executable as provider `empty` (and nothing else).
fn empty_provider_workspace() -> Workspace {
    let ws = Workspace::new();
    let mirror = ws.tmp.path().join("empty-mirror");
    let dir = mirror
        .join("registry.terraform.io")
        .join(EMPTY_SOURCE)
        .join(common::VERSION)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir).expect("mirror dir");
    let me = std::env::current_exe().expect("this executable");
    std::fs::copy(
        me,
        dir.join(format!("terraform-provider-empty_v{}", common::VERSION)),
    )
    .expect("copy the empty provider into the mirror");
    std::fs::write(
        ws.tmp.path().join("terraform.rc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/{EMPTY_SOURCE}\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/{EMPTY_SOURCE}\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("CLI config");
    ws
}

/// Figure 2: validate and plan, our provider against the empty provider (the goal) and against
/// `terraform_data` alone (reported), runs interleaved.
fn validate_and_plan(sb: &TestSandbox) {
    let runs = timing_runs();
    println!(
        "\n[2] terraform validate / plan: 10 pairs with astro vs the same graph as terraform_data \
         (with an empty provider of our runtime / alone), median of {runs} interleaved runs"
    );
    let ours = Workspace::with_sandbox(sb);
    ours.write_config(&pairs(sb, 10));
    ours.init();
    let empty = empty_provider_workspace();
    std::fs::write(
        empty.dir().join("main.tf"),
        format!(
            "terraform {{\n  required_providers {{\n    empty = {{ source = \"{EMPTY_SOURCE}\" }}\n  }}\n}}\n\nprovider \"empty\" {{}}\n\n{}",
            pairs_builtin(sb, 10)
        ),
    )
    .expect("main.tf");
    empty.init();
    let builtin = Workspace::with_sandbox(sb);
    std::fs::write(builtin.dir().join("main.tf"), pairs_builtin(sb, 10)).expect("main.tf");
    builtin.init();
    for (cmd, goal) in [("validate", Some(1.05)), ("plan", None)] {
        let args: &[&str] = if cmd == "validate" {
            &["validate", "-no-color"]
        } else {
            &["plan", "-no-color", "-input=false", "-refresh=false"]
        };
        let sides = [&ours, &empty, &builtin];
        for ws in sides {
            timed_ok(ws, args);
        }
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..runs {
            for (ws, t) in sides.iter().zip(times.iter_mut()) {
                t.push(secs(timed_ok(ws, args)) * 1000.0);
            }
        }
        let [a, e, b] = times.map(median);
        Figure::new(format!("{cmd}: astro provider (median)"), a, "ms", None)
            .positive()
            .print();
        Figure::new(
            format!("{cmd}: empty provider of our runtime (median)"),
            e,
            "ms",
            None,
        )
        .positive()
        .print();
        Figure::new(
            format!("{cmd}: terraform_data only (median)"),
            b,
            "ms",
            None,
        )
        .positive()
        .print();
        Figure::new(
            format!("{cmd}: ratio astro / empty provider"),
            a / e,
            "x",
            goal,
        )
        .positive()
        .print();
        Figure::new(
            format!("{cmd}: ratio astro / terraform_data (reference)"),
            a / b,
            "x",
            None,
        )
        .positive()
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
fn split_counts(sb: &TestSandbox) -> (u64, u64, u64) {
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
    /// Median over runs of the span the ARM requests cover (first arrival to last answer).
    span: f64,
    ideal: f64,
    rss_kb: u64,
    server_ms: f64,
}

/// Figures 3 and 4 for one N.
fn refresh_row(n: usize) -> RefreshRow {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
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
    // The refresh is timed by the span its ARM requests cover in the sandbox's log (first
    // arrival to last answer), which leaves out terraform's own start; the ideal below is a
    // true lower bound of that span.
    sb.set_faults(json!({"latency_ms": LATENCY_MS}));
    let (mut walls, mut spans) = (Vec::new(), Vec::new());
    let mut rss_kb = 0;
    let mut counts = (0, 0, 0);
    let mut server_ms = 0.0;
    for run in 0..refresh_runs() {
        sb.clear_requests();
        let (wall, peak) = support::rss::run_sampled(&ws, &plan);
        walls.push(wall);
        spans.push(arm_span(&sb));
        rss_kb = rss_kb.max(peak);
        if run == 0 {
            counts = split_counts(&sb);
            server_ms = mean_server_ms(&sb);
        }
    }
    let (pe, dns, other) = counts;
    RefreshRow {
        n,
        pe_requests: pe,
        dns_requests: dns,
        other,
        wall: median(walls),
        span: median(spans),
        ideal: lower_bound_secs(n),
        rss_kb,
        server_ms,
    }
}

/// A true lower bound of the ARM span of a refresh of `n` pairs when every request takes
/// `LATENCY_MS`: each of the 2n resource instances sends at least one request while holding
/// one of terraform's `PARALLELISM` slots, so a slot finishes at most one instance per
/// latency; and a DNS unit is refreshed only after the endpoint it references, so at least
/// two latencies lie end to end. (Requests x latency / parallelism is no bound: one instance
/// may send several requests at once.)
fn lower_bound_secs(n: usize) -> f64 {
    let instances = 2 * n as u64;
    let rounds = instances.div_ceil(PARALLELISM).max(2);
    rounds as f64 * LATENCY_MS as f64 / 1000.0
}

/// Seconds from the first ARM request's arrival to the last one's answer in the sandbox's
/// log (token requests left out: they carry no injected latency). NaN without requests.
fn arm_span(sb: &TestSandbox) -> f64 {
    let (mut first, mut last) = (u64::MAX, 0);
    for e in sb
        .requests()
        .iter()
        .filter(|e| e["resource_type"] != "token")
    {
        if let (Some(r), Some(a)) = (e["received_us"].as_u64(), e["answered_us"].as_u64()) {
            first = first.min(r);
            last = last.max(a);
        }
    }
    if last < first {
        return f64::NAN;
    }
    (last - first) as f64 / 1e6
}

/// Mean time the sandbox spent answering a logged ARM request (latency included), in ms.
fn mean_server_ms(sb: &TestSandbox) -> f64 {
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
    let sb = TestSandbox::start_with_extra_vnets(links);
    let ws = Workspace::with_sandbox(&sb);
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
    sb.clear_requests();
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
         wall = whole plan and span = first ARM request to last answer (sandbox log), medians of {}; ideal = lower bound of the span: max(ceil(2N / {PARALLELISM}), 2) x {LATENCY_MS} ms; srv ms = mean time the sandbox took per request",
        refresh_runs()
    );
    println!(
        "  {:>4} {:>8} {:>8} {:>6} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "N",
        "PE req",
        "DNS req",
        "other",
        "req/PE",
        "req/DNS",
        "wall s",
        "span s",
        "ideal s",
        "span/ideal",
        "srv ms"
    );
    let sizes: &[usize] = if quick() { &[10] } else { &[10, 50, 100] };
    let rows: Vec<RefreshRow> = sizes.iter().copied().map(refresh_row).collect();
    for r in &rows {
        println!(
            "  {:>4} {:>8} {:>8} {:>6} {:>7.2} {:>7.2} {:>8.3} {:>8.3} {:>8.3} {:>8.2} {:>7.1}",
            r.n,
            r.pe_requests,
            r.dns_requests,
            r.other,
            r.pe_requests as f64 / r.n as f64,
            r.dns_requests as f64 / r.n as f64,
            r.wall,
            r.span,
            r.ideal,
            r.span / r.ideal,
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
        .positive()
        .print();
        Figure::new(
            format!("N={n}: ARM requests per DNS unit (1 link)"),
            r.dns_requests as f64 / n as f64,
            "",
            Some(3.0),
        )
        .positive()
        .print();
        Figure::new(
            format!("N={n}: refresh ARM span / ideal"),
            r.span / r.ideal,
            "x",
            Some(1.2),
        )
        .positive()
        .print();
        Figure::new(
            format!("N={n}: whole plan wall / ideal (incl. terraform's own start)"),
            r.wall / r.ideal,
            "x",
            None,
        )
        .positive()
        .print();
    }
    let links_list: &[usize] = if quick() { &[2] } else { &[2, 5] };
    for &links in links_list {
        let n = dns_unit_requests(links);
        Figure::new(
            format!("ARM requests to refresh one DNS unit with {links} VNet links"),
            n as f64,
            "",
            Some(3.0),
        )
        .positive()
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
    .positive()
    .print();
    let bin = env!("CARGO_BIN_EXE_terraform-provider-astro");
    let size = std::fs::metadata(bin).map(|m| m.len()).unwrap_or(0);
    // The goal is about the release build (strip, thin LTO); the quick round measures its
    // dev-profile binary, so it reports that size without judging it.
    let (label, goal) = if quick() {
        (
            "binary size (quick: dev profile, unstripped; goal is for release)",
            None,
        )
    } else {
        ("release binary size (profile strip = true)", Some(20.0))
    };
    Figure::new(label, size as f64 / 1_048_576.0, "MB", goal)
        .positive()
        .print();
}

fn main() {
    // Started by Terraform as the empty provider of figure 2.
    if std::env::var_os("TF_PLUGIN_MAGIC_COOKIE").is_some() {
        serve_empty_provider();
        return;
    }
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"e2e".contains(f.as_str())) {
        return;
    }
    common::terraform_bin();
    {
        let sb = TestSandbox::start();
        validate_and_plan(&sb);
    }
    refresh();
    support::waits::lro_and_approval();
    if MISSING.load(Ordering::Relaxed) {
        eprintln!("some figures could not be measured (printed as missing)");
        std::process::exit(1);
    }
}
