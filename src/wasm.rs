//! The boundary to JavaScript, and nothing else. JSON-shaped values cross as plain objects
//! (out as JSON text and `JSON.parse`, in through serde-wasm-bindgen), response bodies as bytes
//! or strings, the report files as strings; errors cross as `Error` objects with a
//! `kind` field; a panic leaves its message behind for [`last_panic`] instead of a bare trap.

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::decision::{self, GateOptions};
use crate::error::{ErrorKind, GateError};
use crate::gate::{FailureKind, Gate, Input};
use crate::image_list;
use crate::report::Report;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(message));
    }));
}

/// The message of the last panic, for the shim to show when a call traps.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// Panics on purpose: the tests use it to see that a panic inside the core reaches the user as
/// its message (never a bare "unreachable"), with exit 2 and a report (tests/secrets.test.js).
#[doc(hidden)]
#[wasm_bindgen(js_name = __panicForTests)]
pub fn panic_for_tests(message: &str) {
    panic!("{message}");
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// One line for a CI log with untrusted text in it, made inert: see [`crate::log_line`]. The
/// CLI and the action print every line through it.
#[wasm_bindgen(js_name = logLine)]
pub fn log_line(text: &str) -> String {
    crate::log_line::log_line(text)
}

fn js_error(kind: ErrorKind, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &kind.as_str().into());
    error.into()
}

impl From<GateError> for JsValue {
    fn from(e: GateError) -> JsValue {
        js_error(e.kind, &e.message)
    }
}

/// Values go out as JSON text and `JSON.parse`: as fast as serde-wasm-bindgen's object building
/// for a 200,000-row report (BENCHMARKS.md), and every type's Serialize is instantiated once
/// (for serde_json, which the report files need anyway) instead of twice: 16 KB less gzipped .wasm.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| js_error(ErrorKind::Internal, &e.to_string()))?;
    js_sys::JSON::parse(&text)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        let message = e.to_string();
        js_error(ErrorKind::Config, &format!("{what}: {}", message.strip_prefix("Error: ").unwrap_or(&message)))
    })
}

/// `[{source, image, dockerfile, problem}]` for an image list's text.
#[wasm_bindgen(js_name = parseImageList)]
pub fn parse_image_list(text: &str, file: &str) -> Result<JsValue, JsValue> {
    to_js(&image_list::parse(text, file))
}

/// `{source, image, dockerfile, problem}` for an `--image REF[=DOCKERFILE]` value.
#[wasm_bindgen(js_name = parseImageArg)]
pub fn parse_image_arg(value: &str) -> Result<JsValue, JsValue> {
    to_js(&image_list::parse_image_arg(value))
}

/// The files a user opened in the viewer, `[{name, content}]` with `content` a string or, faster
/// for big files, a `Uint8Array` of UTF-8 (wasm-bindgen copies a string into memory one character
/// at a time: 0.8 s for 64 MB), read into one report (see `report::import`). Returns the JSON
/// text of `{report, sources: [{name, format, used, note}]}`: 100,000 rows cross several times
/// faster as one string and `JSON.parse` than as objects built field by field. `now` is
/// `Date.now()`. A file that cannot be read throws an `Error` with kind `bad_response` and `file`
/// (its name, or null for the whole set).
#[wasm_bindgen(js_name = importReport)]
pub fn import_report(files: JsValue, now: f64) -> Result<String, JsValue> {
    let inputs = input_files(files, "importReport")?;
    crate::report::import::import_json(&inputs, now as u64).map_err(|e| import_error(&e))
}

/// `anchore-gate evaluate`: the gate with no engine. `files` as for [`import_report`], decided
/// under `options` (as for [`decide`]) as of `now`; returns the report directory's files
/// `[{name, content}]` (`anchore-gate.json`, SARIF, JUnit).
#[wasm_bindgen]
pub fn evaluate(files: JsValue, options: JsValue, now: f64) -> Result<JsValue, JsValue> {
    let inputs = input_files(files, "evaluate")?;
    let options: GateOptions = from_js(options, "gate options")?;
    let (_, files) = crate::report::evaluate(&inputs, &options, now as u64).map_err(|e| import_error(&e))?;
    to_js(&files)
}

fn import_error(e: &crate::report::import::ImportError) -> JsValue {
    let error = js_error(ErrorKind::BadResponse, &e.to_string());
    let _ = js_sys::Reflect::set(&error, &"file".into(), &e.file.as_deref().map_or(JsValue::NULL, JsValue::from));
    error
}

/// `[{name, content}]` with `content` a string or a `Uint8Array` of UTF-8.
fn input_files(files: JsValue, what: &str) -> Result<Vec<crate::report::import::InputFile>, JsValue> {
    if !js_sys::Array::is_array(&files) {
        return Err(js_error(ErrorKind::Config, &format!("{what}: expected an array of {{name, content}}")));
    }
    let mut inputs = Vec::new();
    for (i, file) in js_sys::Array::from(&files).iter().enumerate() {
        let field = |key: &str| js_sys::Reflect::get(&file, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let name = field("name").as_string().unwrap_or_else(|| format!("file {}", i + 1));
        let content = field("content");
        let content = if let Some(text) = content.as_string() {
            text
        } else if content.is_instance_of::<js_sys::Uint8Array>() {
            let bytes = js_sys::Uint8Array::from(content).to_vec();
            let mut text = String::from_utf8(bytes).map_err(|e| {
                let error = js_error(ErrorKind::BadResponse, &format!("{name}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to()));
                let _ = js_sys::Reflect::set(&error, &"file".into(), &JsValue::from(name.as_str()));
                error
            })?;
            if text.starts_with('\u{feff}') {
                text.drain(..3); // a byte-order mark
            }
            text
        } else {
            return Err(js_error(ErrorKind::Config, &format!("{what}: the content of {name:?} is neither a string nor a Uint8Array")));
        };
        inputs.push(crate::report::import::InputFile { name, content });
    }
    Ok(inputs)
}

/// The entries of an allowlist already turned into JSON text (the caller reads YAML or JSON).
#[wasm_bindgen(js_name = parseAllowlist)]
pub fn parse_allowlist(json: &str, source: &str) -> Result<JsValue, JsValue> {
    to_js(&decision::parse_allowlist(json, source)?)
}

/// Decides a report (the text of an `anchore-gate.json`) again under other gate options
/// (`{fail_on_stop, fail_on_error, fail_on_warn, fail_on_severity, only_fixed, allowlist,
/// allowlist_source}`) as of `now` (`Date.now()`). The report crosses as JSON text: reading it
/// with serde_json keeps a second deserializer for the whole model out of the .wasm.
#[wasm_bindgen]
pub fn decide(report_json: &str, options: JsValue, now: f64) -> Result<JsValue, JsValue> {
    let mut report: Report = serde_json::from_str(report_json)
        .map_err(|e| js_error(ErrorKind::BadResponse, &format!("not an anchore-gate report: {e}")))?;
    let options: GateOptions = from_js(options, "gate options")?;
    decision::decide(&mut report, &options, now as u64);
    to_js(&report)
}

/// A report's text (`anchore-gate.json`), for the renderers below.
fn read_report(report_json: &str) -> Result<Report, JsValue> {
    serde_json::from_str(report_json)
        .map_err(|e| js_error(ErrorKind::BadResponse, &format!("not an anchore-gate report: {e}")))
}

/// SARIF 2.1.0 (pretty JSON text) for a report given as the text of an `anchore-gate.json`.
#[wasm_bindgen(js_name = renderSarif)]
pub fn render_sarif(report_json: &str) -> Result<String, JsValue> {
    Ok(crate::report::sarif::render(&read_report(report_json)?))
}

/// JUnit XML for a report given as the text of an `anchore-gate.json`.
#[wasm_bindgen(js_name = renderJunit)]
pub fn render_junit(report_json: &str) -> Result<String, JsValue> {
    Ok(crate::report::junit::render(&read_report(report_json)?))
}

/// The step-summary Markdown; `options` (optional): `{report_dir, run_url, max_bytes, max_stop_findings}`.
#[wasm_bindgen(js_name = renderSummary)]
pub fn render_summary(report_json: &str, options: JsValue) -> Result<String, JsValue> {
    let options: crate::report::summary::SummaryOptions =
        if options.is_undefined() || options.is_null() { Default::default() } else { from_js(options, "summary options")? };
    Ok(crate::report::summary::markdown(&read_report(report_json)?, &options))
}

/// `[{level, title, message, file, line, command}]`: the CI annotations, at most `maxPerLevel`
/// (default 10, the runner's limit) of each level; `command` is the escaped workflow command.
#[wasm_bindgen(js_name = annotations)]
pub fn annotations(report_json: &str, max_per_level: Option<u32>) -> Result<JsValue, JsValue> {
    let max = max_per_level.map_or(crate::report::summary::MAX_ANNOTATIONS_PER_LEVEL, |n| n as usize);
    to_js(&crate::report::summary::annotations(&read_report(report_json)?, max))
}

/// The gate's state machine; see `gate` for the contract. Times are `Date.now()` values.
#[wasm_bindgen(js_name = Gate)]
pub struct WasmGate(Gate);

#[wasm_bindgen(js_class = Gate)]
impl WasmGate {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, now: f64) -> Result<WasmGate, JsValue> {
        Ok(WasmGate(Gate::new(from_js(config, "gate configuration")?, now as u64)))
    }

    /// `{type: "transmit", id, image, method, url, body}` | `{type: "event", kind, level, image, message}`
    /// | `{type: "timeout", at}` | `{type: "done"}`.
    #[wasm_bindgen(js_name = pollOutput)]
    pub fn poll_output(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.0.poll_output())
    }

    #[wasm_bindgen(js_name = handleResponse)]
    pub fn handle_response(&mut self, now: f64, id: f64, status: u16, body: String, retry_after: Option<String>) {
        self.0.handle_input(now as u64, Input::Response { id: id as u64, status, body, retry_after });
    }

    /// `handleResponse` with the body as the UTF-8 bytes the HTTP client read: one copy into
    /// WASM memory instead of decoding to a JS string and encoding it again (about 40 % less
    /// time for 80 MB of policy evaluation and vulnerabilities). Invalid UTF-8 is replaced, as a
    /// decoder would.
    #[wasm_bindgen(js_name = handleResponseBytes)]
    pub fn handle_response_bytes(&mut self, now: f64, id: f64, status: u16, body: Vec<u8>, retry_after: Option<String>) {
        let body = String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        self.0.handle_input(now as u64, Input::Response { id: id as u64, status, body, retry_after });
    }

    /// `kind`: `network`, `timeout`, `tls` or `too_large`.
    #[wasm_bindgen(js_name = handleFailure)]
    pub fn handle_failure(&mut self, now: f64, id: f64, kind: &str, message: String) -> Result<(), JsValue> {
        let kind = match kind {
            "network" => FailureKind::Network,
            "timeout" => FailureKind::Timeout,
            "tls" => FailureKind::Tls,
            "too_large" => FailureKind::TooLarge,
            other => return Err(js_error(ErrorKind::Internal, &format!("unknown failure kind {other:?}"))),
        };
        self.0.handle_input(now as u64, Input::Failure { id: id as u64, kind, message });
        Ok(())
    }

    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(&mut self, now: f64) {
        self.0.handle_input(now as u64, Input::Timeout);
    }

    /// The report model as a plain object.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.report())
    }

    /// `[{name, content}]`: every file of the report directory.
    pub fn files(&self) -> Result<JsValue, JsValue> {
        // Built by hand, not serialised: each file's text crosses once, as itself.
        let files = js_sys::Array::new();
        for file in self.0.files() {
            let entry = js_sys::Object::new();
            js_sys::Reflect::set(&entry, &"name".into(), &file.name.into())?;
            js_sys::Reflect::set(&entry, &"content".into(), &file.content.into())?;
            files.push(&entry);
        }
        Ok(files.into())
    }
}
