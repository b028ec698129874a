//! anchore-gate's core: everything but the I/O.
//!
//! The caller (the JS shim in `js/`, or a native test) reads files, sends HTTP requests and
//! keeps the clock; this crate parses the image list, runs one polling state machine per image
//! ([`gate::Gate`]), reads the engine's policy evaluations and vulnerability listings, decides
//! pass/fail and builds the report. It never performs I/O and never reads a clock.

#[cfg(test)]
#[macro_use]
mod testutil;

pub mod decision;
pub mod engine;
pub mod error;
pub mod gate;
pub mod image_list;
mod json;
pub mod log_line;
pub mod policy;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
pub mod report;
pub mod vuln;
pub mod wasm;
