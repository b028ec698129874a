//! anchore-gate's core: everything but the I/O.
//!
//! The caller (the JS shim in `js/`, or a native test) reads files, sends HTTP requests and
//! keeps the clock; this crate parses the image list, runs one polling state machine per image
//! ([`gate::Gate`]), reads the engine's policy evaluations and vulnerability listings, decides
//! pass/fail and renders the report. It never performs I/O and never reads a clock.
//!
//! Layers, each using only those below it (no cycles):
//! `clock`, `error`, `json` → `image_list`, `engine`, `policy`, `vuln` → `allowlist` → `model`
//! → `decision` → `render` and `import` → `gate` → `output` → `wasm`.

#[cfg(test)]
#[macro_use]
mod testutil;

pub mod clock;
pub mod error;
mod json;

pub mod engine;
pub mod image_list;
pub mod policy;
pub mod vuln;

pub mod allowlist;
pub mod model;
pub mod decision;

pub mod import;
pub mod render;

pub mod gate;
pub mod output;
pub mod wasm;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
#[cfg(test)]
pub(crate) mod testdata;
