//! Killing a run the way a CI runner dies (SIGKILL of terraform and its provider, as a
//! cancelled pipeline or an out-of-memory kill ends them), and then doing what its user does
//! next: apply again, run each `terraform import` the errors print (with the address
//! Terraform names filled in), until the apply completes.

use std::process::Child;

use super::sandbox::TestSandbox;
use super::{Workspace, both, flat};
use serde_json::{Value as Json, json};

/// Name and parent pid of process `pid`, from `/proc/<pid>/status`.
fn name_and_parent(pid: u32) -> Option<(String, u32)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    Some((field("Name:")?, field("PPid:")?.parse().ok()?))
}

/// The `terraform-provider-astro` child of terraform process `parent`, if one runs.
pub fn provider_child(parent: u32) -> Option<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{parent}/task")).ok()?;
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok())
                .collect::<Vec<_>>()
        })
        .find(|&pid| {
            // The kernel keeps 15 bytes of the name: "terraform-provi".
            name_and_parent(pid).is_some_and(|(name, ppid)| {
                ppid == parent && name.len() >= 15 && "terraform-provider-astro".starts_with(&name)
            })
        })
}

/// `kill -KILL pid`.
pub fn sigkill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -KILL {pid} failed");
}

/// A fault rule that applies the next `count` `method` requests on `resource_type` and holds
/// their answers, so the client can be killed while its write is unanswered.
pub fn hold(method: &str, resource_type: &str, count: u32) -> Json {
    json!({"method": method, "resource_type": resource_type, "count": count, "hold_secs": 600})
}

/// Whether every fault rule of `sb` has fired as often as it was set to (its count is 0).
pub fn rules_fired(sb: &TestSandbox) -> bool {
    let faults = sb.manage(reqwest::Method::GET, "faults", None);
    faults["rules"]
        .as_array()
        .is_some_and(|rules| rules.iter().all(|r| r["count"] == 0))
}

/// SIGKILLs the terraform run `child` and its provider (terraform first, as a runner's death
/// takes both), and returns terraform's output.
pub fn kill_both(child: Child) -> String {
    let terraform = child.id();
    let provider = provider_child(terraform).expect("terraform runs the provider as its child");
    sigkill(terraform);
    sigkill(provider);
    let out = child.wait_with_output().expect("terraform apply");
    assert!(!out.status.success(), "a killed apply cannot succeed");
    both(&out)
}

/// The `terraform import <type>.<name> <id>` an error prints, with `<name>` replaced by the
/// label of the resource Terraform names in the diagnostic (`with <address>,`): the address
/// and the ID to run it with.
pub fn printed_import(text: &str) -> Option<(String, String)> {
    let flat = flat(text);
    let rest = flat.split("terraform import ").nth(1)?;
    let mut words = rest.split(' ');
    let target = words.next()?;
    let id = words.next()?.to_string();
    let (ty, _) = target.split_once(".<name>")?;
    let address = flat
        .split("with ")
        .skip(1)
        .filter_map(|w| w.split(',').next())
        .find(|a| a.starts_with(&format!("{ty}.")))?
        .to_string();
    Some((address, id))
}

/// What a user does after a killed apply: applies again; each time the apply stops with an
/// import command, runs it as printed (with the resource address filled in); until the apply
/// completes. Fails on any other error. Returns the imports run, in order.
pub fn carry_on(ws: &Workspace) -> Vec<(String, String)> {
    let mut imports = Vec::new();
    // Each resource can ask for one import: a few more rounds than resources are a bug.
    for _ in 0..4 {
        let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let text = both(&out);
        if out.status.success() {
            return imports;
        }
        let (address, id) = printed_import(&text)
            .unwrap_or_else(|| panic!("the apply failed without a command to run:\n{text}"));
        assert!(
            !imports.contains(&(address.clone(), id.clone())),
            "the same import is asked for twice ({address} {id}):\n{text}"
        );
        ws.ok(&["import", "-no-color", "-input=false", &address, &id]);
        imports.push((address, id));
    }
    panic!("the apply never completed after the imports {imports:?}");
}

/// Every string held anywhere in `value`.
fn strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(s) => out.push(s.clone()),
        Json::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Json::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Fails unless every object clients created in `sb` is accounted for by `state` (its ID is
/// an attribute value there), besides what Azure makes along: a zone's SOA record and the
/// endpoint's connection on Astronomer's service.
pub fn assert_nothing_stranded(sb: &TestSandbox, state: &Json) {
    let mut held = Vec::new();
    strings(state, &mut held);
    let stranded: Vec<String> = sb
        .resources()
        .into_iter()
        .filter(|r| {
            !(held.iter().any(|h| h.eq_ignore_ascii_case(r))
                || r.ends_with("/SOA/@")
                || r.contains("/privateEndpointConnections/"))
        })
        .collect();
    assert!(
        stranded.is_empty(),
        "objects in Azure that state does not hold: {stranded:#?}"
    );
}
