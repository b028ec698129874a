//! The gate run: one polling state machine per image, driven from outside (sans-IO).
//!
//! # Contract
//!
//! The caller owns the clock, the sockets and the timers. [`Gate`] owns every decision.
//!
//! Inputs ([`Gate::handle_input`]), each with the current time `now` in milliseconds of a
//! monotonic clock (the shim's `performance.timeOrigin + performance.now()`; never earlier than
//! the previous `now`). Wall time is given once, at the start ([`Gate::with_wall_clock`]), and
//! is used only for the report's timestamps and the allowlist's expiry dates:
//! - [`Input::Response`]: the engine answered request `id` (any HTTP status, body as text).
//! - [`Input::Failure`]: request `id` got no HTTP answer (connection refused or reset, DNS,
//!   TLS, the caller's per-request timeout).
//! - [`Input::Timeout`]: the time asked for by [`Output::Timeout`] has come (or any later time).
//!
//! Outputs ([`Gate::poll_output`]): after creating the gate and after every input, call
//! `poll_output` until it returns [`Output::Timeout`] or [`Output::Done`]:
//! - [`Output::Transmit`]: send this request now and later hand its outcome back under its id.
//! - [`Output::SaveBody`]: the answer to request `id` was accepted (a policy evaluation or a
//!   vulnerability listing): save the bytes received under `file` in the report directory, as
//!   the Jenkins plugin did. The gate keeps no copy.
//! - [`Output::Event`]: a progress event for the log (state changes, retries, results).
//! - [`Output::Timeout`]`(at)`: nothing more to send now; call again with `Input::Timeout` at
//!   `at`, or earlier when a response arrives.
//! - [`Output::Done`]: every image has its result; [`Gate::finish`] moves the decided report out.
//!
//! Answers to requests the gate no longer waits for (the image timed out, the run was aborted)
//! are ignored, so the caller never has to cancel anything.
//!
//! Per image: submit (`POST /images`) → poll `GET /images/{digest}` until `analyzed` (1 s apart
//! at first, then a sixteenth of the time waited, up to the poll interval) → on v2 with
//! `exclude_base`, `GET …/ancestors` →
//! `GET …/check` → `GET …/vuln/{type}` → done. Transient faults (no answer, 5xx, 429 with
//! `Retry-After`, a 404 "not analyzed") are retried with exponential backoff and jitter until the
//! image's timeout; permanent ones (400 on submit, 403, unknown policy, `analysis_failed`) end the
//! image at once; a 401 ends the whole run. Every image is submitted at the start (the engine
//! queues the analyses); at most `concurrency` requests are in flight.

mod image;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::clock::{self, backoff, rfc3339, seconds, Jitter, Millis};
use crate::decision::{self, GateOptions};
use crate::engine::{self, ApiVersion, EngineUrl, HttpRequest, SubmitOptions};
use crate::error::{ErrorKind, GateError};
use crate::image_list::{self, Entry};
use crate::model::{self, DecisionOptions, EngineInfo, Report, Status, Tool};
use crate::policy::Evaluation;
use crate::vuln::VulnType;

use image::{ImageRun, Step};

/// Everything the gate needs to run, as the front ends pass it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The engine URL; credentials in it are dropped (the caller sends them as a header).
    pub engine_url: String,
    /// The name of the image list, for messages (`anchore_images`); `None` when there is none.
    pub image_list_name: Option<String>,
    /// Why the image list could not be read at all (the caller's I/O error); ends the run.
    pub image_list_error: Option<String>,
    pub images: Vec<ImageInput>,
    pub policy_id: Option<String>,
    pub annotations: BTreeMap<String, String>,
    pub autosubscribe: bool,
    pub force: bool,
    pub exclude_base: bool,
    pub vuln_type: VulnType,
    pub timeout_ms: Millis,
    pub poll_interval_ms: Millis,
    pub concurrency: u32,
    /// How findings become a verdict: fail-on rules and the allowlist. (Nested, not flattened:
    /// `serde(flatten)` buffers the whole config generically and costs ~60 KB of .wasm.)
    pub decision: GateOptions,
    /// Seeds the retry jitter.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            engine_url: String::new(),
            image_list_name: None,
            image_list_error: None,
            images: Vec::new(),
            policy_id: None,
            annotations: BTreeMap::new(),
            autosubscribe: true,
            force: false,
            exclude_base: false,
            vuln_type: VulnType::All,
            timeout_ms: 1_500_000,
            poll_interval_ms: 5_000,
            concurrency: 8,
            decision: GateOptions::default(),
            seed: 1,
        }
    }
}

/// An image list entry plus its Dockerfile, which the caller read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInput {
    #[serde(flatten)]
    pub entry: Entry,
    #[serde(default)]
    pub dockerfile_content: Option<String>,
    /// Why the Dockerfile could not be read (e.g. `ENOENT: no such file`).
    #[serde(default)]
    pub dockerfile_error: Option<String>,
}

pub type RequestId = u64;

/// How a request failed without an HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Refused, reset, DNS, proxy: may go away.
    Network,
    /// The caller's per-request timeout.
    Timeout,
    /// The TLS handshake failed (untrusted certificate, wrong host name): will not go away.
    Tls,
    /// The body was larger than the caller accepts.
    TooLarge,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    Response { id: RequestId, status: u16, body: String, retry_after: Option<String> },
    Failure { id: RequestId, kind: FailureKind, message: String },
    Timeout,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transmit {
    pub id: RequestId,
    /// Index of the image this is for, `None` for run-level requests (`GET /version`).
    pub image: Option<usize>,
    #[serde(flatten)]
    pub request: HttpRequest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ApiDetected,
    Submitted,
    Analysis,
    Analyzed,
    Evaluated,
    Finished,
    Retrying,
    Warning,
    Aborted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub level: Level,
    pub image: Option<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Output {
    Transmit(Transmit),
    SaveBody { id: RequestId, file: String },
    Event(Event),
    Timeout { at: Millis },
    Done,
}

/// Which request an id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Version,
    Image(usize),
}

/// `GET /version`, when the URL does not say `/v1` or `/v2`.
#[derive(Debug, Default)]
struct Probe {
    in_flight: Option<RequestId>,
    next_at: Millis,
    failures: u32,
    last_failure: Option<String>,
}

/// Failed attempts of one request (each after its backoff) before the engine has answered
/// anything at all: a wrong URL should not wait out the image timeout. Counted per request, not
/// summed over the images in flight: eight concurrent first attempts are one attempt each, and a
/// few resets among them must not end a run against an engine that answers the rest.
const UNREACHABLE_LIMIT: u32 = 4;

pub struct Gate {
    url: Option<EngineUrl>,
    api: Option<ApiVersion>,
    base: String,
    config: Config,
    submit: SubmitOptions,
    images: Vec<ImageRun>,
    probe: Probe,
    in_flight: BTreeMap<RequestId, Target>,
    events: VecDeque<Event>,
    saves: VecDeque<(RequestId, String)>,
    next_id: RequestId,
    now: Millis,
    /// Wall time minus monotonic time, fixed at the start.
    wall_offset: i64,
    /// The decided report, once every image is done.
    report: Option<Report>,
    started_at: Millis,
    finished_at: Option<Millis>,
    engine_reached: bool,
    unreachable_failures: u32,
    run_error: Option<GateError>,
    jitter: Jitter,
}

impl Gate {
    /// Never fails: a bad URL or an empty list becomes the run's error and every image still
    /// gets a result row, so a report can always be written.
    pub fn new(config: Config, now: Millis) -> Gate {
        Gate::with_wall_clock(config, now, now)
    }

    /// [`Gate::new`] with `now` on a monotonic clock and `wall` the time of day at that moment.
    pub fn with_wall_clock(mut config: Config, now: Millis, wall: Millis) -> Gate {
        config.concurrency = config.concurrency.max(1);
        config.poll_interval_ms = config.poll_interval_ms.max(1);
        let mut entries: Vec<Entry> = config.images.iter().map(|i| i.entry.clone()).collect();
        image_list::mark_duplicates(&mut entries);
        let images: Vec<ImageRun> = config
            .images
            .iter()
            .zip(entries)
            .enumerate()
            .map(|(index, (input, entry))| ImageRun::new(index, entry, input, now))
            .collect();

        let mut run_error = None;
        let url = match EngineUrl::parse(&config.engine_url) {
            Ok(url) => Some(url),
            Err(e) => {
                run_error = Some(e);
                None
            }
        };
        if let Some(why) = &config.image_list_error {
            let name = config.image_list_name.as_deref().unwrap_or("the image list");
            run_error = Some(GateError::new(ErrorKind::ImageList, format!("cannot read {name}: {why}")));
        } else if images.is_empty() {
            let what = match &config.image_list_name {
                Some(name) => format!("{name} lists no images"),
                None => "no images were given".to_owned(),
            };
            run_error = Some(GateError::new(ErrorKind::ImageList, format!("{what}: add a line `IMAGE [DOCKERFILE]` per image, or pass --image")));
        }
        let api = url.as_ref().and_then(|u| u.api);
        let base = match (&url, api) {
            (Some(url), Some(api)) => url.base(api),
            _ => String::new(),
        };
        let submit = SubmitOptions { autosubscribe: config.autosubscribe, force: config.force, annotations: config.annotations.clone() };
        let jitter = Jitter::new(config.seed);
        let mut gate = Gate {
            url,
            api,
            base,
            submit,
            images,
            probe: Probe { next_at: now, ..Default::default() },
            in_flight: BTreeMap::new(),
            events: VecDeque::new(),
            saves: VecDeque::new(),
            next_id: 1,
            now,
            wall_offset: wall as i64 - now as i64,
            report: None,
            started_at: now,
            finished_at: None,
            engine_reached: false,
            unreachable_failures: 0,
            run_error: None,
            jitter,
            config,
        };
        if let Some(error) = run_error {
            gate.abort(error);
        }
        gate
    }

    pub fn handle_input(&mut self, now: Millis, input: Input) {
        self.now = self.now.max(now);
        match input {
            Input::Timeout => {}
            Input::Response { id, status, body, retry_after } => {
                if let Some(target) = self.in_flight.remove(&id) {
                    self.engine_reached = true;
                    let retry_after = retry_after.as_deref().and_then(|v| clock::retry_after(v, self.wall(self.now)));
                    self.on_response(target, status, &body, retry_after);
                    if let Target::Image(index) = target {
                        if let Some(accepted) = self.images[index].accepted.take() {
                            self.saves.push_back((id, accepted.file(index)));
                        }
                    }
                }
            }
            Input::Failure { id, kind, message } => {
                if let Some(target) = self.in_flight.remove(&id) {
                    self.on_failure(target, kind, &message);
                }
            }
        }
        self.expire();
    }

    /// The next thing for the caller to do. See the module docs.
    pub fn poll_output(&mut self) -> Output {
        if let Some((id, file)) = self.saves.pop_front() {
            return Output::SaveBody { id, file };
        }
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        if self.is_done() {
            if self.finished_at.is_none() {
                self.finished_at = Some(self.now);
                self.report = Some(self.decided_report());
                self.summary_event();
                if let Some(event) = self.events.pop_front() {
                    return Output::Event(event);
                }
            }
            return Output::Done;
        }
        if let Some(transmit) = self.next_transmit() {
            return Output::Transmit(transmit);
        }
        Output::Timeout { at: self.next_wake() }
    }

    pub fn is_done(&self) -> bool {
        self.images.iter().all(|i| i.step == Step::Done)
    }

    fn next_transmit(&mut self) -> Option<Transmit> {
        let request = self.url.as_ref()?.version_request();
        if self.api.is_none() {
            if self.probe.in_flight.is_none() && self.probe.next_at <= self.now {
                let id = self.take_id(Target::Version);
                self.probe.in_flight = Some(id);
                return Some(Transmit { id, image: None, request });
            }
            return None;
        }
        // Every image is submitted at once, as the plugin does: the engine queues the analyses
        // itself, and holding an image back would only delay its verdict. `concurrency` caps the
        // requests in flight instead (the big policy and vulnerability downloads among them).
        for image in self.images.iter_mut().filter(|i| i.step == Step::Queued) {
            image.start(self.now, self.config.timeout_ms);
        }
        if self.in_flight.len() >= self.config.concurrency as usize {
            return None;
        }
        let api = self.api?;
        let index = self.images.iter().position(|i| i.is_active() && i.in_flight.is_none() && i.next_at <= self.now)?;
        let request = self.images[index].request(api, &self.base, &self.config, &self.submit);
        let id = self.take_id(Target::Image(index));
        let image = &mut self.images[index];
        image.in_flight = Some(id);
        image.requests += 1;
        Some(Transmit { id, image: Some(index), request })
    }

    fn take_id(&mut self, target: Target) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, target);
        id
    }

    fn next_wake(&self) -> Millis {
        let mut at = Millis::MAX;
        if self.api.is_none() && self.probe.in_flight.is_none() {
            at = at.min(self.probe.next_at);
        }
        if self.api.is_none() {
            at = at.min(self.started_at.saturating_add(self.config.timeout_ms));
        }
        // With `concurrency` requests in flight, an answer (not the clock) frees the next slot.
        let slot_free = self.in_flight.len() < self.config.concurrency as usize;
        for image in self.images.iter().filter(|i| i.is_active()) {
            if image.in_flight.is_none() && slot_free {
                at = at.min(image.next_at);
            }
            if let Some(deadline) = image.deadline {
                at = at.min(deadline);
            }
        }
        // With every request in flight and no deadline yet, wake up now and then anyway.
        if at == Millis::MAX {
            at = self.now + 60_000;
        }
        at.max(self.now)
    }

    /// Ends the images whose timeout has passed, and the run if `GET /version` never succeeded.
    fn expire(&mut self) {
        let now = self.now;
        if self.api.is_none() && self.url.is_some() && !self.is_done() && now >= self.started_at.saturating_add(self.config.timeout_ms) {
            let why = self.probe.last_failure.clone().unwrap_or_else(|| "no answer".into());
            self.abort(GateError::new(
                ErrorKind::EngineUnreachable,
                format!("the engine at {} did not answer GET /version within {}: {why}", self.display_url(), seconds(self.config.timeout_ms)),
            ));
            return;
        }
        for image in self.images.iter_mut() {
            if image.is_active() && image.deadline.is_some_and(|d| now >= d) {
                let error = image.timeout_error(self.config.timeout_ms);
                if let Some(id) = image.in_flight.take() {
                    self.in_flight.remove(&id);
                }
                let event = image.finish_with_error(error, now);
                self.events.push_back(event);
            }
        }
    }

    fn display_url(&self) -> String {
        self.url.as_ref().map_or_else(|| engine::display_url(&self.config.engine_url), |u| u.display.clone())
    }

    fn on_response(&mut self, target: Target, status: u16, body: &str, retry_after: Option<Millis>) {
        if status == 401 {
            self.abort(GateError::new(
                ErrorKind::Unauthorized,
                format!(
                    "the engine at {} refused the credentials (401 Unauthorized): check --user and --password (or ANCHORE_CLI_USER and ANCHORE_CLI_PASS)",
                    self.display_url()
                ),
            ));
            return;
        }
        match target {
            Target::Version => self.on_version(status, body, retry_after),
            Target::Image(index) => {
                let api = self.api.expect("image requests are only sent once the API is known");
                let outcome = self.images[index].on_response(api, &self.config, status, body, self.now);
                let outcome = self.images[index].retry_damaged_body(outcome, status, body);
                self.apply(index, outcome, retry_after);
            }
        }
    }

    fn on_version(&mut self, status: u16, body: &str, retry_after: Option<Millis>) {
        self.probe.in_flight = None;
        let detected = match status {
            200..=299 => engine::api_from_version(body).map_err(|e| e.to_string()),
            // An engine without /version predates v2.
            404 => Ok(ApiVersion::V1),
            _ => Err(format!("HTTP {status} from GET /version: {}", engine::EngineError::parse(body).describe())),
        };
        match detected {
            Ok(api) => {
                let url = self.url.as_ref().expect("probes are only sent with a URL");
                self.base = url.base(api);
                self.api = Some(api);
                let message = format!("engine at {} speaks API {} (base {})", url.display, api.as_str(), self.base);
                self.push_event(EventKind::ApiDetected, Level::Info, None, message);
            }
            Err(why) if (400..500).contains(&status) && status != 429 => {
                self.abort(GateError::new(ErrorKind::Rejected, format!("the engine at {} answered GET /version with {why}", self.display_url())));
            }
            Err(why) => {
                self.probe.failures += 1;
                let delay = backoff(self.probe.failures, &mut self.jitter).max(retry_after.unwrap_or(0));
                self.probe.next_at = self.now + delay;
                self.push_event(EventKind::Retrying, Level::Debug, None, format!("{why}; retrying in {}", seconds(delay)));
                self.probe.last_failure = Some(why);
            }
        }
    }

    fn on_failure(&mut self, target: Target, kind: FailureKind, message: &str) {
        let url = self.display_url();
        match kind {
            FailureKind::Tls => {
                return self.abort(GateError::new(
                    ErrorKind::EngineUnreachable,
                    format!(
                        "TLS connection to {url} failed: {message}. If the engine uses a private CA, pass --ca-cert FILE; --insecure turns verification off"
                    ),
                ));
            }
            FailureKind::TooLarge => {
                if let Target::Image(index) = target {
                    let image = &mut self.images[index];
                    image.in_flight = None;
                    let error = GateError::new(ErrorKind::BadResponse, format!("{}: {message}", image.step_label()));
                    let event = image.finish_with_error(error, self.now);
                    self.events.push_back(event);
                    return;
                }
            }
            FailureKind::Network | FailureKind::Timeout => {}
        }
        if !self.engine_reached {
            let attempts = 1 + match target {
                Target::Version => self.probe.failures,
                Target::Image(index) => self.images[index].failures,
            };
            self.unreachable_failures = self.unreachable_failures.max(attempts);
            if attempts >= UNREACHABLE_LIMIT {
                return self.abort(GateError::new(
                    ErrorKind::EngineUnreachable,
                    format!("cannot reach the engine at {url}: {message} ({} attempts); check --engine-url and that the engine is up", self.unreachable_failures),
                ));
            }
        }
        match target {
            Target::Version => {
                self.probe.in_flight = None;
                self.probe.failures += 1;
                let delay = backoff(self.probe.failures, &mut self.jitter);
                self.probe.next_at = self.now + delay;
                self.probe.last_failure = Some(message.to_owned());
                self.push_event(EventKind::Retrying, Level::Debug, None, format!("GET /version: {message}; retrying in {}", seconds(delay)));
            }
            Target::Image(index) => {
                let label = self.images[index].step_label();
                self.apply(index, image::Outcome::Retry(format!("{label}: {message}")), None);
            }
        }
    }

    fn apply(&mut self, index: usize, outcome: image::Outcome, retry_after: Option<Millis>) {
        let now = self.now;
        let image = &mut self.images[index];
        image.in_flight = None;
        match outcome {
            image::Outcome::Events(events) => {
                for (kind, level, message) in events {
                    self.events.push_back(Event { kind, level, image: Some(index), message });
                }
                if image.step == Step::Done {
                    let event = image.finished_event(&self.config.decision, self.wall_offset.saturating_add(now as i64).max(0) as Millis);
                    self.events.push_back(event);
                }
            }
            image::Outcome::Retry(why) => {
                image.failures += 1;
                let delay = backoff(image.failures, &mut self.jitter).max(retry_after.unwrap_or(0));
                image.next_at = now + delay;
                let level = if image.failures >= 3 { Level::Warn } else { Level::Debug };
                let message = format!("{why}; retry {} in {}", image.failures, seconds(delay));
                image.last_failure = Some(why);
                self.events.push_back(Event { kind: EventKind::Retrying, level, image: Some(index), message });
            }
            image::Outcome::Fail(error) => {
                let event = image.finish_with_error(error, now);
                self.events.push_back(event);
            }
        }
    }

    /// Ends every image that has no result yet with `error` (a 401, an unreachable engine, a bad URL).
    fn abort(&mut self, error: GateError) {
        let now = self.now;
        self.in_flight.clear();
        self.probe.in_flight = None;
        let mut ended = 0;
        for image in self.images.iter_mut().filter(|i| i.step != Step::Done) {
            image.in_flight = None;
            let _ = image.finish_with_error(error.clone(), now);
            ended += 1;
        }
        let message = if ended > 0 { format!("{} ({ended} image(s) not scanned)", error.message) } else { error.message.clone() };
        self.push_event(EventKind::Aborted, Level::Error, None, message);
        self.run_error.get_or_insert(error);
    }

    fn push_event(&mut self, kind: EventKind, level: Level, image: Option<usize>, message: String) {
        self.events.push_back(Event { kind, level, image, message });
    }

    fn summary_event(&mut self) {
        let report = self.report.as_ref().expect("decided when the run ended");
        let t = &report.totals;
        let message = format!(
            "verdict {} (exit {}): {} image(s), {} passed, {} failed, {} errored",
            match report.verdict {
                Status::Pass => "PASS",
                Status::Fail => "FAIL",
                Status::Error => "ERROR",
            },
            report.exit_code,
            t.images,
            t.passed,
            t.failed,
            t.errored
        );
        let level = if report.verdict == Status::Pass { Level::Info } else { Level::Error };
        let expired: Vec<String> = report.allowlist.iter().flat_map(|a| &a.expired).map(|expired| {
            format!(
                "allowlist entry {} ({}) expired on {} and no longer applies: {}",
                expired.entry, expired.matches, expired.expires, expired.reason
            )
        }).collect();
        for message in expired {
            self.push_event(EventKind::Warning, Level::Warn, None, message);
        }
        self.push_event(EventKind::Finished, level, None, message);
    }

    /// Wall time at monotonic time `at`.
    fn wall(&self, at: Millis) -> Millis {
        self.wall_offset.saturating_add(at as i64).max(0) as Millis
    }

    /// The report, built by moving every image's row out, decided with the gate's options as of
    /// the end of the run.
    fn decided_report(&mut self) -> Report {
        let images = self.images.iter_mut().map(|i| i.row.take().expect("every image that is done has its row")).collect();
        let now = self.wall(self.finished_at.unwrap_or(self.now));
        let mut report = Report {
            schema: model::SCHEMA.to_owned(),
            tool: Tool { name: "anchore-gate".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
            engine: EngineInfo { url: self.display_url(), api: self.api },
            verdict: Status::Error,
            exit_code: 2,
            started_at: rfc3339(self.wall(self.started_at)),
            finished_at: rfc3339(now),
            options: DecisionOptions {
                policy_id: self.config.policy_id.clone(),
                exclude_base: self.config.exclude_base,
                vuln_type: self.config.vuln_type.as_str().to_owned(),
                fail_on_stop: self.config.decision.fail_on_stop,
                fail_on_error: self.config.decision.fail_on_error,
                fail_on_warn: self.config.decision.fail_on_warn,
                fail_on_severity: self.config.decision.fail_on_severity,
                only_fixed: self.config.decision.only_fixed,
                timeout_seconds: self.config.timeout_ms as f64 / 1000.0,
            },
            totals: model::Totals::default(),
            error: self.run_error.clone(),
            allowlist: None,
            decided_at: None,
            images,
        };
        decision::decide(&mut report, &self.config.decision, now);
        report
    }

    /// The decided report, once [`Output::Done`] was returned.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// Ends the run and moves its result out. A run that has not ended is stopped first: every
    /// image without a result ends with an error saying so.
    pub fn finish(mut self) -> Finished {
        if self.report.is_none() {
            if !self.is_done() {
                self.abort(GateError::new(ErrorKind::Internal, "the run was stopped before every image had a result"));
            }
            while !matches!(self.poll_output(), Output::Done) {}
        }
        let report = self.report.take().expect("decided when the run ended");
        let (evaluations, listed) = self.images.iter_mut().map(ImageRun::take_evaluation).unzip();
        Finished { report, evaluations, listed, api: self.api }
    }

    /// The run after the core itself failed (a panic, explained by the caller as `message`): a
    /// report with a row per image, each ended by the failure unless its line already was.
    pub fn failed(config: Config, now: Millis, wall: Millis, message: &str) -> Finished {
        let mut gate = Gate::with_wall_clock(config, now, wall);
        let error = GateError::new(ErrorKind::Internal, format!("the gate's core failed, so no image was decided: {message}"));
        gate.abort(error.clone());
        gate.run_error = Some(error);
        gate.finish()
    }

    pub fn api(&self) -> Option<ApiVersion> {
        self.api
    }
}

/// What a run leaves behind: the decided report and, per image, what the Jenkins plugin's files
/// need beside its row.
pub struct Finished {
    pub report: Report,
    /// The policy evaluation's metadata (its findings are in the report's row).
    pub evaluations: Vec<Option<Evaluation>>,
    /// Whether the engine listed the image's vulnerabilities.
    pub listed: Vec<bool>,
    /// `None` when the API was never learnt.
    pub api: Option<ApiVersion>,
}

#[cfg(test)]
mod tests;
