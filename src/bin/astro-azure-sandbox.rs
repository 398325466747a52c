//! `astro-azure-sandbox`: runs the local Azure Resource Manager imitation (see
//! `astro_provider::sandbox`). Parses flags, starts the library's server, prints the env
//! lines and waits for SIGINT/SIGTERM to stop gracefully.

use std::path::PathBuf;
use std::process::ExitCode;

use astro_provider::sandbox::{Faults, Sandbox, SandboxConfig, env_file_text};

const HELP: &str = "\
astro-azure-sandbox: a local HTTPS imitation of Azure Resource Manager (private endpoints,
private DNS, Astronomer's Private Link Service) for tests and demos.

USAGE:
    astro-azure-sandbox serve [--port N] [--seed FILE] [--state-dir DIR]
    astro-azure-sandbox az account get-access-token --scope S [--tenant T]
    astro-azure-sandbox --help

az is a stand-in for the Azure CLI logged in as a service principal (see
astro_provider::sandbox::az_cli), for tests of the provider's Azure CLI credential.

serve writes DIR/ca.pem and DIR/env (export lines; `source DIR/env`), prints the same lines,
then `sandbox ready at https://127.0.0.1:PORT`. SIGINT/SIGTERM stop it gracefully.

OPTIONS:
    --port N          port on 127.0.0.1 (default 0 = any free port)
    --seed FILE       seed JSON (default: the embedded seed)
    --state-dir DIR   where ca.pem and env are written (default ./.sandbox)

Test controls live under https://127.0.0.1:PORT/_sandbox/ (health, reset, faults, requests,
requests/summary, resources, approve, oob, verify); see SANDBOX.md.
";

fn parse_args(args: &[String]) -> Result<Option<SandboxConfig>, String> {
    let mut config = SandboxConfig {
        state_dir: Some(PathBuf::from(".sandbox")),
        faults: Faults::default(),
        ..SandboxConfig::default()
    };
    match args.first().map(String::as_str) {
        None | Some("--help") | Some("-h") | Some("help") => return Ok(None),
        Some("serve") => {}
        Some(other) => return Err(format!("unknown command {other:?}; try --help")),
    }
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value; try --help"))?;
        match flag.as_str() {
            "--port" => {
                config.port = value
                    .parse()
                    .map_err(|_| format!("--port {value:?} is not a port number"))?;
            }
            "--seed" => config.seed = Some(PathBuf::from(value)),
            "--state-dir" => config.state_dir = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag:?}; try --help")),
        }
    }
    Ok(Some(config))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("az") {
        // No runtime of our own here: the stand-in builds the one it needs.
        return astro_provider::sandbox::az_cli::run(&args[1..]);
    }
    serve_main()
}

#[tokio::main]
async fn serve_main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("astro-azure-sandbox: {message}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("astro-azure-sandbox: {err}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", env_file_text(&sandbox.env_vars()));
    println!("sandbox ready at {}", sandbox.endpoint());
    shutdown_signal().await;
    eprintln!("astro-azure-sandbox: stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_parse() {
        let config = parse_args(&args(&["serve", "--port", "8443", "--state-dir", "/tmp/x"]))
            .expect("ok")
            .expect("serve");
        assert_eq!(config.port, 8443);
        assert_eq!(config.state_dir, Some(PathBuf::from("/tmp/x")));
        assert!(parse_args(&args(&["--help"])).expect("help").is_none());
        assert!(parse_args(&args(&["serve", "--port"])).is_err());
        assert!(parse_args(&args(&["serve", "--bogus", "1"])).is_err());
        assert!(parse_args(&args(&["frobnicate"])).is_err());
    }
}
