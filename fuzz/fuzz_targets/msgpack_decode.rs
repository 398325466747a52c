//! framework::msgpack::decode on arbitrary bytes against schema-like types: must return a
//! value or an error, never panic; a decoded value must encode again and decode to itself.
#![no_main]

use astro_provider::framework::msgpack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = astro_provider_fuzz::pick(data) else {
        return;
    };
    if let Ok(v) = msgpack::decode(bytes, &ty)
        && let Ok(again) = msgpack::encode(&v, &ty)
    {
        let back = msgpack::decode(&again, &ty).expect("re-encoded value decodes");
        assert_eq!(back, v, "msgpack round trip");
    }
});
