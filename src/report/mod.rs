//! The report: the model behind `anchore-gate.json`, the verdict, and the files of the report
//! directory (including the Jenkins plugin's, for scripts written against the plugin).

pub mod gitlab;
pub mod import;
pub mod grype;
pub mod jenkins;
pub mod junit;
mod model;
pub mod sarif;
pub mod summary;
#[cfg(test)]
pub(crate) mod testdata;

pub use model::*;

use serde::{Deserialize, Serialize};

use crate::decision::{self, GateOptions};
use crate::gate::time::Millis;
use import::{ImportError, InputFile};

/// A file of the report directory. Names are fixed by the gate, never taken from engine data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFile {
    pub name: String,
    pub content: String,
}

impl ReportFile {
    pub(crate) fn new(name: impl Into<String>, content: String) -> Self {
        ReportFile { name: name.into(), content }
    }
}

/// The files every report directory has: `anchore-gate.json`, `anchore-gate.sarif` (SARIF 2.1.0),
/// `anchore-gate-junit.xml` and `anchore-gate-gitlab-cs.json` (GitLab container scanning).
pub fn files(report: &Report) -> Vec<ReportFile> {
    vec![
        ReportFile::new("anchore-gate.json", serde_json::to_string_pretty(report).expect("the report serialises")),
        ReportFile::new("anchore-gate.sarif", sarif::render(report)),
        ReportFile::new("anchore-gate-junit.xml", junit::render(report)),
        ReportFile::new(gitlab::FILE_NAME, gitlab::render(report)),
    ]
}

/// `anchore-gate evaluate`: the gate with no engine. Saved reports, the plugin's files, raw engine
/// answers or grype's JSON are read into one report ([`import::import`]), decided under `options`
/// as of `now`, and returned as the report directory's [`files`].
pub fn evaluate(inputs: &[InputFile], options: &GateOptions, now: Millis) -> Result<(Report, Vec<ReportFile>), ImportError> {
    let mut report = import::import(inputs, now)?.report;
    decision::decide(&mut report, options, now);
    let files = files(&report);
    Ok((report, files))
}
