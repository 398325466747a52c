//! Peak resident memory of the provider processes a terraform command starts: samples
//! `/proc/<pid>/status` `VmHWM` of every `terraform-provider-astro` child of that terraform
//! (never another engineer's) while it runs.

use std::time::{Duration, Instant};

use crate::common::{Workspace, both};

/// Parent pid and `VmHWM` (kB) of `pid` when it is a provider process.
fn provider_hwm(pid: u32) -> Option<(u32, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let mut name = "";
    let mut ppid = None;
    let mut hwm = None;
    for line in status.lines() {
        if let Some(v) = line.strip_prefix("Name:") {
            name = v.trim();
        } else if let Some(v) = line.strip_prefix("PPid:") {
            ppid = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("VmHWM:") {
            hwm = v.trim().trim_end_matches("kB").trim().parse().ok();
        }
    }
    // The kernel truncates names to 15 bytes: "terraform-provi".
    if !"terraform-provider-astro".starts_with(name) || name.len() < 15 {
        return None;
    }
    Some((ppid?, hwm?))
}

/// Pids of the children of `parent` (from `/proc/<pid>/task/*/children`, cheap to read).
fn children(parent: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{parent}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Largest `VmHWM` (kB) among the provider children of `parent` right now.
fn sample(parent: u32) -> u64 {
    children(parent)
        .into_iter()
        .filter_map(provider_hwm)
        .filter(|(ppid, _)| *ppid == parent)
        .map(|(_, hwm)| hwm)
        .max()
        .unwrap_or(0)
}

/// Runs terraform with `args` (must exit 0 or 2 for -detailed-exitcode plans with changes),
/// sampling the provider's peak RSS every 2 ms. Returns (wall seconds, peak kB).
pub fn run_sampled(ws: &Workspace, args: &[&str]) -> (f64, u64) {
    let start = Instant::now();
    let child = ws.spawn(args);
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output());
    let mut peak = 0;
    while !waiter.is_finished() {
        peak = peak.max(sample(pid));
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = waiter.join().expect("waiter").expect("terraform runs");
    let wall = start.elapsed().as_secs_f64();
    assert!(
        out.status.code() == Some(0),
        "terraform {} must succeed with no changes:\n{}",
        args.join(" "),
        both(&out)
    );
    (wall, peak)
}
