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
use std::io::{self, Write};

use crate::error::GateError;
use crate::model::{ImageResult, Report, Status};
use crate::policy::{Action, Finding};
use crate::render::action_word;

pub const FILE: &str = "anchore-gate-junit.xml";

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

    /// A suite's counts; `testsuites` has no `skipped` (xUnit's junit-10.xsd allows none there).
    fn attributes(&self, with_skipped: bool) -> String {
        let mut a = format!("tests=\"{}\" failures=\"{}\" errors=\"{}\"", self.tests, self.failures, self.errors);
        if with_skipped {
            let _ = write!(a, " skipped=\"{}\"", self.skipped);
        }
        a
    }

    /// What [`write_suite`] will count for `image`, without rendering it.
    fn of(image: &ImageResult) -> Counts {
        let mut c = Counts { tests: 1 + image.findings.len(), ..Counts::default() };
        match image.status {
            Status::Error => c.errors += 1,
            Status::Fail => c.failures += 1,
            Status::Pass => {}
        }
        for f in &image.findings {
            if f.allowlisted {
                c.skipped += 1;
            } else if f.action == Action::Stop {
                c.failures += 1;
            }
        }
        c
    }
}

/// The JUnit XML document as a string (for the tests and the viewer's exports).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the renderer writes UTF-8")
}

/// The JUnit XML document, streamed into `w`.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut total = Counts::default();
    let mut time_ms = 0u64;
    for image in &report.images {
        total.add(&Counts::of(image));
        time_ms += image.duration_ms;
    }
    let carried = report.images.iter().any(|i| i.error.is_some());
    let run_error = report.error.as_ref().filter(|_| !carried);
    let run_counts = Counts { tests: 1, errors: 1, ..Counts::default() };
    if run_error.is_some() {
        total.add(&run_counts);
    }
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"anchore-gate\" {} time=\"{}\">\n",
        total.attributes(false),
        seconds(time_ms)
    )?;
    for image in &report.images {
        write_suite(image, w)?;
    }
    if let Some(error) = run_error {
        write!(
            w,
            "  <testsuite name=\"anchore-gate\" {} time=\"0.000\">\n    <testcase classname=\"anchore-gate\" name=\"run\" time=\"0.000\">\n{}    </testcase>\n  </testsuite>\n",
            run_counts.attributes(true),
            error_element(error)
        )?;
    }
    w.write_all(b"</testsuites>\n")
}

fn write_suite(image: &ImageResult, w: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(image);
    let class = attr(&image.image);
    writeln!(w, "  <testsuite name=\"{class}\" {} time=\"{}\">\n    <properties>", counts.attributes(true), seconds(image.duration_ms))?;
    let mut property = |name: &str, value: &str| writeln!(w, "      <property name=\"{}\" value=\"{}\"/>", attr(name), attr(value));
    property("source", &image.source)?;
    if let Some(v) = &image.digest {
        property("digest", v)?;
    }
    if let Some(v) = &image.dockerfile {
        property("dockerfile", v)?;
    }
    if let Some(v) = image.final_action {
        property("final_action", action_word(v))?;
    }
    if let Some(v) = &image.policy_id {
        property("policy_id", v)?;
    }
    if let Some(v) = &image.evaluated_tag {
        property("evaluated_tag", v)?;
    }
    w.write_all(b"    </properties>\n")?;

    // The image's decision.
    writeln!(w, "    <testcase classname=\"{class}\" name=\"policy evaluation\" time=\"{}\">", seconds(image.duration_ms))?;
    match image.status {
        Status::Error => {
            let error = image.error.clone().unwrap_or_else(|| GateError::new(crate::error::ErrorKind::Internal, "no complete decision"));
            w.write_all(error_element(&error).as_bytes())?;
        }
        Status::Fail => {
            let reasons = if image.gate_failures.is_empty() {
                vec![format!("the policy says STOP{}", if image.stop_action_details.is_empty() { String::new() } else { format!(" ({})", image.stop_action_details) })]
            } else {
                image.gate_failures.clone()
            };
            let word = image.final_action.map(action_word).unwrap_or("FAIL");
            writeln!(w, "      <failure type=\"{}\" message=\"{}\">{}</failure>", attr(word), attr(&reasons.join("; ")), text(&reasons.join("\n")))?;
        }
        Status::Pass => {
            let word = image.final_action.map(action_word).unwrap_or("pass");
            writeln!(w, "      <system-out>final action {}</system-out>", text(word))?;
        }
    }
    w.write_all(b"    </testcase>\n")?;

    for finding in &image.findings {
        writeln!(w, "    <testcase classname=\"{class}\" name=\"{}\" time=\"0.000\">", attr(&case_name(finding)))?;
        let detail = finding_detail(finding);
        if finding.allowlisted {
            writeln!(w, "      <skipped message=\"{}\"/>", attr(&format!("allowlisted {} finding", action_word(finding.action))))?;
            writeln!(w, "      <system-out>{}</system-out>", text(&detail))?;
        } else if finding.action == Action::Stop {
            writeln!(
                w,
                "      <failure type=\"STOP\" message=\"{}\">{}</failure>",
                attr(&format!("{}/{}: {}", finding.gate, finding.trigger, finding.message)),
                text(&detail)
            )?;
        } else {
            writeln!(w, "      <system-out>{}</system-out>", text(&detail))?;
        }
        w.write_all(b"    </testcase>\n")?;
    }
    w.write_all(b"  </testsuite>\n")
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
