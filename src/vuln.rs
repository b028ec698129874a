//! Vulnerability listings: `GET /images/{digest}/vuln/{type}`, v1 (`imageDigest`) and v2
//! (`image_digest`, `inherited_from_base`) envelopes, read into one list of [`Vulnerability`].

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::json::{json_error, FlexBool, Object, Text};

/// Which entry covers a vulnerability, as shown in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowlistHit {
    /// 1-based position in the allowlist.
    pub entry: u32,
    pub reason: String,
    pub expires: Option<String>,
}


/// Engine severities, most severe first (the plugin sorted them alphabetically; we don't).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Negligible,
    #[default]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// `vuln`: CVE/GHSA/RHSA id.
    pub id: String,
    pub severity: Severity,
    /// `name-version`, as the engine writes it.
    pub package: String,
    pub package_name: String,
    pub package_version: String,
    pub package_type: String,
    pub package_path: Option<String>,
    /// `None` where the engine says `"None"`.
    pub fix: Option<String>,
    pub url: Option<String>,
    pub feed_group: Option<String>,
    pub inherited_from_base: Option<bool>,
    /// The gate's allowlist entry (`--allowlist`) that covers it; shown, not hidden.
    #[serde(default)]
    pub allowlisted: Option<AllowlistHit>,
}

/// The vuln types of `/vuln/{type}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VulnType {
    #[serde(rename = "all")]
    All,
    #[serde(rename = "os")]
    Os,
    #[serde(rename = "non-os")]
    NonOs,
}

impl VulnType {
    pub fn as_str(self) -> &'static str {
        match self {
            VulnType::All => "all",
            VulnType::Os => "os",
            VulnType::NonOs => "non-os",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnListing {
    pub vulnerability_type: String,
    pub vulnerabilities: Vec<Vulnerability>,
}

/// `what` of the errors [`parse`] returns.
pub const WHAT: &str = "vulnerability listing";

impl Severity {
    /// Most severe first.
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Negligible,
        Severity::Unknown,
    ];

    /// Case-insensitive engine severity; anything else is `Unknown`.
    pub fn parse(s: &str) -> Severity {
        Severity::named(s).unwrap_or(Severity::Unknown)
    }

    /// Case-insensitive severity name, as a user writes it (`--fail-on-severity high`).
    pub fn named(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The engine's spelling (`Critical`, `High`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
            Severity::Negligible => "Negligible",
            Severity::Unknown => "Unknown",
        }
    }
}

/// The envelope of both versions. The digest key (`imageDigest` in v1, `image_digest` in v2) is
/// not needed: the caller asked for that digest. `nvd_data`, `vendor_data` and the other extras
/// are skipped unread.
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(default)]
    vulnerability_type: Option<String>,
    #[serde(borrow)]
    vulnerabilities: Vec<Row<'a>>,
}

#[derive(Deserialize)]
struct Row<'a> {
    vuln: String,
    #[serde(borrow)]
    severity: Text<'a>,
    #[serde(default)]
    package: String,
    #[serde(default)]
    package_name: String,
    #[serde(default)]
    package_version: String,
    #[serde(default)]
    package_type: String,
    #[serde(borrow, default)]
    package_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    fix: Option<Text<'a>>,
    #[serde(borrow, default)]
    url: Option<Text<'a>>,
    #[serde(borrow, default)]
    feed_group: Option<Text<'a>>,
    /// v2 only; the engine has been seen to write it as a string.
    #[serde(default)]
    inherited_from_base: FlexBool,
}

/// The engine writes a missing value as the string `"None"`; `null` and `""` mean the same.
fn engine_opt(t: Option<Text>) -> Option<String> {
    t.map(|t| t.0)
        .filter(|s| !s.is_empty() && s != "None")
        .map(|s| s.into_owned())
}

/// Reads a `/vuln/{type}` response of either API version.
pub fn parse(body: &str) -> Result<VulnListing, ParseError> {
    let Object(parsed): Object<Body> =
        serde_json::from_str(body).map_err(|e| json_error(WHAT, body, e))?;
    let vulnerabilities = parsed
        .vulnerabilities
        .into_iter()
        .map(|r| Vulnerability {
            id: r.vuln,
            severity: Severity::parse(&r.severity.0),
            package: r.package,
            package_name: r.package_name,
            package_version: r.package_version,
            package_type: r.package_type,
            package_path: engine_opt(r.package_path),
            fix: engine_opt(r.fix),
            url: engine_opt(r.url),
            feed_group: engine_opt(r.feed_group),
            inherited_from_base: r.inherited_from_base.0,
            allowlisted: None,
        })
        .collect();
    Ok(VulnListing {
        vulnerability_type: parsed.vulnerability_type.unwrap_or_default(),
        vulnerabilities,
    })
}

/// Drops the rows inherited from the base image (the plugin's `excludeFromBaseImage`); returns
/// how many were dropped.
pub fn remove_inherited(list: &mut Vec<Vulnerability>) -> usize {
    let before = list.len();
    list.retain(|v| v.inherited_from_base != Some(true));
    before - list.len()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn err(body: &str) -> ParseError {
        match parse(body) {
            Err(e) => e,
            Ok(l) => panic!("expected an error, got {l:?}"),
        }
    }

    fn severities(list: &VulnListing) -> [usize; 6] {
        let mut n = [0; 6];
        for v in &list.vulnerabilities {
            n[v.severity as usize] += 1;
        }
        n
    }

    #[test]
    fn severity_parse_and_spelling() {
        assert_eq!(Severity::parse("Critical"), Severity::Critical);
        assert_eq!(Severity::parse("HIGH"), Severity::High);
        assert_eq!(Severity::parse("medium"), Severity::Medium);
        assert_eq!(Severity::parse("lOw"), Severity::Low);
        assert_eq!(Severity::parse("Negligible"), Severity::Negligible);
        assert_eq!(Severity::parse("Unknown"), Severity::Unknown);
        assert_eq!(Severity::parse("Moderate"), Severity::Unknown);
        assert_eq!(Severity::parse(""), Severity::Unknown);
        assert_eq!(Severity::High.as_str(), "High");
        assert_eq!(Severity::Negligible.as_str(), "Negligible");
        assert!(Severity::Critical < Severity::Low, "most severe first");
    }

    #[test]
    fn v1_alpine_all() {
        let l = parse(fixture!("v1-vuln-all-alpine.json")).unwrap();
        assert_eq!(l.vulnerability_type, "all");
        assert_eq!(l.vulnerabilities.len(), 2);
        let v = &l.vulnerabilities[0];
        assert_eq!(v.id, "CVE-2019-1543");
        assert_eq!(v.severity, Severity::Medium);
        assert_eq!(v.package, "libcrypto1.1-1.1.1a-r1");
        assert_eq!(
            (v.package_name.as_str(), v.package_version.as_str()),
            ("libcrypto1.1", "1.1.1a-r1")
        );
        assert_eq!(v.package_type, "APKG");
        assert_eq!(v.fix.as_deref(), Some("1.1.1b-r1"));
        assert_eq!(v.package_path, None, "the engine's \"None\"");
        assert_eq!(v.feed_group.as_deref(), Some("alpine:3.9"));
        assert_eq!(
            v.url.as_deref(),
            Some("http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-1543")
        );
        assert_eq!(v.inherited_from_base, None);
        assert_eq!(l.vulnerabilities[1].package, "libssl1.1-1.1.1a-r1");
    }

    #[test]
    fn v1_debian_os() {
        let l = parse(fixture!("v1-vuln-os-debian.json")).unwrap();
        assert_eq!(l.vulnerability_type, "os");
        assert_eq!(l.vulnerabilities.len(), 23);
        // Critical, High, Medium, Low, Negligible, Unknown
        assert_eq!(severities(&l), [1, 5, 11, 1, 4, 1]);
        assert_eq!(
            l.vulnerabilities.iter().filter(|v| v.fix.is_none()).count(),
            15
        );
        assert_eq!(
            l.vulnerabilities
                .iter()
                .filter(|v| v.package_path.is_none())
                .count(),
            20
        );
        assert!(l.vulnerabilities.iter().all(|v| v.url.is_some()));
        let debian = l
            .vulnerabilities
            .iter()
            .filter(|v| v.feed_group.as_deref() == Some("debian:9"))
            .count();
        let vulndb = l
            .vulnerabilities
            .iter()
            .filter(|v| v.feed_group.as_deref() == Some("vulndb:vulnerabilities"))
            .count();
        assert_eq!((debian, vulndb), (20, 3));
        let apt = &l.vulnerabilities[0];
        assert_eq!(
            (apt.id.as_str(), apt.severity, apt.package.as_str()),
            ("CVE-2011-3374", Severity::Negligible, "apt-1.4.9")
        );
    }

    #[test]
    fn v1_nvd_java_all() {
        let l = parse(fixture!("v1-vuln-all-nvd-java.json")).unwrap();
        assert_eq!(l.vulnerabilities.len(), 4);
        assert_eq!(severities(&l), [0, 4, 0, 0, 0, 0]);
        for v in &l.vulnerabilities {
            assert_eq!(v.fix, None);
            assert_eq!(v.package_type, "java");
            assert_eq!(v.feed_group.as_deref(), Some("nvdv2:cves"));
            assert!(v
                .package_path
                .as_deref()
                .unwrap()
                .starts_with("/usr/share/contoso-petstore/"));
        }
    }

    #[test]
    fn v1_empty_os() {
        let l = parse(fixture!("v1-vuln-os-empty.json")).unwrap();
        assert_eq!(
            (l.vulnerability_type.as_str(), l.vulnerabilities.len()),
            ("os", 0)
        );
    }

    /// No recorded v2 body exists: built from v2-openapi.yaml `ImagePackageVulnerabilityResponse`.
    const V2_BODY: &str = r#"{
      "image_digest": "sha256:aaaa", "base_digest": "sha256:bbbb", "base_image_problems": [],
      "vulnerability_type": "all", "extended_support": false,
      "vulnerabilities": [
        {"vuln": "CVE-2023-4911", "severity": "High", "fix": "2.36-9+deb12u3", "package": "libc6-2.36-9",
         "package_name": "libc6", "package_version": "2.36-9", "package_type": "dpkg", "package_path": "pkgdb",
         "url": "https://security-tracker.debian.org/tracker/CVE-2023-4911", "feed": "vulnerabilities",
         "feed_group": "debian:12", "package_cpe": "None", "will_not_fix": false, "description": "d",
         "purl": "pkg:deb/debian/libc6@2.36-9", "is_kev": true, "epss": [{"cve": "CVE-2023-4911", "epss": 0.9}],
         "nvd_data": [{"id": "CVE-2023-4911", "cvss_v3": {"base_score": 7.8}}], "vendor_data": [],
         "detected_at": "2024-01-01T00:00:00Z", "inherited_from_base": true},
        {"vuln": "GHSA-xxxx", "severity": "critical", "fix": "None", "package": "lodash-4.17.20",
         "package_name": "lodash", "package_version": "4.17.20", "package_type": "npm",
         "package_path": "/app/node_modules/lodash/package.json", "url": "None", "feed_group": "github:npm",
         "inherited_from_base": "false"},
        {"vuln": "CVE-2000-1", "severity": "Low", "fix": null, "package": "p-1", "package_name": "p",
         "package_version": "1", "package_type": "rpm", "package_path": null, "url": null, "feed_group": null,
         "inherited_from_base": null},
        {"vuln": "CVE-2000-2", "severity": "Negligible", "package": "q-1", "inherited_from_base": "TRUE"}
      ]
    }"#;

    #[test]
    fn v2_envelope_and_inherited_forms() {
        let l = parse(V2_BODY).unwrap();
        assert_eq!(l.vulnerability_type, "all");
        let got: Vec<_> = l
            .vulnerabilities
            .iter()
            .map(|v| (v.id.as_str(), v.severity, v.inherited_from_base))
            .collect();
        assert_eq!(
            got,
            [
                ("CVE-2023-4911", Severity::High, Some(true)),
                ("GHSA-xxxx", Severity::Critical, Some(false)),
                ("CVE-2000-1", Severity::Low, None),
                ("CVE-2000-2", Severity::Negligible, Some(true)),
            ]
        );
        let lodash = &l.vulnerabilities[1];
        assert_eq!((lodash.fix.as_deref(), lodash.url.as_deref()), (None, None));
        assert_eq!(
            lodash.package_path.as_deref(),
            Some("/app/node_modules/lodash/package.json")
        );
        let nulls = &l.vulnerabilities[2];
        assert_eq!(
            (
                &nulls.fix,
                &nulls.url,
                &nulls.package_path,
                &nulls.feed_group
            ),
            (&None, &None, &None, &None)
        );
        assert_eq!(l.vulnerabilities[0].fix.as_deref(), Some("2.36-9+deb12u3"));
    }

    #[test]
    fn remove_inherited_drops_only_true() {
        let mut list = parse(V2_BODY).unwrap().vulnerabilities;
        assert_eq!(remove_inherited(&mut list), 2);
        let ids: Vec<_> = list.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["GHSA-xxxx", "CVE-2000-1"]);
        assert_eq!(remove_inherited(&mut list), 0);
    }

    #[test]
    fn bad_bodies_name_the_place() {
        let e = err("Internal Server Error");
        assert_eq!((e.what, e.path.as_str()), (WHAT, ""));
        assert!(e.message.starts_with("not valid JSON"), "{}", e.message);

        let e = err(r#"[{"imageDigest": "sha256:x"}]"#);
        assert!(e.message.contains("expected an object"), "{}", e.message);

        let e = err(r#"{"imageDigest": "sha256:x", "vulnerability_type": "os"}"#);
        assert!(
            e.message.contains("missing field `vulnerabilities`"),
            "{}",
            e.message
        );

        let e = err(
            r#"{"vulnerabilities": [{"vuln": "a", "severity": "Low"}, {"vuln": "b", "severity": 5}]}"#,
        );
        assert_eq!(e.path, "vulnerabilities[1].severity");

        let e = err(
            r#"{"vulnerabilities": [{"vuln": "a", "severity": "Low", "inherited_from_base": "maybe"}]}"#,
        );
        assert_eq!(e.path, "vulnerabilities[0].inherited_from_base");

        let e = err(r#"{"vulnerabilities": [{"severity": "Low"}]}"#);
        assert_eq!(e.path, "vulnerabilities[0]");
        assert!(e.message.contains("missing field `vuln`"), "{}", e.message);
    }
}
