//! The viewer's exports: what a report means for the build and what to fix first
//! ([`crate::triage`]), next to the report decided again, so the page shows one decision.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::decision::{self, GateOptions};
use crate::error::ErrorKind;
use crate::report::Report;
use crate::triage::{self, Triage};
use crate::wasm::{from_js, js_error, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
/** What one image does to the exit code under the report's options. */
export type Effect = "passes" | "fails" | "not_enforced" | "error" | "error_not_enforced" | "not_evaluated";
export interface Reason {
  kind: "policy" | "vulnerabilities";
  /** The policy gate, or the threshold severity for `vulnerabilities`. */
  gate: string;
  trigger: string;
  /** `stop` / `warn` for `policy`; the worst severity counted for `vulnerabilities`. */
  action: string;
  count: number;
  example: string;
}
export interface ImageTriage { effect: Effect; reasons: Reason[]; more_reasons: number; }
export interface Fix {
  package_name: string;
  package_version: string;
  package_type: string;
  /** The highest fixed version given: upgrading to it fixes all `count`. */
  to: string;
  count: number;
  /** Distinct ids per severity, Critical … Unknown. */
  by_severity: [number, number, number, number, number, number];
  /** Indexes into `report.images`. */
  images: number[];
  examples: string[];
}
export interface Triage {
  exit_code: number;
  outcome: "passes" | "fails" | "could_not_decide";
  effects: Partial<Record<Effect, number>>;
  /** One per image, in `report.images` order. */
  images: ImageTriage[];
  fixes: Fix[];
  severities: ["Critical", "High", "Medium", "Low", "Negligible", "Unknown"];
}
export interface GateOptionsInput {
  fail_on_stop: boolean;
  fail_on_error: boolean;
  fail_on_warn: boolean;
  fail_on_severity: "Critical" | "High" | "Medium" | "Low" | "Negligible" | "Unknown" | null;
  only_fixed: boolean;
  allowlist?: object[];
  allowlist_source?: string | null;
}
"#;

fn read_report(report_json: &str) -> Result<Report, JsValue> {
    serde_json::from_str(report_json)
        .map_err(|e| js_error(ErrorKind::BadResponse, &format!("not an anchore-gate report: {e}")))
}

/// The triage of a report given as the text of an `anchore-gate.json`, as decided there.
#[wasm_bindgen(js_name = triage, unchecked_return_type = "Triage")]
pub fn triage_report(report_json: &str) -> Result<JsValue, JsValue> {
    to_js(&triage::triage(&read_report(report_json)?))
}

#[derive(Serialize)]
struct Decided<'a> {
    report: &'a Report,
    triage: Triage,
}

/// `decide`, and the triage of the decided report: `{report, triage}`.
#[wasm_bindgen(js_name = decideAndTriage, unchecked_return_type = "{ report: any; triage: Triage }")]
pub fn decide_and_triage(
    report_json: &str,
    #[wasm_bindgen(unchecked_param_type = "GateOptionsInput")] options: JsValue,
    now: f64,
) -> Result<JsValue, JsValue> {
    let mut report = read_report(report_json)?;
    let options: GateOptions = from_js(options, "gate options")?;
    decision::decide(&mut report, &options, now as u64);
    let triage = triage::triage(&report);
    to_js(&Decided { report: &report, triage })
}
