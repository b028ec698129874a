//! The boundary to JavaScript, and nothing else. JSON-shaped values cross as plain objects
//! (out as JSON text and `JSON.parse`, in through serde-wasm-bindgen), response bodies as bytes
//! or strings, the report files as chunks of bytes handed to a sink; errors cross as `Error`
//! objects with a `kind` field; a panic leaves its message behind for [`last_panic`] instead of
//! a bare trap.

use std::cell::RefCell;
use std::io;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::allowlist;
use crate::decision::{self, GateOptions};
use crate::error::{ErrorKind, GateError};
use crate::gate::{Config, FailureKind, Finished, Gate, Input};
use crate::image_list;
use crate::model::Report;
use crate::output::{self, Directory, OutputOptions};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Receives the report directory's files: chunks of about 1 MiB in order; `last` ends a file
 * (its chunk may be empty). Names are fixed names of the gate's, never engine data. */
export type FileSink = (name: string, chunk: Uint8Array, last: boolean) => void;

/** How to write the files (src/output.rs `OutputOptions`). */
export interface OutputOptions {
  pretty?: boolean;
  sarif_max_results?: number;
  summary?: { report_dir?: string | null; run_url?: string | null; max_bytes?: number; max_stop_findings?: number } | null;
  max_annotations?: number;
}

export type Status = "pass" | "fail" | "error";
export type Severity = "Critical" | "High" | "Medium" | "Low" | "Negligible" | "Unknown";

export interface Annotation {
  level: "error" | "warning" | "notice";
  title: string;
  message: string;
  file: string | null;
  line: number | null;
  /** The escaped workflow command. */
  command: string;
}

/** What a front end needs after a run (src/output.rs `Outcome`). */
export interface Outcome {
  verdict: Status;
  exit_code: number;
  totals: { images: number; passed: number; failed: number; errored: number; stop: number; warn: number; go: number; allowlisted: number; vulnerabilities: Partial<Record<Severity, number>> };
  error: { kind: string; message: string } | null;
  images: Array<{ image: string; status: Status; final_action: "stop" | "warn" | "go" | null; gate_failures: string[];
    counts: { stop: number; warn: number; go: number; allowlisted: number }; vulnerability_counts: Partial<Record<Severity, number>> }>;
  expired: Array<{ entry: number; expires: string; reason: string; matches: string }>;
  no_policy: boolean;
  /** The table the CLI prints. */
  console: string;
  /** What the SARIF file left out, when it left anything out. */
  sarif_left_out: string | null;
  summary: string | null;
  annotations: Annotation[];
  files: string[];
}

/** One output of the gate (src/gate/mod.rs `Output`). */
export type GateOutput =
  | { type: "transmit"; id: number; image: number | null; method: "GET" | "POST"; url: string; body: unknown }
  | { type: "save_body"; id: number; file: string }
  | { type: "event"; kind: string; level: "debug" | "info" | "warn" | "error"; image: number | null; message: string }
  | { type: "timeout"; at: number }
  | { type: "done" };
"#;

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

/// A severity as a user writes it (any case): its engine spelling (`High`), or an `Error` (kind
/// `config`) naming the choices.
#[wasm_bindgen(js_name = parseSeverity, unchecked_return_type = "Severity")]
pub fn parse_severity(value: &str) -> Result<String, JsValue> {
    use crate::vuln::Severity;
    Severity::named(value).map(|s| s.as_str().to_owned()).ok_or_else(|| {
        let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        js_error(ErrorKind::Config, &format!("expected one of {}, got {}", names.join(", "), serde_json::Value::from(value)))
    })
}

/// The engine URL without credentials, query or fragment, for banners and messages.
#[wasm_bindgen(js_name = displayUrl)]
pub fn display_url(url: &str) -> String {
    crate::engine::display_url(url)
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

/// Why a Dockerfile path (relative to the workspace, `/`-separated) must not be uploaded, or
/// `undefined` (see `image_list::dockerfile_refusal`).
#[wasm_bindgen(js_name = dockerfileRefusal)]
pub fn dockerfile_refusal(path: &str, any_name: bool) -> Option<String> {
    image_list::dockerfile_refusal(path, any_name)
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
    crate::import::import_json(&inputs, now as u64).map_err(|e| import_error(&e))
}

/// `anchore-gate evaluate`: the gate with no engine. `files` as for [`import_report`], decided
/// under `options` (as for [`decide`]) as of `now` (`Date.now()`); the report directory's files
/// (`anchore-gate.json`, SARIF, JUnit) go to `sink`; returns the outcome.
#[wasm_bindgen(unchecked_return_type = "Outcome")]
pub fn evaluate(
    files: JsValue,
    options: JsValue,
    now: f64,
    #[wasm_bindgen(unchecked_param_type = "OutputOptions")] output_options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "FileSink")] sink: &js_sys::Function,
) -> Result<JsValue, JsValue> {
    let inputs = input_files(files, "evaluate")?;
    let options: GateOptions = from_js(options, "gate options")?;
    let output_options = output_options_from(output_options)?;
    let mut dir = JsDirectory::new(sink);
    let written = output::evaluate(&inputs, &options, now as u64, &output_options, &mut dir).map_err(|e| import_error(&e))?;
    to_js(&dir.result(written)?)
}

fn output_options_from(value: JsValue) -> Result<OutputOptions, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(OutputOptions::default())
    } else {
        from_js(value, "output options")
    }
}

/// Files handed to a JS function in chunks of [`CHUNK`] bytes: no whole file in WASM memory,
/// no UTF-16 detour. A JS exception from the sink (a full disk) is rethrown as it was.
struct JsDirectory<'a> {
    sink: &'a js_sys::Function,
    failure: Option<JsValue>,
}

const CHUNK: usize = 1 << 20;

impl<'a> JsDirectory<'a> {
    fn new(sink: &'a js_sys::Function) -> Self {
        JsDirectory { sink, failure: None }
    }

    fn result<T>(self, written: io::Result<T>) -> Result<T, JsValue> {
        match (written, self.failure) {
            (Ok(value), _) => Ok(value),
            (Err(_), Some(thrown)) => Err(thrown),
            (Err(e), None) => Err(js_error(ErrorKind::Internal, &format!("writing the report: {e}"))),
        }
    }
}

struct Chunks<'a, 'b> {
    dir: &'b mut JsDirectory<'a>,
    name: JsValue,
    buf: Vec<u8>,
}

impl Chunks<'_, '_> {
    fn hand_over(&mut self, last: bool) -> io::Result<()> {
        let chunk = js_sys::Uint8Array::from(&self.buf[..]);
        self.buf.clear();
        self.dir.sink.call3(&JsValue::NULL, &self.name, &chunk, &JsValue::from_bool(last)).map(|_| ()).map_err(|thrown| {
            self.dir.failure = Some(thrown);
            io::Error::other("the file sink threw")
        })
    }
}

impl io::Write for Chunks<'_, '_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.hand_over(false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Directory for JsDirectory<'_> {
    fn file(&mut self, name: &str, render: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>) -> io::Result<()> {
        let mut chunks = Chunks { name: JsValue::from_str(name), buf: Vec::with_capacity(CHUNK + CHUNK / 8), dir: self };
        render(&mut chunks)?;
        chunks.hand_over(true)
    }
}

fn import_error(e: &crate::import::ImportError) -> JsValue {
    let error = js_error(ErrorKind::BadResponse, &e.to_string());
    let _ = js_sys::Reflect::set(&error, &"file".into(), &e.file.as_deref().map_or(JsValue::NULL, JsValue::from));
    error
}

/// `[{name, content}]` with `content` a string or a `Uint8Array` of UTF-8.
fn input_files(files: JsValue, what: &str) -> Result<Vec<crate::import::InputFile>, JsValue> {
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
        inputs.push(crate::import::InputFile { name, content });
    }
    Ok(inputs)
}

/// The entries of an allowlist already turned into JSON text (the caller reads YAML or JSON).
#[wasm_bindgen(js_name = parseAllowlist)]
pub fn parse_allowlist(json: &str, source: &str) -> Result<JsValue, JsValue> {
    to_js(&allowlist::parse_allowlist(json, source)?)
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
    Ok(crate::render::sarif::render(&read_report(report_json)?))
}

/// JUnit XML for a report given as the text of an `anchore-gate.json`.
#[wasm_bindgen(js_name = renderJunit)]
pub fn render_junit(report_json: &str) -> Result<String, JsValue> {
    Ok(crate::render::junit::render(&read_report(report_json)?))
}

/// The step-summary Markdown; `options` (optional): `{report_dir, run_url, max_bytes, max_stop_findings}`.
#[wasm_bindgen(js_name = renderSummary)]
pub fn render_summary(report_json: &str, options: JsValue) -> Result<String, JsValue> {
    let options: crate::render::summary::SummaryOptions =
        if options.is_undefined() || options.is_null() { Default::default() } else { from_js(options, "summary options")? };
    Ok(crate::render::summary::markdown(&read_report(report_json)?, &options))
}

/// `[{level, title, message, file, line, command}]`: the CI annotations, at most `maxPerLevel`
/// (default 10, the runner's limit) of each level; `command` is the escaped workflow command.
#[wasm_bindgen(js_name = annotations)]
pub fn annotations(report_json: &str, max_per_level: Option<u32>) -> Result<JsValue, JsValue> {
    let max = max_per_level.map_or(crate::render::summary::MAX_ANNOTATIONS_PER_LEVEL, |n| n as usize);
    to_js(&crate::render::summary::annotations(&read_report(report_json)?, max))
}

/// The gate's state machine; see `gate` for the contract. `now` is a monotonic clock in
/// milliseconds (`performance.timeOrigin + performance.now()`); `wall` is `Date.now()` at the
/// start (for the report's times and the allowlist's dates; `now` when not given).
#[wasm_bindgen(js_name = Gate)]
pub struct WasmGate(Gate);

#[wasm_bindgen(js_class = Gate)]
impl WasmGate {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, now: f64, wall: Option<f64>) -> Result<WasmGate, JsValue> {
        let config: Config = from_js(config, "gate configuration")?;
        Ok(WasmGate(Gate::with_wall_clock(config, now as u64, wall.unwrap_or(now) as u64)))
    }

    #[wasm_bindgen(js_name = pollOutput, unchecked_return_type = "GateOutput")]
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

    /// Ends the run (after `{type: "done"}`) and moves its report out; this object is spent.
    pub fn finish(self) -> FinishedRun {
        FinishedRun(self.0.finish())
    }
}

/// A finished run: its report, decided, waiting to be written.
#[wasm_bindgen]
pub struct FinishedRun(Finished);

#[wasm_bindgen]
impl FinishedRun {
    /// Writes every file of the report directory into `sink` and returns the outcome.
    #[wasm_bindgen(js_name = writeFiles, unchecked_return_type = "Outcome")]
    pub fn write_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OutputOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "FileSink")] sink: &js_sys::Function,
    ) -> Result<JsValue, JsValue> {
        let options = output_options_from(options)?;
        let mut dir = JsDirectory::new(sink);
        let written = output::write_run(&self.0, &options, &mut dir);
        to_js(&dir.result(written)?)
    }
}

/// The run after the core failed mid-run (`message` says how): a report with a row per image of
/// `config`, verdict error, exit 2 (0 without fail-on-error). `now`, `wall` as for `Gate`.
#[wasm_bindgen(js_name = failedRun)]
pub fn failed_run(config: JsValue, now: f64, wall: f64, message: &str) -> Result<FinishedRun, JsValue> {
    let config: Config = from_js(config, "gate configuration")?;
    Ok(FinishedRun(Gate::failed(config, now as u64, wall as u64, message)))
}
