//! The report directory: every file of a finished run (or of an `evaluate`d report) rendered
//! straight into a [`Directory`], and the small [`Outcome`] the front ends print and act on.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::allowlist::ExpiredEntry;
use crate::clock::Millis;
use crate::decision::{self, GateOptions};
use crate::engine::ApiVersion;
use crate::error::GateError;
use crate::gate::Finished;
use crate::import::{self, ImportError, InputFile};
use crate::model::{Report, Status, Totals};
use crate::policy::{Action, Counts};
use crate::render::jenkins::{self, JenkinsImage};
use crate::render::summary::{self, Annotation, SummaryOptions};
use crate::render::{console, json, junit, sarif};
use crate::vuln::Severity;

/// Where the files go. The core does no I/O: the WASM boundary hands the bytes to the shim in
/// chunks, the native tests keep them in memory.
pub trait Directory {
    /// Creates `name` (a fixed name of the gate's, never engine data) and lets `render` stream
    /// its content.
    fn file(&mut self, name: &str, render: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
}

/// A file of the report directory, in memory (for the tests and the string-returning exports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    pub name: String,
    pub content: String,
}

impl Directory for Vec<ReportFile> {
    fn file(&mut self, name: &str, render: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let mut bytes = Vec::new();
        render(&mut bytes)?;
        let content = String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        self.push(ReportFile { name: name.to_owned(), content });
        Ok(())
    }
}

/// How to write the files and what to render for the front end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutputOptions {
    /// `anchore-gate.json` indented for humans (`--pretty`); compact by default.
    pub pretty: bool,
    /// At most this many SARIF results (`--sarif-max-results`).
    pub sarif_max_results: usize,
    /// Render the step summary with these options.
    pub summary: Option<SummaryOptions>,
    /// CI annotations of each level (0: none).
    pub max_annotations: usize,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions { pretty: false, sarif_max_results: sarif::DEFAULT_MAX_RESULTS, summary: None, max_annotations: 0 }
    }
}

/// What the front ends need after a run: small, whatever the size of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub verdict: Status,
    pub exit_code: i32,
    pub totals: Totals,
    pub error: Option<GateError>,
    pub images: Vec<ImageOutcome>,
    /// Allowlist entries past their date.
    pub expired: Vec<ExpiredEntry>,
    /// Some image came from a scanner without a policy verdict (grype).
    pub no_policy: bool,
    /// The table the CLI prints.
    pub console: String,
    /// The SARIF file left results out: which, and where they all are. Also in the summary.
    pub sarif_left_out: Option<String>,
    /// The step summary's Markdown, when asked for.
    pub summary: Option<String>,
    pub annotations: Vec<Annotation>,
    /// The files written, in order.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageOutcome {
    pub image: String,
    pub status: Status,
    pub final_action: Option<Action>,
    pub gate_failures: Vec<String>,
    pub counts: Counts,
    pub vulnerability_counts: std::collections::BTreeMap<Severity, u32>,
}

/// The files of a gate run: those of [`write_report`], then the Jenkins plugin's
/// `anchore_gates.json` and `anchore_security.json` in the v1 or v2 shapes after the engine's
/// API (v2 when it was never learnt: plugin 3.x speaks only v2). The raw engine answers were
/// saved by the caller during the run ([`crate::gate::Output::SaveBody`]).
pub fn write_run(run: &Finished, options: &OutputOptions, dir: &mut dyn Directory) -> io::Result<Outcome> {
    let mut outcome = write_report(&run.report, options, dir)?;
    let api = run.api.unwrap_or(ApiVersion::V2);
    let images: Vec<JenkinsImage> = run
        .report
        .images
        .iter()
        .zip(run.evaluations.iter().zip(&run.listed))
        .map(|(row, (evaluation, listed))| JenkinsImage {
            image: &row.image,
            digest: row.digest.as_deref(),
            evaluation: evaluation.as_ref(),
            findings: &row.findings,
            vulnerabilities: listed.then_some(&row.vulnerabilities[..]),
            stop_action_details: &row.stop_action_details,
        })
        .collect();
    dir.file(jenkins::GATES_FILE, &mut |w| jenkins::write_gates(api, &images, w))?;
    dir.file(jenkins::SECURITY_FILE, &mut |w| jenkins::write_security(api, &images, w))?;
    outcome.files.extend([jenkins::GATES_FILE.to_owned(), jenkins::SECURITY_FILE.to_owned()]);
    Ok(outcome)
}

/// The files every report directory has — `anchore-gate.json`, `anchore-gate.sarif` (SARIF
/// 2.1.0) and `anchore-gate-junit.xml` — and the outcome.
pub fn write_report(report: &Report, options: &OutputOptions, dir: &mut dyn Directory) -> io::Result<Outcome> {
    dir.file(json::FILE, &mut |w| json::write(report, options.pretty, w))?;
    let mut cut = None;
    dir.file(sarif::FILE, &mut |w| {
        cut = sarif::write(report, options.sarif_max_results, w)?;
        Ok(())
    })?;
    dir.file(junit::FILE, &mut |w| junit::write(report, w))?;
    let sarif_left_out = cut.map(|c| c.line());
    let summary = options.summary.as_ref().map(|o| {
        let o = SummaryOptions { sarif_left_out: sarif_left_out.clone(), ..o.clone() };
        summary::markdown(report, &o)
    });
    Ok(Outcome {
        verdict: report.verdict,
        exit_code: report.exit_code,
        totals: report.totals.clone(),
        error: report.error.clone(),
        images: report
            .images
            .iter()
            .map(|i| ImageOutcome {
                image: i.image.clone(),
                status: i.status,
                final_action: i.final_action,
                gate_failures: i.gate_failures.clone(),
                counts: i.counts,
                vulnerability_counts: i.vulnerability_counts.clone(),
            })
            .collect(),
        expired: report.allowlist.as_ref().map(|a| a.expired.clone()).unwrap_or_default(),
        no_policy: report.images.iter().any(|i| i.no_policy),
        console: console::table(report),
        sarif_left_out,
        summary,
        annotations: if options.max_annotations > 0 { summary::annotations(report, options.max_annotations) } else { Vec::new() },
        files: vec![json::FILE.to_owned(), sarif::FILE.to_owned(), junit::FILE.to_owned()],
    })
}

/// `anchore-gate evaluate`: the gate with no engine. Saved reports, the plugin's files, raw
/// engine answers or grype's JSON are read into one report ([`import::import`]), decided under
/// `options` as of `now` (wall time), and written as the report directory's files.
pub fn evaluate(
    inputs: &[InputFile],
    options: &GateOptions,
    now: Millis,
    output: &OutputOptions,
    dir: &mut dyn Directory,
) -> Result<io::Result<Outcome>, ImportError> {
    let mut report = import::import(inputs, now)?.report;
    decision::decide(&mut report, options, now);
    Ok(write_report(&report, output, dir))
}

/// Every file of a finished run in memory (tests, benchmarks).
pub fn run_files(run: &Finished, options: &OutputOptions) -> Vec<ReportFile> {
    let mut files = Vec::new();
    write_run(run, options, &mut files).expect("writing to memory cannot fail");
    files
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::engine::ApiVersion;
    use crate::model::Status;
    use crate::policy::{Action, EvalStatus, Evaluation};
    use crate::testdata;
    use crate::vuln::Severity;

    /// 25,000 findings and 25,000 vulnerabilities in one image, with the Jenkins metadata.
    fn big_run() -> Finished {
        let actions = [Action::Stop, Action::Warn, Action::Go];
        let findings = (0..25_000).map(|n| testdata::finding("vulnerabilities", "package", actions[n % 3], &format!("HIGH Vulnerability found in os package type (dpkg) - libssl{n} (CVE-2024-{n})"))).collect();
        let severities = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
        let vulns = (0..25_000).map(|n| testdata::vuln(&format!("CVE-2024-{n}"), severities[n % 4], &format!("libssl{n}-1.1.{n}"))).collect();
        let mut report = testdata::report(vec![testdata::image("docker.io/team/big:1", 1, Status::Fail, Some(Action::Stop), findings, vulns)], None);
        report.images[0].policy_status = Some(EvalStatus::Fail);
        crate::decision::decide(&mut report, &Default::default(), 0);
        let evaluation = Evaluation {
            status: EvalStatus::Fail,
            final_action: Some(Action::Stop),
            final_action_reason: Some("policy_evaluation".into()),
            evaluated_tag: "docker.io/team/big:1".into(),
            policy_id: "bundle".into(),
            image_id: Some("c1d974aa".into()),
            last_evaluation: None,
            findings: Vec::new(),
            policy_action: Some(Action::Stop),
        };
        Finished { report, evaluations: vec![Some(evaluation)], listed: vec![true], api: Some(ApiVersion::V2) }
    }

    /// The fastest of a few runs, in seconds.
    fn fastest(mut f: impl FnMut()) -> f64 {
        (0..3)
            .map(|_| {
                let t0 = Instant::now();
                f();
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Every file of a 50,000-row report costs at most a small multiple of writing the report
    /// itself with serde_json: a renderer that copies rows or grows quadratically fails here.
    #[test]
    fn rendering_every_file_costs_a_small_multiple_of_the_json() {
        let run = big_run();
        let json = fastest(|| serde_json::to_writer(io::sink(), &run.report).unwrap());
        let mut sizes = Vec::new();
        let all = fastest(|| {
            let mut dir = Counting::default();
            write_run(&run, &OutputOptions::default(), &mut dir).unwrap();
            sizes = dir.sizes;
        });
        let names: Vec<&str> = sizes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["anchore-gate.json", "anchore-gate.sarif", "anchore-gate-junit.xml", "anchore_gates.json", "anchore_security.json"]);
        assert!(sizes.iter().all(|(_, n)| *n > 0));
        let ratio = all / json;
        println!("every file: {:.1} ms, serde_json::to_writer of the report: {:.1} ms, ratio {ratio:.2}", all * 1e3, json * 1e3);
        assert!(ratio < 8.0, "rendering every file took {ratio:.1}× writing the report");
    }

    /// Bytes per file, nothing kept.
    #[derive(Default)]
    struct Counting {
        sizes: Vec<(String, usize)>,
    }

    struct Count<'a>(&'a mut usize);

    impl Write for Count<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            *self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Directory for Counting {
        fn file(&mut self, name: &str, render: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
            let mut n = 0;
            render(&mut Count(&mut n))?;
            self.sizes.push((name.to_owned(), n));
            Ok(())
        }
    }
}
