//! Test helpers shared by the unit tests. Fixtures are compiled in with `include_str!`, so the
//! same tests run natively, as WASM in Node and as WASM in Chromium.

/// A real recorded engine response from `../shared/fixtures/engine/`.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/engine/", $name))
    };
}
