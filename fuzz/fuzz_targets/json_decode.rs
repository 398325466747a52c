//! framework::json::decode and decode_state on arbitrary bytes against schema-like types:
//! never panic; a value decoded strictly also decodes as state.
#![no_main]

use astro_provider::framework::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = astro_provider_fuzz::pick(data) else {
        return;
    };
    let strict = json::decode(bytes, &ty);
    let state = json::decode_state(bytes, &ty);
    if strict.is_ok() {
        assert!(
            state.is_ok(),
            "strict decode succeeded but decode_state failed"
        );
    }
});
