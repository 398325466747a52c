//! The go-plugin handshake: the magic-cookie check, protocol-version negotiation, the one
//! stdout line that tells Terraform where to connect, and the `TF_REATTACH_PROVIDERS` value
//! printed in debug mode.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::PluginError;

/// Environment variable Terraform sets to prove it launched the plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";

/// The value Terraform puts in [`MAGIC_COOKIE_KEY`] (same for protocols 5 and 6; never changes).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Environment variable listing the plugin protocol major versions the host speaks (`5,6`).
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";

/// The only plugin protocol major version this provider speaks (tfplugin5).
pub const PROTOCOL_VERSION: u32 = 5;

/// go-plugin's core protocol version: the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// What a person who runs the binary by hand is told (go-plugin servers print the same idea).
pub const NOT_A_PLUGIN_MESSAGE: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Run terraform, which starts this provider by itself when a configuration uses it.\n\
To debug the provider, run it with --debug and follow the instructions it prints.";

/// Checks that the magic cookie in `value` (the content of [`MAGIC_COOKIE_KEY`]) is Terraform's.
///
/// # Errors
/// [`PluginError::NotLaunchedByTerraform`] when it is missing or different; its message is
/// [`NOT_A_PLUGIN_MESSAGE`].
pub fn check_magic_cookie(value: Option<&str>) -> Result<(), PluginError> {
    match value {
        Some(MAGIC_COOKIE_VALUE) => Ok(()),
        _ => Err(PluginError::NotLaunchedByTerraform),
    }
}

/// Checks the magic cookie in this process's environment (see [`check_magic_cookie`]).
///
/// # Errors
/// [`PluginError::NotLaunchedByTerraform`] when the cookie is missing or wrong.
pub fn check_magic_cookie_env() -> Result<(), PluginError> {
    let value = std::env::var(MAGIC_COOKIE_KEY).ok();
    check_magic_cookie(value.as_deref())
}

/// Picks the protocol version from the host's [`PROTOCOL_VERSIONS_KEY`] list.
///
/// Unset or empty means "the plugin's default", as in go-plugin. Entries that are not numbers
/// are ignored, as go-plugin does.
///
/// # Errors
/// [`PluginError::UnsupportedProtocol`] when the host lists versions but not 5.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, PluginError> {
    let Some(list) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = list
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(PluginError::UnsupportedProtocol {
            offered: list.to_owned(),
        })
    }
}

/// Formats the handshake line (without the newline):
/// `1|5|tcp|127.0.0.1:PORT|grpc|<server cert DER, base64 standard alphabet, no padding>`.
///
/// With no certificate (plaintext) the last field is empty, as Go servers print it.
pub fn handshake_line(addr: std::net::SocketAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert}")
}

/// Builds the `TF_REATTACH_PROVIDERS` JSON for a debug server listening on `addr`.
///
/// `Test: true` tells Terraform not to stop the process after each command.
pub fn reattach_json(provider_address: &str, pid: u32, addr: std::net::SocketAddr) -> String {
    let value = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "tcp", "String": addr.to_string() },
        }
    });
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert!(check_magic_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        for bad in [None, Some(""), Some("d602bf8f")] {
            assert!(matches!(
                check_magic_cookie(bad),
                Err(PluginError::NotLaunchedByTerraform)
            ));
        }
    }

    #[test]
    fn negotiation_cases() {
        let cases: &[(&str, Option<&str>, Option<u32>)] = &[
            ("unset", None, Some(5)),
            ("empty", Some(" "), Some(5)),
            ("terraform", Some("5,6"), Some(5)),
            ("reversed", Some("6,5"), Some(5)),
            ("spaces", Some(" 6 , 5 "), Some(5)),
            ("only-5", Some("5"), Some(5)),
            ("only-6", Some("6"), None),
            ("garbage-and-6", Some("x,6"), None),
            ("garbage-and-5", Some("x,5"), Some(5)),
        ];
        for (name, offered, want) in cases {
            let got = negotiate_protocol(*offered).ok();
            assert_eq!(got, *want, "case {name}");
        }
    }

    #[test]
    fn unsupported_protocol_error_names_the_offer() {
        let err = negotiate_protocol(Some("6,7")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("6,7"), "{text}");
        assert!(text.contains('5'), "{text}");
    }

    #[test]
    fn handshake_line_uses_unpadded_base64() {
        let addr: std::net::SocketAddr = "127.0.0.1:4242".parse().unwrap();
        // 4 bytes encode to 6 characters, which standard base64 would pad with "==".
        let line = handshake_line(addr, Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|5|tcp|127.0.0.1:4242|grpc|AQIDBA");
        assert_eq!(handshake_line(addr, None), "1|5|tcp|127.0.0.1:4242|grpc|");
    }

    #[test]
    fn reattach_json_shape() {
        let addr: std::net::SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let json = reattach_json("registry.terraform.io/a/b", 42, addr);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let entry = &v["registry.terraform.io/a/b"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 5);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "tcp");
        assert_eq!(entry["Addr"]["String"], "127.0.0.1:5000");
    }
}
