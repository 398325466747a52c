//! ARM response parsing on arbitrary bodies: the error envelope and every model the client
//! deserializes must give a value or an error, never panic.
#![no_main]

use astro_provider::azure::error::ArmErrorBody;
use astro_provider::azure::models::{
    NetworkInterface, Page, PrivateDnsZone, PrivateEndpoint, RecordSet, VirtualNetworkLink,
    private_ip,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(detail) = ArmErrorBody::parse(data) {
        let _ = format!("{detail:?}");
    }
    let _ = serde_json::from_slice::<PrivateEndpoint>(data);
    if let Ok(nic) = serde_json::from_slice::<NetworkInterface>(data) {
        let _ = private_ip(&nic);
    }
    let _ = serde_json::from_slice::<PrivateDnsZone>(data);
    let _ = serde_json::from_slice::<VirtualNetworkLink>(data);
    let _ = serde_json::from_slice::<RecordSet>(data);
    let _ = serde_json::from_slice::<Page<VirtualNetworkLink>>(data);
    if let Ok(pe) = serde_json::from_slice::<PrivateEndpoint>(data) {
        let _ = serde_json::to_vec(&pe);
    }
});
