//! terraform-provider-astro: the provider executable Terraform starts. Parses flags, sets up
//! logging and hands over to the plugin runtime.

use std::process::ExitCode;

use astro_provider::plugin::{self, PluginError, ServeOptions};

/// The service Terraform talks to.
fn provider() -> astro_provider::tfplugin5::ProviderService {
    astro_provider::tfplugin5::ProviderService::new(astro_provider::provider::AstroProvider::new())
}

const USAGE: &str = "\
Usage: terraform-provider-astro [--version | --debug | --help]

Terraform starts this provider by itself; it is not meant to be run by hand.

  --version  print the version and exit
  --debug    serve without Terraform's handshake and print a TF_REATTACH_PROVIDERS value
             to attach Terraform to this process (stop with Ctrl-C)
  --help     print this help

Logs: JSON lines on stderr; level from TF_LOG_PROVIDER or TF_LOG (default: errors only).";

fn main() -> ExitCode {
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--version" | "-version" | "version" => {
                println!(
                    "terraform-provider-astro {} (tfplugin5)",
                    env!("CARGO_PKG_VERSION")
                );
                return ExitCode::SUCCESS;
            }
            "--help" | "-help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--debug" | "-debug" => debug = true,
            other => {
                eprintln!("unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    // Checked before anything else so a person running the binary gets the answer at once.
    if !debug && let Err(e) = plugin::check_magic_cookie_env() {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    astro_provider::logging::init();
    match run(ServeOptions { debug }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped");
            eprintln!("terraform-provider-astro: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the plugin server on a multi-threaded tokio runtime until it is shut down.
fn run(opts: ServeOptions) -> Result<(), PluginError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(PluginError::Runtime)?;
    let result = runtime.block_on(plugin::serve(provider(), opts));
    // Do not wait for leftover tasks (half-open connections): Terraform waits only 2 s.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    result
}
