//! grype's JSON output (`grype -o json`) as an image row, so the same gate (severity threshold,
//! only-fixed, allowlist) can decide on it without an Anchore Engine. grype has no policy
//! engine: its rows carry no policy verdict and only the vulnerability rules apply.

use serde::Deserialize;

use crate::error::ParseError;
use crate::model::ImageResult;
use crate::vuln::{Severity, Vulnerability};

const WHAT: &str = "grype report";

#[derive(Deserialize)]
struct Document {
    matches: Vec<Match>,
    #[serde(default)]
    source: Option<Source>,
    descriptor: Descriptor,
}

#[derive(Deserialize)]
struct Descriptor {
    name: String,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    target: serde_json::Value,
}

#[derive(Deserialize)]
struct Match {
    vulnerability: MatchedVulnerability,
    artifact: Artifact,
}

#[derive(Deserialize)]
struct MatchedVulnerability {
    id: String,
    #[serde(default)]
    severity: String,
    #[serde(rename = "dataSource", default)]
    data_source: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct Fix {
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    state: String,
}

#[derive(Deserialize)]
struct Artifact {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    locations: Vec<Location>,
}

#[derive(Deserialize)]
struct Location {
    #[serde(default)]
    path: String,
}

/// True when `body` looks like grype's JSON (its `descriptor.name` is "grype").
pub fn is_grype(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        descriptor: Descriptor,
    }
    serde_json::from_str::<Probe>(body).is_ok_and(|p| p.descriptor.name == "grype")
}

/// One image row from a grype report; `name` (the file) stands in when grype names no image.
pub fn image(body: &str, name: &str) -> Result<ImageResult, ParseError> {
    let doc: Document = serde_json::from_str(body).map_err(|e| ParseError::new(WHAT, "", format!("{name}: {e}")))?;
    if doc.descriptor.name != "grype" {
        return Err(ParseError::new(WHAT, "descriptor.name", format!("{name}: \"{}\" is not grype", doc.descriptor.name)));
    }
    let (image, digest) = match &doc.source {
        Some(Source { kind, target }) if kind == "image" => (
            target.get("userInput").and_then(|v| v.as_str()).unwrap_or(name).to_owned(),
            target.get("manifestDigest").and_then(|v| v.as_str()).filter(|d| !d.is_empty()).map(str::to_owned),
        ),
        Some(Source { target, .. }) => (target.as_str().filter(|t| *t != "unknown").unwrap_or(name).to_owned(), None),
        None => (name.to_owned(), None),
    };
    let vulnerabilities: Vec<Vulnerability> = doc
        .matches
        .into_iter()
        .map(|m| {
            let v = m.vulnerability;
            let a = m.artifact;
            // Only a "fixed" state with versions is a fix; "not-fixed", "wont-fix", "unknown" are not.
            let fix = v.fix.filter(|f| f.state == "fixed" && !f.versions.is_empty()).map(|f| f.versions.join(", "));
            let url = Some(v.data_source).filter(|s| !s.is_empty()).or_else(|| v.urls.into_iter().next());
            Vulnerability {
                severity: Severity::parse(&v.severity),
                package: if a.version.is_empty() { a.name.clone() } else { format!("{}-{}", a.name, a.version) },
                package_name: a.name,
                package_version: a.version,
                package_type: a.kind,
                package_path: a.locations.into_iter().map(|l| l.path).find(|p| !p.is_empty()),
                fix,
                url,
                feed_group: v.namespace,
                inherited_from_base: None,
                allowlisted: None,
                id: v.id,
            }
        })
        .collect();
    Ok(ImageResult {
        source: name.to_owned(),
        image,
        digest,
        no_policy: true,
        vulnerability_counts: crate::model::count_by_severity(&vulnerabilities),
        vulnerabilities,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const IMAGE: &str = include_str!("../../tests/fixtures/grype/grype-image-golden.json");
    const EMPTY: &str = include_str!("../../tests/fixtures/grype/grype-empty-golden.json");

    #[test]
    fn reads_grypes_own_golden_output() {
        assert!(is_grype(IMAGE));
        let row = image(IMAGE, "scan.json").unwrap();
        assert_eq!(row.image, "user-input");
        assert_eq!(row.digest.as_deref(), Some("sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5"));
        assert!(row.no_policy);
        assert_eq!(row.vulnerabilities.len(), 2);
        let low = &row.vulnerabilities[0];
        assert_eq!((low.id.as_str(), low.severity, low.package.as_str(), low.package_type.as_str()), ("CVE-1999-0001", Severity::Low, "package-1-1.1.1", "rpm"));
        assert_eq!(low.fix.as_deref(), Some("1.2.1, 2.1.3, 3.4.0"));
        assert_eq!(low.package_path.as_deref(), Some("/foo/bar/somefile-1.txt"));
        let critical = &row.vulnerabilities[1];
        assert_eq!((critical.severity, critical.fix.as_deref()), (Severity::Critical, None));
        assert_eq!(row.vulnerability_counts.get(&Severity::Critical), Some(&1));
    }

    #[test]
    fn empty_and_foreign_documents() {
        let row = image(EMPTY, "empty.json").unwrap();
        assert_eq!((row.image.as_str(), row.vulnerabilities.len()), ("empty.json", 0));
        assert!(!is_grype(fixture!("v1-vuln-os-debian.json")));
        let e = image(r#"{"matches": [], "descriptor": {"name": "trivy"}}"#, "t.json").unwrap_err();
        assert!(e.to_string().contains("\"trivy\" is not grype"), "{e}");
        let e = image(r#"{"matches": [{"vulnerability": {}}], "descriptor": {"name": "grype"}}"#, "bad.json").unwrap_err();
        assert!(e.to_string().contains("bad.json") && e.to_string().contains("missing field"), "{e}");
    }
}
