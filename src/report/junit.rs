//! JUnit XML for CI test reports (GitLab, Jenkins, CircleCI, Azure), from a [`Report`].
//!
//! One `<testsuite>` per image (named after it), holding:
//! - `policy evaluation`: fails when the gate fails the image (STOP, or a fail-on rule), is an
//!   `<error>` when the image could not be decided, passes otherwise;
//! - one test case per policy finding: a STOP finding is a `<failure>`, an allowlisted one is
//!   `<skipped>`, WARN and GO pass (their text in `<system-out>`).
//!
//! A run error that no image carries (an empty image list) gets a suite of its own.

use std::fmt::Write as _;

use crate::error::GateError;
use crate::policy::{Action, Finding};
use crate::report::summary::action_word;
use crate::report::{ImageResult, Report, Status};

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// The JUnit XML document.
pub fn render(report: &Report) -> String {
    let mut suites = String::new();
    let mut total = Counts::default();
    let mut time_ms = 0u64;
    for image in &report.images {
        let (counts, xml) = image_suite(image);
        total.add(&counts);
        time_ms += image.duration_ms;
        suites.push_str(&xml);
    }
    let carried = report.images.iter().any(|i| i.error.is_some());
    if let (Some(error), false) = (&report.error, carried) {
        let counts = Counts { tests: 1, errors: 1, ..Counts::default() };
        total.add(&counts);
        let _ = write!(
            suites,
            "  <testsuite name=\"anchore-gate\" {} time=\"0.000\">\n    <testcase classname=\"anchore-gate\" name=\"run\" time=\"0.000\">\n{}    </testcase>\n  </testsuite>\n",
            counts.attributes(),
            error_element(error)
        );
    }
    // No `skipped` on <testsuites>: the xUnit plugin's junit-10.xsd allows it on <testsuite> only.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"anchore-gate\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n{suites}</testsuites>\n",
        total.tests,
        total.failures,
        total.errors,
        seconds(time_ms)
    )
}

fn image_suite(image: &ImageResult) -> (Counts, String) {
    let mut counts = Counts::default();
    let mut cases = String::new();
    let class = attr(&image.image);

    // The image's decision.
    counts.tests += 1;
    let _ = writeln!(
        cases,
        "    <testcase classname=\"{class}\" name=\"policy evaluation\" time=\"{}\">",
        seconds(image.duration_ms)
    );
    match image.status {
        Status::Error => {
            counts.errors += 1;
            let error = image.error.clone().unwrap_or_else(|| GateError::new(crate::error::ErrorKind::Internal, "no complete decision"));
            cases.push_str(&error_element(&error));
        }
        Status::Fail => {
            counts.failures += 1;
            let reasons = if image.gate_failures.is_empty() {
                vec![format!("the policy says STOP{}", if image.stop_action_details.is_empty() { String::new() } else { format!(" ({})", image.stop_action_details) })]
            } else {
                image.gate_failures.clone()
            };
            let word = image.final_action.map(action_word).unwrap_or("FAIL");
            let _ = writeln!(
                cases,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                attr(word),
                attr(&reasons.join("; ")),
                text(&reasons.join("\n"))
            );
        }
        Status::Pass => {
            let word = image.final_action.map(action_word).unwrap_or("pass");
            let _ = writeln!(cases, "      <system-out>final action {}</system-out>", text(word));
        }
    }
    cases.push_str("    </testcase>\n");

    for finding in &image.findings {
        counts.tests += 1;
        let _ = writeln!(cases, "    <testcase classname=\"{class}\" name=\"{}\" time=\"0.000\">", attr(&case_name(finding)));
        let detail = finding_detail(finding);
        if finding.allowlisted {
            counts.skipped += 1;
            let _ = writeln!(cases, "      <skipped message=\"{}\"/>", attr(&format!("allowlisted {} finding", action_word(finding.action))));
            let _ = writeln!(cases, "      <system-out>{}</system-out>", text(&detail));
        } else if finding.action == Action::Stop {
            counts.failures += 1;
            let _ = writeln!(
                cases,
                "      <failure type=\"STOP\" message=\"{}\">{}</failure>",
                attr(&format!("{}/{}: {}", finding.gate, finding.trigger, finding.message)),
                text(&detail)
            );
        } else {
            let _ = writeln!(cases, "      <system-out>{}</system-out>", text(&detail));
        }
        cases.push_str("    </testcase>\n");
    }

    let mut properties = String::new();
    let mut property = |name: &str, value: &str| {
        let _ = writeln!(properties, "      <property name=\"{}\" value=\"{}\"/>", attr(name), attr(value));
    };
    property("source", &image.source);
    if let Some(v) = &image.digest {
        property("digest", v);
    }
    if let Some(v) = &image.dockerfile {
        property("dockerfile", v);
    }
    if let Some(v) = image.final_action {
        property("final_action", action_word(v));
    }
    if let Some(v) = &image.policy_id {
        property("policy_id", v);
    }
    if let Some(v) = &image.evaluated_tag {
        property("evaluated_tag", v);
    }
    let xml = format!(
        "  <testsuite name=\"{class}\" {} time=\"{}\">\n    <properties>\n{properties}    </properties>\n{cases}  </testsuite>\n",
        counts.attributes(),
        seconds(image.duration_ms)
    );
    (counts, xml)
}

fn case_name(finding: &Finding) -> String {
    let mut name = format!("{}/{}", finding.gate, finding.trigger);
    if !finding.trigger_id.is_empty() {
        let _ = write!(name, " {}", finding.trigger_id);
    }
    name
}

fn finding_detail(finding: &Finding) -> String {
    let mut d = format!("{} {}/{}: {}", action_word(finding.action), finding.gate, finding.trigger, finding.message);
    for (label, value) in [
        ("trigger id", &finding.trigger_id),
        ("recommendation", &finding.recommendation),
        ("policy id", &finding.policy_id),
        ("rule id", &finding.rule_id),
    ] {
        if !value.is_empty() {
            let _ = write!(d, "\n{label}: {value}");
        }
    }
    d
}

fn error_element(error: &GateError) -> String {
    format!(
        "      <error type=\"{}\" message=\"{}\">{}</error>\n",
        attr(error.kind.as_str()),
        attr(&error.message),
        text(&error.message)
    )
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Characters XML 1.0 cannot hold at all, even escaped, become U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Element content.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value (in double quotes); whitespace characters are kept as references so a
/// parser does not normalise them to spaces.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
