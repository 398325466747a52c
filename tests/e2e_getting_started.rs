//! The guide "Getting started, step by step" (`docs/guides/getting-started.md`) run as
//! written against the sandbox: its configuration blocks become the files their first line
//! names, in page order, and each `terraform` command of its shell blocks runs when the page
//! reaches it (an apply with `-auto-approve`, as a pipeline would); the apply that waits for
//! approval is approved as Astronomer support would approve it, once it logs that it waits.
//! Only the values of `terraform.tfvars` change: the sandbox's subnet, VNet and alias stand in
//! for the page's placeholders. Commands the page runs from inside the agents' network
//! (`nslookup`, `curl`) are answered by the sandbox's verify imitation instead.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, wait};
use reqwest::Method;

const GUIDE: &str = "docs/guides/getting-started.md";
/// Commands the guide runs from inside the agents' network, not where Terraform runs.
const IN_NETWORK: [&str; 3] = ["nslookup", "dig", "curl"];

/// One fenced block of the page: its language and text.
fn blocks(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```").filter(|l| !l.is_empty()) {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((lang.to_string(), body.join("\n") + "\n"));
        }
    }
    out
}

/// The page's `terraform.tfvars` with the sandbox's IDs and alias for its placeholders.
fn sandbox_tfvars(page_text: &str, sb: &TestSandbox) -> String {
    let ours = BTreeMap::from([
        ("subnet_id", sb.var("ASTRO_SANDBOX_SUBNET_ID")),
        ("vnet_id", sb.var("ASTRO_SANDBOX_VNET_ID")),
        (
            "private_link_service_alias",
            sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        ),
    ]);
    let mut replaced = 0;
    let text: Vec<String> = page_text
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or_default().trim();
            match ours.get(key) {
                Some(v) => {
                    replaced += 1;
                    format!("{key} = \"{v}\"")
                }
                None => line.to_string(),
            }
        })
        .collect();
    assert_eq!(
        replaced,
        ours.len(),
        "the page's tfvars set {:?}",
        ours.keys()
    );
    text.join("\n") + "\n"
}

/// Runs one `terraform` command line of the page; an apply that waits for approval is
/// approved once it logs that it waits.
fn run_terraform(ws: &mut Workspace, sb: &TestSandbox, line: &str, pe_id: &str) -> String {
    let mut env = Vec::new();
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next_if(|w| w.contains('=') && !w.starts_with('-')) {
        let (k, v) = w.split_once('=').expect("NAME=value");
        env.push((k.to_string(), v.to_string()));
    }
    assert_eq!(words.next(), Some("terraform"), "{line}");
    let mut args: Vec<&str> = words.collect();
    args.push("-no-color");
    if args[0] == "apply" || args[0] == "init" {
        args.push("-input=false");
    }
    let saved = ws.env.clone();
    for (k, v) in &env {
        ws.set_env(k, v);
    }
    let text = if args[0] == "apply" {
        args.push("-auto-approve");
        let log = ws.log_provider_to("apply.log");
        let _ = std::fs::remove_file(&log);
        let mut child = ws.spawn(&args);
        let waits = ws.dir().join("approval.tf").exists() && !approved(sb, pe_id);
        if waits {
            wait::for_log(&log, wait::WAITING, 1, &mut child);
            sb.approve(pe_id, "Approved", "Approved by Astronomer support");
        }
        let out = child.wait_with_output().expect("terraform apply");
        let text = both(&out);
        assert!(out.status.success(), "`{line}` failed:\n{text}");
        text
    } else {
        ws.ok(&args)
    };
    ws.env = saved;
    text
}

fn approved(sb: &TestSandbox, pe_id: &str) -> bool {
    let (code, pe) = sb.arm(
        Method::GET,
        &format!("{pe_id}?api-version=2025-01-01"),
        None,
    );
    code == 200
        && pe["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
            ["status"]
            == "Approved"
}

#[test]
fn the_getting_started_guide_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join(GUIDE)).expect(GUIDE);
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let pe_id = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    let (mut files, mut commands, mut outputs) = (0, 0, Vec::new());
    for (lang, text) in blocks(&page) {
        match lang.as_str() {
            "terraform" | "hcl" => {
                let first = text.lines().next().unwrap_or_default();
                let name = first
                    .strip_prefix("# ")
                    .filter(|n| n.ends_with(".tf") || n.ends_with(".tfvars"))
                    .unwrap_or_else(|| {
                        panic!(
                            "a configuration block of the guide starts with `# <file>`: {first:?}"
                        )
                    });
                let body = if name == "terraform.tfvars" {
                    sandbox_tfvars(&text, &sb)
                } else {
                    text.clone()
                };
                assert!(
                    !ws.dir().join(name).exists(),
                    "{name} is written once in the guide"
                );
                std::fs::write(ws.dir().join(name), body).expect("write file");
                files += 1;
            }
            "shell" => {
                for line in text.lines() {
                    let line = line.split(" #").next().unwrap_or_default().trim();
                    let Some(word) = line.split_whitespace().find(|w| !w.contains('=')) else {
                        continue;
                    };
                    if word == "terraform" {
                        outputs.push((line.to_string(), run_terraform(&mut ws, &sb, line, &pe_id)));
                        commands += 1;
                    } else {
                        assert!(
                            IN_NETWORK.contains(&word),
                            "the guide runs {word:?}, which neither Terraform nor the agents' network provides: {line}"
                        );
                    }
                }
            }
            other => panic!("unexpected block language {other:?} in the guide"),
        }
    }
    assert!(
        files >= 5 && commands >= 8,
        "{files} files, {commands} commands"
    );
    let said = |cmd: &str| -> String {
        outputs
            .iter()
            .filter(|(l, _)| l == cmd)
            .map(|(_, o)| flat(o))
            .next_back()
            .unwrap_or_else(|| panic!("the guide runs `{cmd}`"))
    };
    assert_eq!(said("terraform output endpoint_id"), format!("\"{pe_id}\""));
    assert_eq!(said("terraform output approval_status"), "\"Approved\"");
    // The endpoint's `connection_closed` says false before the approval and after it: an
    // approval changes nothing on the endpoint (so the plans stay quiet).
    let closed: Vec<String> = outputs
        .iter()
        .filter(|(l, _)| l == "terraform output connection_closed")
        .map(|(_, o)| flat(o))
        .collect();
    assert_eq!(closed, ["false", "false"]);
    assert_eq!(said("terraform output private_link_ok"), "true");
    // What nslookup and curl show from inside the VNet, through the sandbox's imitation.
    let verify = sb.manage(
        Method::GET,
        &format!(
            "verify?vnet_id={}&host=clxxxxxxxxx.external.astronomer.run",
            sb.var("ASTRO_SANDBOX_VNET_ID")
        ),
        None,
    );
    assert_eq!(verify["http"], "404 page not found", "{verify}");
    assert_eq!(verify["connection_status"], "Approved", "{verify}");
    ws.assert_clean_plan("after the guide");
}
