//! The engine's HTTP API: which version it speaks, the requests the gate sends and how the
//! answers read. `v1` is Anchore Engine (and Enterprise < 4.9), `v2` is Anchore Enterprise ≥ 4.9.
//! Requests are plain data ([`HttpRequest`]); the caller sends them and adds the credentials.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, GateError, ParseError};

pub mod v1;
pub mod v2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

/// A request for the caller to send. `url` is absolute; the caller adds `Authorization`,
/// `x-anchore-account`, `User-Agent` and `Content-Type: application/json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub body: Option<String>,
}

impl HttpRequest {
    pub fn get(url: String) -> Self {
        HttpRequest { method: Method::Get, url, body: None }
    }
}

/// The engine URL as the user gave it, without credentials and trailing slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineUrl {
    /// Safe to print and to put in reports: any `user:password@` is removed.
    pub display: String,
    /// The API version named by a `/v1` or `/v2` suffix, if any.
    pub api: Option<ApiVersion>,
    /// The URL without the version suffix, for `GET /version`.
    root: String,
}

impl EngineUrl {
    pub fn parse(url: &str) -> Result<EngineUrl, GateError> {
        let bad = |why: &str| GateError::new(ErrorKind::Config, format!("engine URL: {why} (expected e.g. http://anchore.example.com:8228/v1)"));
        let url = url.trim();
        if url.is_empty() {
            return Err(bad("none given; pass --engine-url or set ANCHORE_CLI_URL"));
        }
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("it has no http:// or https:// scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad(&format!("scheme \"{scheme}\" is not http or https")));
        }
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        // Credentials in the URL never go further than this line.
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        // A password with an unencoded `/`, `?` or `#` ends the authority early, and the rest of
        // it would read as the path: refuse, and never print any of it.
        if path.contains('@') {
            return Err(bad("it has an '@' after the host name; percent-encode a '/', '?', '#' or '@' in the user or password (or pass them with --user and --password)"));
        }
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        if path.contains(['?', '#']) {
            return Err(bad("it must not have a query or fragment"));
        }
        let path = path.trim_end_matches('/');
        let (root_path, api) = match path.rsplit_once('/') {
            Some((root, "v1")) => (root, Some(ApiVersion::V1)),
            Some((root, "v2")) => (root, Some(ApiVersion::V2)),
            _ => (path, None),
        };
        let root = format!("{scheme}://{host}{root_path}");
        let display = format!("{scheme}://{host}{path}");
        Ok(EngineUrl { display, api, root })
    }

    /// `GET /version`: unauthenticated; `api.version == "2"` means v2 (engine-api.md §4.1).
    pub fn version_request(&self) -> HttpRequest {
        HttpRequest::get(format!("{}/version", self.root))
    }

    /// The base every API path is appended to.
    pub fn base(&self, api: ApiVersion) -> String {
        format!("{}/{}", self.root, api.as_str())
    }
}

/// The engine URL as messages, banners and reports show it: [`EngineUrl::display`], or
/// [`redacted_url`] when it does not parse.
pub fn display_url(url: &str) -> String {
    EngineUrl::parse(url).map_or_else(|_| redacted_url(url), |u| u.display)
}

/// A URL that [`EngineUrl::parse`] refused, fit for messages and reports: everything up to the
/// last `@` after the scheme (a user and password, even a badly written one) and any query or
/// fragment (tokens) are dropped.
pub fn redacted_url(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest.to_owned(),
    }
}

/// Reads a `GET /version` body: v2 servers fill `api.version` with `"2"`, v1 servers leave `api` empty.
pub fn api_from_version(body: &str) -> Result<ApiVersion, ParseError> {
    #[derive(Deserialize)]
    struct Version {
        #[serde(default)]
        api: Option<Api>,
    }
    #[derive(Deserialize)]
    struct Api {
        #[serde(default)]
        version: Option<serde_json::Value>,
    }
    let v: Version = serde_json::from_str(body).map_err(|e| ParseError::new("GET /version", "", e.to_string()))?;
    let is_v2 = v.api.and_then(|a| a.version).is_some_and(|v| v == "2" || v == 2);
    Ok(if is_v2 { ApiVersion::V2 } else { ApiVersion::V1 })
}

/// What to send with `POST /images`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOptions {
    pub autosubscribe: bool,
    pub force: bool,
    pub annotations: BTreeMap<String, String>,
}

/// The Dockerfile as the plugin sends it: lines re-joined with `\n` (CRLF normalised, a final
/// newline always present), base64 with the standard alphabet and no wrapping.
pub fn encode_dockerfile(content: &str) -> String {
    let mut text = String::with_capacity(content.len() + 1);
    for line in content.lines() {
        text.push_str(line);
        text.push('\n');
    }
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// `analysis_status` of an image record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisStatus {
    NotAnalyzed,
    Analyzing,
    Analyzed,
    AnalysisFailed,
    /// A state this gate does not know; treated as "not yet".
    #[serde(untagged)]
    Other(String),
}

impl AnalysisStatus {
    pub fn parse(s: &str) -> AnalysisStatus {
        match s {
            "not_analyzed" => AnalysisStatus::NotAnalyzed,
            "analyzing" => AnalysisStatus::Analyzing,
            "analyzed" => AnalysisStatus::Analyzed,
            "analysis_failed" => AnalysisStatus::AnalysisFailed,
            other => AnalysisStatus::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AnalysisStatus::NotAnalyzed => "not_analyzed",
            AnalysisStatus::Analyzing => "analyzing",
            AnalysisStatus::Analyzed => "analyzed",
            AnalysisStatus::AnalysisFailed => "analysis_failed",
            AnalysisStatus::Other(s) => s,
        }
    }
}

/// The two fields of an image record the gate needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRecord {
    pub digest: String,
    pub analysis_status: AnalysisStatus,
}

/// A digest as it may go into a URL path: `algorithm:hex`, nothing else.
pub(crate) fn check_digest(digest: &str, what: &'static str, path: &str) -> Result<(), ParseError> {
    let ok = digest.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty()
            && alg.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-' | '_'))
            && hex.len() >= 32
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(what, path, format!("\"{}\" is not an image digest", truncate(digest, 80))))
    }
}

/// What an engine error body says, whichever of its shapes it has: the engine's
/// `{message, httpcode, detail:{error_codes, raw_exception_message}}`, RFC 7807
/// `{title, detail}` from request validation, or plain text (the 401).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineError {
    pub message: String,
    pub error_codes: Vec<String>,
    pub raw_exception_message: Option<String>,
}

impl EngineError {
    pub fn parse(body: &str) -> EngineError {
        #[derive(Deserialize)]
        struct Body {
            message: Option<String>,
            title: Option<String>,
            detail: Option<serde_json::Value>,
        }
        match serde_json::from_str::<Body>(body) {
            Ok(b) => {
                let detail = b.detail.unwrap_or_default();
                let error_codes = detail
                    .get("error_codes")
                    .and_then(|c| c.as_array())
                    .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let raw_exception_message = detail.get("raw_exception_message").and_then(|m| m.as_str()).map(str::to_owned);
                let message = match (b.message, b.title, detail.as_str()) {
                    (Some(m), _, _) => m,
                    (None, Some(t), Some(d)) => format!("{t}: {d}"),
                    (None, Some(t), None) => t,
                    (None, None, Some(d)) => d.to_owned(),
                    (None, None, None) => String::new(),
                };
                EngineError { message, error_codes, raw_exception_message }
            }
            Err(_) => EngineError { message: truncate(body.trim(), 300).to_owned(), ..Default::default() },
        }
    }

    /// One line for a person: the message, the error codes, and the registry's own words
    /// (the skopeo stderr carries the actual reason, e.g. "authentication required").
    pub fn describe(&self) -> String {
        let mut text = if self.message.is_empty() { "no message".to_owned() } else { self.message.clone() };
        if !self.error_codes.is_empty() {
            text.push_str(&format!(" ({})", self.error_codes.join(", ")));
        }
        if let Some(raw) = self.raw_exception_message.as_deref().and_then(registry_reason) {
            text.push_str(&format!(": {raw}"));
        }
        text
    }
}

/// The `msg="…"` of a skopeo error, which says what the registry answered.
fn registry_reason(raw: &str) -> Option<String> {
    let start = raw.find("msg=\"")? + 5;
    let rest = &raw[start..];
    let end = rest.find("\" ").or_else(|| rest.find('"')).unwrap_or(rest.len());
    let reason = rest[..end].replace("\\\\n", " ").replace("\\n", " ");
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    (!reason.is_empty()).then(|| truncate(&reason, 300).to_owned())
}

pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are). The plugin
/// concatenated values raw; a tag with `+` or `&` then meant something else.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn engine_urls() {
        let u = EngineUrl::parse("http://admin:s3cret@localhost:8228/v1/").unwrap();
        assert_eq!(u.display, "http://localhost:8228/v1");
        assert_eq!(u.api, Some(ApiVersion::V1));
        assert_eq!(u.base(ApiVersion::V1), "http://localhost:8228/v1");
        assert!(!format!("{u:?}").contains("s3cret"));

        let u = EngineUrl::parse("https://anchore.example.com/api/v2").unwrap();
        assert_eq!(u.api, Some(ApiVersion::V2));
        assert_eq!(u.base(ApiVersion::V2), "https://anchore.example.com/api/v2");

        let u = EngineUrl::parse("HTTPS://anchore.example.com:8443//").unwrap();
        assert_eq!(u.api, None);
        assert_eq!(u.version_request().url, "https://anchore.example.com:8443/version");
        assert_eq!(u.base(ApiVersion::V1), "https://anchore.example.com:8443/v1");

        for bad in ["", "anchore:8228", "ftp://x/v1", "http:///v1", "http://x/v1?a=b"] {
            let e = EngineUrl::parse(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config);
            assert!(e.message.starts_with("engine URL: "), "{}", e.message);
        }
    }

    #[test]
    fn badly_written_credentials_never_reach_a_message() {
        // An unencoded '/' or '#' in the password ends the authority early; the rest of the
        // password must not become the path (and so the display URL).
        for url in ["https://admin:xQ9/zW7@host/v1", "https://admin@corp:xQ9/zW7@host/v1", "http://u:xQ9?zW7@host/v1", "https://u:xQ9#zW7@host/v2"] {
            let e = EngineUrl::parse(url).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config);
            assert!(!e.message.contains("xQ9") && !e.message.contains("zW7"), "{url}: {}", e.message);
            let shown = redacted_url(url);
            assert!(!shown.contains("xQ9") && !shown.contains("zW7"), "{url} shown as {shown}");
        }
        assert_eq!(redacted_url("ftp://user:s3cret@host:21/x?token=t0k#f"), "ftp://host:21/x");
        assert_eq!(redacted_url("user:s3cret@anchore:8228"), "anchore:8228");
        assert_eq!(redacted_url(" http://anchore:8228/v1 "), "http://anchore:8228/v1");
        let u = EngineUrl::parse("https://admin:p@ss@host/v1").unwrap();
        assert_eq!(u.display, "https://host/v1");
    }

    #[test]
    fn version_detection_on_the_recorded_bodies() {
        assert_eq!(api_from_version(fixture!("v1-version-literal.json")).unwrap(), ApiVersion::V1);
        assert_eq!(api_from_version(fixture!("v2-version-literal.json")).unwrap(), ApiVersion::V2);
        assert!(api_from_version("<html>").is_err());
    }

    #[test]
    fn dockerfile_encoding_matches_the_plugin() {
        // "FROM debian:latest\nCMD [\"bash\"]\n" is the plugin README's example body value.
        assert_eq!(encode_dockerfile("FROM debian:latest\r\nCMD [\"bash\"]"), "RlJPTSBkZWJpYW46bGF0ZXN0CkNNRCBbImJhc2giXQo=");
        assert_eq!(encode_dockerfile("FROM debian:latest\nCMD [\"bash\"]\n"), "RlJPTSBkZWJpYW46bGF0ZXN0CkNNRCBbImJhc2giXQo=");
    }

    #[test]
    fn error_bodies() {
        let e = EngineError::parse(fixture!("v1-error-400-registry-permission-denied.json"));
        assert_eq!(e.message, "cannot fetch image digest/manifest from registry");
        assert_eq!(e.error_codes, ["REGISTRY_PERMISSION_DENIED"]);
        let d = e.describe();
        assert!(d.starts_with("cannot fetch image digest/manifest from registry (REGISTRY_PERMISSION_DENIED): "), "{d}");
        assert!(d.contains("denied: requested access to the resource is denied unauthorized: authentication required"), "{d}");

        let e = EngineError::parse(fixture!("v1-error-404-not-analyzed-analyzing.json"));
        assert_eq!(e.message, "image is not analyzed - analysis_status: analyzing");
        assert_eq!(EngineError::parse(fixture!("v1-error-404-image-data-not-found.json")).message, "image data not found in DB");
        assert_eq!(EngineError::parse("Unauthorized").message, "Unauthorized");
        let p = EngineError::parse(r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"'tag' is a required property"}"#);
        assert_eq!(p.message, "Bad Request: 'tag' is a required property");
    }

    #[test]
    fn query_encoding() {
        assert_eq!(encode_query("docker.io/alpine:3.9"), "docker.io%2Falpine%3A3.9");
        assert_eq!(encode_query("a+b&c=d é"), "a%2Bb%26c%3Dd%20%C3%A9");
    }

    #[test]
    fn digests() {
        assert!(check_digest("sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82", "x", "").is_ok());
        assert!(check_digest("sha256:../../etc", "x", "").is_err());
        assert!(check_digest("d05ecd4520cab5d9e5d877595fb0532a", "x", "").is_err());
    }
}
