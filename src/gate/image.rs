//! One image's way through the engine: the steps, what each answer means, and its result row.

use super::{Config, Event, EventKind, ImageInput, Level};
use crate::clock::{seconds, Millis};
use crate::decision::{self, GateOptions};
use crate::engine::{self, v1, v2, AnalysisStatus, ApiVersion, EngineError, HttpRequest, SubmitOptions};
use crate::error::{ErrorKind, GateError};
use crate::image_list::Entry;
use crate::model::{self, ExcludedCounts, ImageResult, Status};
use crate::policy::{self, Action, Evaluation};
use crate::vuln::{self, Vulnerability};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Waiting for the API version (then every image starts at once).
    Queued,
    Submit,
    Status,
    Ancestors,
    Check,
    Vulns,
    Done,
}

/// Which engine answer the image accepted: the caller saves its bytes verbatim as the plugin's
/// `anchoreengine-api-response-{evaluation,vulnerabilities}-N.json` (the core keeps none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Accepted {
    Evaluation,
    Vulnerabilities,
}

impl Accepted {
    pub(super) fn file(self, index: usize) -> String {
        let what = match self {
            Accepted::Evaluation => "evaluation",
            Accepted::Vulnerabilities => "vulnerabilities",
        };
        format!("anchoreengine-api-response-{what}-{}.json", index + 1)
    }
}

/// What an answer means for the image.
pub(super) enum Outcome {
    /// Progress (the step may have advanced, the image may be done); events to log.
    Events(Vec<(EventKind, Level, String)>),
    /// A transient fault: send the same request again after a backoff.
    Retry(String),
    /// A permanent fault: the image ends with this error.
    Fail(GateError),
}

pub(super) struct ImageRun {
    index: usize,
    entry: Entry,
    dockerfile_b64: Option<String>,
    pub(super) step: Step,
    digest: Option<String>,
    analysis: Option<AnalysisStatus>,
    base_digest: Option<String>,
    pub(super) deadline: Option<Millis>,
    pub(super) in_flight: Option<u64>,
    pub(super) next_at: Millis,
    poll_delay: Millis,
    /// Consecutive transient failures of the current step.
    pub(super) failures: u32,
    pub(super) last_failure: Option<String>,
    status_not_found: u32,
    /// Consecutive 2xx answers whose body was not JSON at all (see [`ImageRun::retry_damaged_body`]).
    damaged_bodies: u32,
    evaluation: Option<Evaluation>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    excluded: ExcludedCounts,
    removed_all_findings: bool,
    /// Set by the answer that was just accepted, taken by the gate.
    pub(super) accepted: Option<Accepted>,
    error: Option<GateError>,
    /// The result row, built once (by moving the findings and vulnerabilities) when the image ends.
    pub(super) row: Option<ImageResult>,
    started_at: Option<Millis>,
    finished_at: Option<Millis>,
    pub(super) requests: u32,
}

/// How often a just-submitted image may be "not found" before the engine is believed.
const STATUS_NOT_FOUND_LIMIT: u32 = 3;

/// How many 2xx answers in a row may have a body that is not JSON before the image ends.
const DAMAGED_BODY_LIMIT: u32 = 3;

/// A status poll comes at most 1/16 of the time waited so far after the analysis ended (until
/// the poll interval caps the pause), so the gate's wall time stays within about 6 % of the
/// slowest analysis (issue 7's target: 10 %, start-up and the downloads included).
const POLL_LAG_DIVISOR: Millis = 16;

impl ImageRun {
    pub(super) fn new(index: usize, entry: Entry, input: &ImageInput, now: Millis) -> ImageRun {
        let mut run = ImageRun {
            index,
            dockerfile_b64: input.dockerfile_content.as_deref().map(engine::encode_dockerfile),
            entry,
            step: Step::Queued,
            digest: None,
            analysis: None,
            base_digest: None,
            deadline: None,
            in_flight: None,
            next_at: now,
            poll_delay: 0,
            failures: 0,
            last_failure: None,
            status_not_found: 0,
            damaged_bodies: 0,
            evaluation: None,
            vulnerabilities: None,
            excluded: ExcludedCounts::default(),
            removed_all_findings: false,
            accepted: None,
            error: None,
            row: None,
            started_at: None,
            finished_at: None,
            requests: 0,
        };
        if let Some(problem) = run.entry.problem.clone() {
            let _ = run.finish_with_error(problem, now);
        } else if let Some(why) = &input.dockerfile_error {
            let dockerfile = run.entry.dockerfile.clone().unwrap_or_default();
            let error = GateError::new(ErrorKind::Dockerfile, format!("{}: cannot read Dockerfile \"{dockerfile}\": {why}", run.entry.source));
            let _ = run.finish_with_error(error, now);
        } else if run.entry.dockerfile.is_some() && run.dockerfile_b64.is_none() {
            let error = GateError::new(ErrorKind::Internal, format!("{}: the Dockerfile was not read", run.entry.source));
            let _ = run.finish_with_error(error, now);
        }
        run
    }

    pub(super) fn is_active(&self) -> bool {
        !matches!(self.step, Step::Queued | Step::Done)
    }

    pub(super) fn start(&mut self, now: Millis, timeout: Millis) {
        self.step = Step::Submit;
        self.next_at = now;
        self.started_at = Some(now);
        self.deadline = Some(now.saturating_add(timeout));
    }

    fn digest(&self) -> &str {
        self.digest.as_deref().unwrap_or_default()
    }

    pub(super) fn request(&self, api: ApiVersion, base: &str, config: &Config, submit: &SubmitOptions) -> HttpRequest {
        let image = self.entry.image.as_str();
        let dockerfile = self.dockerfile_b64.as_deref();
        let digest = self.digest();
        let policy = config.policy_id.as_deref();
        let vuln_type = config.vuln_type.as_str();
        match (api, self.step) {
            (ApiVersion::V1, Step::Submit) => v1::submit(base, image, dockerfile, submit),
            (ApiVersion::V2, Step::Submit) => v2::submit(base, image, dockerfile, submit),
            (ApiVersion::V1, Step::Status) => v1::status(base, digest),
            (ApiVersion::V2, Step::Status) => v2::status(base, digest),
            (_, Step::Ancestors) => v2::ancestors(base, digest),
            (ApiVersion::V1, Step::Check) => v1::check(base, digest, image, policy),
            (ApiVersion::V2, Step::Check) => v2::check(base, digest, image, policy, self.base_digest.as_deref()),
            (ApiVersion::V1, Step::Vulns) => v1::vulnerabilities(base, digest, vuln_type),
            (ApiVersion::V2, Step::Vulns) => v2::vulnerabilities(base, digest, vuln_type, self.base_digest.as_deref()),
            (_, Step::Queued | Step::Done) => unreachable!("no request in step {:?}", self.step),
        }
    }

    /// The request of the current step, for messages.
    pub(super) fn step_label(&self) -> String {
        let digest = self.digest();
        match self.step {
            Step::Queued | Step::Submit => "POST /images".to_owned(),
            Step::Status => format!("GET /images/{digest}"),
            Step::Ancestors => format!("GET /images/{digest}/ancestors"),
            Step::Check => format!("GET /images/{digest}/check"),
            Step::Vulns => format!("GET /images/{digest}/vuln"),
            Step::Done => "done".to_owned(),
        }
    }

    pub(super) fn on_response(&mut self, api: ApiVersion, config: &Config, status: u16, body: &str, now: Millis) -> Outcome {
        if !(200..300).contains(&status) {
            return self.on_error_status(config, status, body, now);
        }
        self.failures = 0;
        self.last_failure = None;
        match self.step {
            Step::Submit => {
                let record = match api {
                    ApiVersion::V1 => v1::image_record(body),
                    ApiVersion::V2 => v2::image_record(body),
                };
                match record {
                    Ok(record) => {
                        let message = format!("submitted, digest {} ({})", record.digest, record.analysis_status.as_str());
                        self.digest = Some(record.digest);
                        let mut events = vec![(EventKind::Submitted, Level::Info, message)];
                        self.step = Step::Status;
                        self.poll_delay = config.poll_interval_ms.min(1_000);
                        self.on_analysis_status(api, config, record.analysis_status, now, &mut events)
                            .map_or_else(Outcome::Fail, |()| Outcome::Events(events))
                    }
                    Err(e) => Outcome::Fail(e.into()),
                }
            }
            Step::Status => {
                let record = match api {
                    ApiVersion::V1 => v1::image_record(body),
                    ApiVersion::V2 => v2::image_record(body),
                };
                match record {
                    Ok(record) => {
                        let mut events = Vec::new();
                        self.on_analysis_status(api, config, record.analysis_status, now, &mut events)
                            .map_or_else(Outcome::Fail, |()| Outcome::Events(events))
                    }
                    Err(e) => Outcome::Fail(e.into()),
                }
            }
            Step::Ancestors => match v2::base_digest(body) {
                Ok(base) => {
                    let message = match &base {
                        Some(b) => format!("base image {b}"),
                        None => "no base image known to the engine; nothing to exclude".to_owned(),
                    };
                    self.base_digest = base;
                    self.advance(Step::Check, now);
                    Outcome::Events(vec![(EventKind::Analysis, Level::Debug, message)])
                }
                Err(e) => Outcome::Fail(e.into()),
            },
            Step::Check => {
                let parsed = match api {
                    ApiVersion::V1 => policy::parse_v1(body, self.digest()),
                    ApiVersion::V2 => policy::parse_v2(body),
                };
                match parsed {
                    Ok(Some(mut evaluation)) => {
                        if config.exclude_base {
                            let before = evaluation.findings.len();
                            let removed = evaluation.remove_inherited();
                            self.excluded.findings = removed as u32;
                            self.removed_all_findings = removed > 0 && removed == before;
                        }
                        self.accepted = Some(Accepted::Evaluation);
                        let counts = evaluation.counts();
                        let message = format!(
                            "policy evaluation: {} (stop {}, warn {}, go {}{}), policy {}",
                            evaluation.final_action.map_or("unknown", |a| a.as_str()).to_ascii_uppercase(),
                            counts.stop,
                            counts.warn,
                            counts.go,
                            if counts.allowlisted > 0 { format!(", {} allowlisted", counts.allowlisted) } else { String::new() },
                            evaluation.policy_id
                        );
                        self.evaluation = Some(evaluation);
                        self.advance(Step::Vulns, now);
                        Outcome::Events(vec![(EventKind::Evaluated, Level::Info, message)])
                    }
                    // The engine has no evaluation for the tag yet: ask again.
                    Ok(None) => {
                        self.poll_again(config, now);
                        Outcome::Events(vec![(EventKind::Analysis, Level::Debug, "no policy evaluation yet".to_owned())])
                    }
                    Err(e) => Outcome::Fail(e.into()),
                }
            }
            Step::Vulns => match vuln::parse(body) {
                Ok(listing) => {
                    let mut list = listing.vulnerabilities;
                    if config.exclude_base {
                        self.excluded.vulnerabilities = vuln::remove_inherited(&mut list) as u32;
                    }
                    self.accepted = Some(Accepted::Vulnerabilities);
                    self.vulnerabilities = Some(list);
                    self.step = Step::Done;
                    self.finished_at = Some(now);
                    self.seal();
                    Outcome::Events(Vec::new())
                }
                Err(e) => Outcome::Fail(e.into()),
            },
            Step::Queued | Step::Done => Outcome::Events(Vec::new()),
        }
    }

    /// A 2xx answer whose body is not JSON at all was damaged on the way (cut off, or a proxy's
    /// HTML page): that is transient, so the request is sent again, up to [`DAMAGED_BODY_LIMIT`]
    /// times in a row. JSON of the wrong shape stays a permanent [`ErrorKind::BadResponse`].
    pub(super) fn retry_damaged_body(&mut self, outcome: Outcome, status: u16, body: &str) -> Outcome {
        if !(200..300).contains(&status) {
            return outcome;
        }
        match outcome {
            Outcome::Fail(error) if error.kind == ErrorKind::BadResponse && serde_json::from_str::<serde::de::IgnoredAny>(body).is_err() => {
                self.damaged_bodies += 1;
                if self.damaged_bodies > DAMAGED_BODY_LIMIT {
                    let message = format!("{} (the engine answered {} times in a row with a body that is not JSON)", error.message, self.damaged_bodies);
                    Outcome::Fail(GateError::new(ErrorKind::BadResponse, message))
                } else {
                    Outcome::Retry(format!("HTTP {status} from {}: {}", self.step_label(), error.message))
                }
            }
            other => {
                self.damaged_bodies = 0;
                other
            }
        }
    }

    fn on_analysis_status(
        &mut self,
        api: ApiVersion,
        config: &Config,
        status: AnalysisStatus,
        now: Millis,
        events: &mut Vec<(EventKind, Level, String)>,
    ) -> Result<(), GateError> {
        let changed = self.analysis.as_ref() != Some(&status);
        self.analysis = Some(status.clone());
        match status {
            AnalysisStatus::Analyzed => {
                let waited = self.started_at.map(|s| now.saturating_sub(s)).unwrap_or_default();
                events.push((EventKind::Analyzed, Level::Info, format!("analyzed ({} after submission)", seconds(waited))));
                let next = if api == ApiVersion::V2 && config.exclude_base { Step::Ancestors } else { Step::Check };
                self.advance(next, now);
                Ok(())
            }
            AnalysisStatus::AnalysisFailed => Err(self.analysis_failed()),
            other => {
                if changed && self.step == Step::Status && !events.iter().any(|e| e.0 == EventKind::Submitted) {
                    events.push((EventKind::Analysis, Level::Info, other.as_str().to_owned()));
                }
                self.poll_again(config, now);
                Ok(())
            }
        }
    }

    fn analysis_failed(&self) -> GateError {
        GateError::new(
            ErrorKind::AnalysisFailed,
            format!(
                "the engine could not analyze {} (analysis_status: analysis_failed, digest {}); the engine's analyzer log says why; re-adding the image (running the gate again) queues it anew",
                self.entry.image,
                self.digest()
            ),
        )
    }

    fn advance(&mut self, step: Step, now: Millis) {
        self.step = step;
        self.next_at = now;
        self.failures = 0;
        self.last_failure = None;
    }

    /// Status polls start about 1 s apart and then stay within a sixteenth of the time waited
    /// since submission ([`POLL_LAG_DIVISOR`]), up to the poll interval: a 20 s analysis is seen
    /// within 1.25 s of its end, a long one within the poll interval, and a fast one fast.
    fn poll_again(&mut self, config: &Config, now: Millis) {
        let waited = self.started_at.map_or(0, |s| now.saturating_sub(s));
        let first = self.poll_delay.max(1);
        self.next_at = now + (waited / POLL_LAG_DIVISOR).clamp(first, config.poll_interval_ms.max(first));
    }

    fn on_error_status(&mut self, config: &Config, status: u16, body: &str, now: Millis) -> Outcome {
        let error = EngineError::parse(body);
        let said = format!("HTTP {status} from {}: {}", self.step_label(), error.describe());
        if status == 429 || status >= 500 {
            return Outcome::Retry(said);
        }
        if status == 403 {
            return Outcome::Fail(GateError::new(
                ErrorKind::Forbidden,
                format!("{said}; the user may not act here: check --account (ANCHORE_CLI_ACCOUNT) and the user's permissions"),
            ));
        }
        let not_analyzed = error.message.contains("image is not analyzed");
        match (self.step, status) {
            (Step::Submit, 400) => {
                let registry = error.error_codes.iter().any(|c| c.starts_with("REGISTRY") || c.starts_with("SKOPEO"))
                    || error.message.contains("registry");
                let kind = if registry { ErrorKind::Registry } else { ErrorKind::Rejected };
                Outcome::Fail(GateError::new(kind, format!("the engine could not add {}: {}", self.entry.image, error.describe())))
            }
            (Step::Submit, 404 | 405) => Outcome::Fail(GateError::new(
                ErrorKind::Rejected,
                format!("{said}; is the engine URL right? It must point at the API, e.g. http://host:8228/v1 or https://host/v2"),
            )),
            (Step::Status, 404) => {
                self.status_not_found += 1;
                if self.status_not_found > STATUS_NOT_FOUND_LIMIT {
                    Outcome::Fail(GateError::new(ErrorKind::Rejected, format!("{said}; the engine lost track of the image it accepted")))
                } else {
                    Outcome::Retry(said)
                }
            }
            // Enterprise without the ancestors API: go on without a base image.
            (Step::Ancestors, 404) => {
                self.advance(Step::Check, now);
                Outcome::Events(vec![(EventKind::Warning, Level::Warn, format!("{said}; cannot tell inherited findings apart"))])
            }
            (Step::Check | Step::Vulns, 404) if not_analyzed => {
                if error.message.contains("analysis_failed") {
                    Outcome::Fail(self.analysis_failed())
                } else {
                    self.poll_again(config, now);
                    Outcome::Events(vec![(EventKind::Analysis, Level::Debug, said)])
                }
            }
            (Step::Check, 404) if error.message.contains("could not find any evaluations") => Outcome::Retry(said),
            (Step::Check, 404) if config.policy_id.is_some() || error.message.contains("polic") => {
                let message = match config.policy_id.as_deref() {
                    Some(id) => format!("{said}; the policy bundle \"{id}\" is not known to the engine (check --policy; `anchore-cli policy list` shows the ids)"),
                    None => format!("{said}; the account has no active policy bundle: activate one or pass --policy ID"),
                };
                Outcome::Fail(GateError::new(ErrorKind::PolicyNotFound, message))
            }
            _ => Outcome::Fail(GateError::new(ErrorKind::Rejected, said)),
        }
    }

    pub(super) fn timeout_error(&self, timeout: Millis) -> GateError {
        let waited = seconds(timeout);
        let state = match self.step {
            Step::Submit => "submitting the image (POST /images)".to_owned(),
            Step::Status => format!(
                "analysis: the engine still reports analysis_status \"{}\"",
                self.analysis.as_ref().map_or("unknown", |a| a.as_str())
            ),
            Step::Ancestors => "the base image (GET …/ancestors)".to_owned(),
            Step::Check => "the policy evaluation (GET …/check)".to_owned(),
            Step::Vulns => "the vulnerability listing (GET …/vuln)".to_owned(),
            Step::Queued | Step::Done => "its turn".to_owned(),
        };
        let mut message = format!("timed out after {waited} waiting for {state}");
        if let Some(failure) = &self.last_failure {
            message.push_str(&format!("; the last {} request(s) failed, the last with: {failure}", self.failures));
        }
        message.push_str("; raise --timeout if the engine is just slow");
        GateError::new(ErrorKind::Timeout, message)
    }

    pub(super) fn finish_with_error(&mut self, error: GateError, now: Millis) -> Event {
        self.step = Step::Done;
        self.finished_at = Some(now);
        let message = error.message.clone();
        self.error = Some(error);
        self.seal();
        Event { kind: EventKind::Finished, level: Level::Error, image: Some(self.index), message: format!("ERROR: {message}") }
    }

    /// The progress line of an image that ended with its policy evaluation and vulnerabilities,
    /// decided alone with the gate's options (the whole report is decided again at the end).
    pub(super) fn finished_event(&mut self, options: &GateOptions, now: Millis) -> Event {
        let result = self.row.as_mut().expect("an image that is done has its row");
        decision::decide_image_at(result, options, now);
        let action = action_label(result.final_action);
        let (level, message) = match result.status {
            Status::Pass => (Level::Info, format!("PASS, final action {action}")),
            Status::Fail => (Level::Warn, format!("FAIL, final action {action}: {}", result.gate_failures.join("; "))),
            Status::Error => (Level::Error, format!("ERROR: {}", self.error.as_ref().map(|e| e.message.as_str()).unwrap_or_default())),
        };
        let vulns = result.vulnerabilities.len();
        let message = if result.status == Status::Error { message } else { format!("{message}; {vulns} vulnerabilities") };
        Event { kind: EventKind::Finished, level, image: Some(self.index), message }
    }

    /// The policy evaluation without its findings (they moved into the row), and whether the
    /// engine listed vulnerabilities: what the Jenkins plugin's files need beside the row.
    pub(super) fn take_evaluation(&mut self) -> (Option<Evaluation>, bool) {
        (self.evaluation.take(), self.vulnerabilities.is_some())
    }

    /// Builds the row by moving the findings and vulnerabilities into it (once, at the end).
    fn seal(&mut self) {
        let evaluation = self.evaluation.as_mut();
        let counts = evaluation.as_ref().map(|e| e.counts()).unwrap_or_default();
        let stop_action_details = evaluation.as_ref().map(|e| e.stop_action_details(self.removed_all_findings)).unwrap_or_default();
        let vulnerabilities = self.vulnerabilities.as_mut().map(std::mem::take).unwrap_or_default();
        let evaluation = self.evaluation.as_mut();
        let findings = evaluation.map(|e| std::mem::take(&mut e.findings)).unwrap_or_default();
        let evaluation = self.evaluation.as_ref();
        self.row = Some(ImageResult {
            image: self.entry.image.clone(),
            source: self.entry.source.clone(),
            dockerfile: self.entry.dockerfile.clone(),
            digest: self.digest.clone(),
            status: Status::Error,
            gate_failures: Vec::new(),
            // Without vulnerabilities the result is incomplete: no verdict either.
            policy_status: evaluation.filter(|_| self.error.is_none()).map(|e| e.status),
            no_policy: false,
            final_action: evaluation.and_then(|e| e.final_action),
            final_action_reason: evaluation.and_then(|e| e.final_action_reason.clone()),
            stop_action_details,
            evaluated_tag: evaluation.map(|e| e.evaluated_tag.clone()),
            policy_id: evaluation.map(|e| e.policy_id.clone()),
            base_digest: self.base_digest.clone(),
            analysis_status: self.analysis.as_ref().map(|a| a.as_str().to_owned()),
            counts,
            vulnerability_counts: model::count_by_severity(&vulnerabilities),
            findings,
            vulnerabilities,
            excluded_inherited: self.excluded,
            error: self.error.clone(),
            duration_ms: match (self.started_at, self.finished_at) {
                (Some(s), Some(f)) => f.saturating_sub(s),
                _ => 0,
            },
            requests: self.requests,
        });
    }
}

fn action_label(action: Option<Action>) -> String {
    action.map_or_else(|| "unknown".to_owned(), |a| a.as_str().to_ascii_uppercase())
}
