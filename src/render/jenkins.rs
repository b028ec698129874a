//! The Jenkins plugin's report files (jenkins-plugin.md §4.1), in the plugin's shapes, so that
//! scripts written against `AnchoreReport/anchore_gates.json` and `anchore_security.json` keep
//! working. Written with serde (never by string concatenation): every engine string is escaped.

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::engine::ApiVersion;
use crate::policy::{Evaluation, Finding};
use crate::vuln::Vulnerability;

pub const GATES_FILE: &str = "anchore_gates.json";
pub const SECURITY_FILE: &str = "anchore_security.json";

/// One line of the image list with what was learned about it.
pub struct JenkinsImage<'a> {
    /// The list token as written (the plugin's "Tag" column), not the engine's normalised tag.
    pub image: &'a str,
    pub digest: Option<&'a str>,
    pub evaluation: Option<&'a Evaluation>,
    /// The evaluation's findings (kept in the report's row, not in `evaluation`).
    pub findings: &'a [Finding],
    pub vulnerabilities: Option<&'a [Vulnerability]>,
    /// [`Evaluation::stop_action_details`] (v2 `failure_details`).
    pub stop_action_details: &'a str,
}

/// The engine's v1 table header (`bundles.py` `_row_json` order).
const V1_HEADER: [&str; 9] = [
    "Image_Id",
    "Repo_Tag",
    "Trigger_Id",
    "Gate",
    "Trigger",
    "Check_Output",
    "Gate_Action",
    "Whitelisted",
    "Policy_Id",
];
/// Later engines append this column; written only when the findings carry the flag.
const V1_INHERITED: &str = "Inherited_From_Base";

/// `anchore_gates.json`. v1: `{<image_id>: {"result": {final_action, header, row_count, rows}}}`
/// merged over the images (a repeated image id keeps its first position and takes the later
/// table, as the plugin's `JSONObject.put` did); v2: `[{image_digest, repo_tag, final_action,
/// failure_details, gate_results}]`. Images without an evaluation are left out; so are, in v1,
/// evaluations without a table (no detail, hence no image id).
pub fn anchore_gates_json(api: ApiVersion, images: &[JenkinsImage]) -> String {
    let mut out = Vec::new();
    write_gates(api, images, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`anchore_gates_json`], streamed into `w`.
pub fn write_gates(api: ApiVersion, images: &[JenkinsImage], w: &mut dyn Write) -> io::Result<()> {
    let out = match api {
        ApiVersion::V1 => {
            let mut tables: Vec<(&str, &Evaluation, &[Finding])> = Vec::new();
            for (ev, findings) in images.iter().filter_map(|i| i.evaluation.map(|ev| (ev, i.findings))) {
                let Some(id) = ev.image_id.as_deref() else {
                    continue;
                };
                match tables.iter_mut().find(|(k, _, _)| *k == id) {
                    Some(slot) => *slot = (id, ev, findings),
                    None => tables.push((id, ev, findings)),
                }
            }
            serde_json::to_writer(w, &V1Gates(&tables))
        }
        ApiVersion::V2 => serde_json::to_writer(w, &V2Gates(images)),
    };
    out.map_err(io::Error::from)
}

/// `anchore_security.json`, DataTables-ready `{columns: [{title}], data: [[…]]}`: one row per
/// vulnerability, images in list order. v1 has the plugin ≤ 2.0.0 columns (no "Inherited From
/// Base"), v2 the 3.x ones. Images without a listing add no rows.
pub fn anchore_security_json(api: ApiVersion, images: &[JenkinsImage]) -> String {
    let mut out = Vec::new();
    write_security(api, images, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`anchore_security_json`], streamed into `w`.
pub fn write_security(api: ApiVersion, images: &[JenkinsImage], w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(w, &Security { api, images }).map_err(io::Error::from)
}

// --- v1 gates -------------------------------------------------------------------------------

struct V1Gates<'a>(&'a [(&'a str, &'a Evaluation, &'a [Finding])]);

impl Serialize for V1Gates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (id, ev, findings) in self.0 {
            m.serialize_entry(id, &V1Entry { image_id: id, ev, findings })?;
        }
        m.end()
    }
}

struct V1Entry<'a> {
    image_id: &'a str,
    ev: &'a Evaluation,
    findings: &'a [Finding],
}

impl Serialize for V1Entry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("result", &V1Table(self))?;
        m.end()
    }
}

struct V1Table<'a>(&'a V1Entry<'a>);

impl Serialize for V1Table<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.0.ev;
        let inherited = self.0.findings.iter().any(|f| f.inherited_from_base.is_some());
        let mut header: Vec<&str> = V1_HEADER.to_vec();
        if inherited {
            header.push(V1_INHERITED);
        }
        // The table's own final_action is the policy's decision, before the image allow/deny list.
        let final_action = ev.policy_action.or(ev.final_action).map(|a| a.as_str());
        // Key order as the engine writes it (the plugin copied the engine's object).
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("final_action", &final_action)?;
        m.serialize_entry("header", &header)?;
        m.serialize_entry("row_count", &self.0.findings.len())?;
        m.serialize_entry(
            "rows",
            &V1Rows {
                entry: self.0,
                inherited,
            },
        )?;
        m.end()
    }
}

struct V1Rows<'a> {
    entry: &'a V1Entry<'a>,
    inherited: bool,
}

impl Serialize for V1Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.entry.ev;
        let mut seq = s.serialize_seq(Some(self.entry.findings.len()))?;
        for f in self.entry.findings {
            seq.serialize_element(&V1Row {
                image_id: self.entry.image_id,
                tag: &ev.evaluated_tag,
                f,
                inherited: self.inherited,
            })?;
        }
        seq.end()
    }
}

struct V1Row<'a> {
    image_id: &'a str,
    tag: &'a str,
    f: &'a Finding,
    inherited: bool,
}

impl Serialize for V1Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.f;
        let mut seq = s.serialize_seq(Some(if self.inherited { 10 } else { 9 }))?;
        seq.serialize_element(self.image_id)?;
        seq.serialize_element(self.tag)?;
        seq.serialize_element(&f.trigger_id)?;
        seq.serialize_element(&f.gate)?;
        seq.serialize_element(&f.trigger)?;
        seq.serialize_element(&f.message)?;
        seq.serialize_element(f.action.as_str())?;
        seq.serialize_element(&Whitelisted(f))?;
        seq.serialize_element(&f.policy_id)?;
        if self.inherited {
            seq.serialize_element(&f.inherited_from_base)?;
        }
        seq.end()
    }
}

/// `false`, or the engine's `{matched_rule_id, whitelist_id, whitelist_name}` (sorted keys, as
/// the engine writes them); `true` for an allowlisted finding whose match is unknown.
struct Whitelisted<'a>(&'a Finding);

impl Serialize for Whitelisted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (&self.0.allowlisted, &self.0.allowlist_match) {
            (false, _) => s.serialize_bool(false),
            (true, None) => s.serialize_bool(true),
            (true, Some(m)) => {
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("matched_rule_id", &m.matched_rule_id)?;
                map.serialize_entry("whitelist_id", &m.id)?;
                map.serialize_entry("whitelist_name", &m.name)?;
                map.end()
            }
        }
    }
}

// --- v2 gates -------------------------------------------------------------------------------

struct V2Gates<'a>(&'a [JenkinsImage<'a>]);

impl Serialize for V2Gates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for img in self.0 {
            if let Some(ev) = img.evaluation {
                seq.serialize_element(&V2Image { img, ev })?;
            }
        }
        seq.end()
    }
}

struct V2Image<'a> {
    img: &'a JenkinsImage<'a>,
    ev: &'a Evaluation,
}

impl Serialize for V2Image<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        // The engine's normalised tag, as the plugin wrote it (no UI link: that needs `anchoreui`).
        let repo_tag = if ev.evaluated_tag.is_empty() {
            self.img.image
        } else {
            &ev.evaluated_tag
        };
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("image_digest", &self.img.digest)?;
        m.serialize_entry("repo_tag", repo_tag)?;
        m.serialize_entry("final_action", &ev.final_action.map(|a| a.as_str()))?;
        m.serialize_entry("failure_details", self.img.stop_action_details)?;
        m.serialize_entry("gate_results", &V2Findings(self.img.findings))?;
        m.end()
    }
}

struct V2Findings<'a>(&'a [Finding]);

impl Serialize for V2Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            seq.serialize_element(&V2Finding(f))?;
        }
        seq.end()
    }
}

/// A finding in the engine's v2 names and the documented order (plus `allowlist_match`, which
/// the engine's finding objects carry).
struct V2Finding<'a>(&'a Finding);

impl Serialize for V2Finding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(11))?;
        m.serialize_entry("trigger_id", &f.trigger_id)?;
        m.serialize_entry("gate", &f.gate)?;
        m.serialize_entry("trigger", &f.trigger)?;
        m.serialize_entry("message", &f.message)?;
        m.serialize_entry("action", f.action.as_str())?;
        m.serialize_entry("allowlisted", &f.allowlisted)?;
        m.serialize_entry("allowlist_match", &f.allowlist_match)?;
        m.serialize_entry("inherited_from_base", &f.inherited_from_base)?;
        m.serialize_entry("policy_id", &f.policy_id)?;
        m.serialize_entry("recommendation", &f.recommendation)?;
        m.serialize_entry("rule_id", &f.rule_id)?;
        m.end()
    }
}

// --- security -------------------------------------------------------------------------------

const SECURITY_V1: [&str; 6] = [
    "Tag",
    "CVE ID",
    "Severity",
    "Vulnerability Package",
    "Fix Available",
    "URL",
];
const SECURITY_V2: [&str; 7] = [
    "Tag",
    "CVE ID",
    "Severity",
    "Vulnerability Package",
    "Fix Available",
    "Inherited From Base",
    "URL",
];

struct Security<'a> {
    api: ApiVersion,
    images: &'a [JenkinsImage<'a>],
}

impl Serialize for Security<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let titles: &[&str] = match self.api {
            ApiVersion::V1 => &SECURITY_V1,
            ApiVersion::V2 => &SECURITY_V2,
        };
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("columns", &Columns(titles))?;
        m.serialize_entry(
            "data",
            &SecurityRows {
                api: self.api,
                images: self.images,
            },
        )?;
        m.end()
    }
}

struct Columns<'a>(&'a [&'a str]);

impl Serialize for Columns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for t in self.0 {
            seq.serialize_element(&Title(t))?;
        }
        seq.end()
    }
}

struct Title<'a>(&'a str);

impl Serialize for Title<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("title", self.0)?;
        m.end()
    }
}

struct SecurityRows<'a> {
    api: ApiVersion,
    images: &'a [JenkinsImage<'a>],
}

impl Serialize for SecurityRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for img in self.images {
            for v in img.vulnerabilities.unwrap_or_default() {
                seq.serialize_element(&SecurityRow {
                    api: self.api,
                    image: img.image,
                    v,
                })?;
            }
        }
        seq.end()
    }
}

struct SecurityRow<'a> {
    api: ApiVersion,
    image: &'a str,
    v: &'a Vulnerability,
}

impl Serialize for SecurityRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.v;
        let mut seq = s.serialize_seq(None)?;
        seq.serialize_element(self.image)?;
        seq.serialize_element(&v.id)?;
        seq.serialize_element(v.severity.as_str())?;
        seq.serialize_element(&v.package)?;
        // The plugin copied the engine's strings, where "no fix" is "None".
        seq.serialize_element(v.fix.as_deref().unwrap_or("None"))?;
        if self.api == ApiVersion::V2 {
            // A string, as the plugin wrote it; "false" when the engine did not say.
            seq.serialize_element(if v.inherited_from_base == Some(true) {
                "true"
            } else {
                "false"
            })?;
        }
        seq.serialize_element(v.url.as_deref().unwrap_or("None"))?;
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::{json, Value};

    use super::*;
    use crate::policy::{self, Action, AllowlistMatch, EvalStatus};
    use crate::vuln::{self, Severity};

    const DETAIL_DIGEST: &str =
        "sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462";
    const IMAGE_ID: &str = "c1d974aa689be7e7bd02120230be10de2ea3f3beb85b1c4975cfb218b8468ef0";
    const HOSTILE: &str =
        "</script><img src=x onerror=alert(1)>\"quoted\" 'single'\nnew line\\back\u{2028}";

    fn image<'a>(
        image: &'a str,
        evaluation: Option<&'a Evaluation>,
        vulnerabilities: Option<&'a [Vulnerability]>,
    ) -> JenkinsImage<'a> {
        JenkinsImage {
            image,
            digest: Some("sha256:aaaa"),
            evaluation,
            findings: evaluation.map_or(&[], |e| &e.findings[..]),
            vulnerabilities,
            stop_action_details: "",
        }
    }

    fn finding(trigger_id: &str, action: Action) -> crate::policy::Finding {
        crate::policy::Finding {
            trigger_id: trigger_id.into(),
            gate: "vulnerabilities".into(),
            trigger: "package".into(),
            message: format!("message of {trigger_id}"),
            action,
            allowlisted: false,
            allowlist_match: None,
            inherited_from_base: None,
            policy_id: "p1".into(),
            recommendation: "r".into(),
            rule_id: "rule".into(),
        }
    }

    fn evaluation(image_id: Option<&str>, findings: Vec<crate::policy::Finding>) -> Evaluation {
        Evaluation {
            status: EvalStatus::Fail,
            final_action: Some(Action::Stop),
            final_action_reason: Some("policy_evaluation".into()),
            evaluated_tag: "docker.io/library/app:1".into(),
            policy_id: "bundle".into(),
            image_id: image_id.map(str::to_owned),
            last_evaluation: None,
            findings,
            policy_action: None,
        }
    }

    #[test]
    fn v1_gates_rebuild_the_engine_table() {
        let body = fixture!("v1-check-fail-detail.json");
        let ev = policy::parse_v1(body, DETAIL_DIGEST).unwrap().unwrap();
        let out = anchore_gates_json(
            ApiVersion::V1,
            &[image(
                "gcr.io/jenkinsxio/builder-maven:latest",
                Some(&ev),
                None,
            )],
        );
        // The engine's key order inside the table, as the plugin copied it.
        assert!(
            out.starts_with(&format!(
                r#"{{"{IMAGE_ID}":{{"result":{{"final_action":"stop","header":["#
            )),
            "{}",
            &out[..120]
        );

        let got: Value = serde_json::from_str(&out).unwrap();
        let engine: Value = serde_json::from_str(body).unwrap();
        let engine_table = &engine[0][DETAIL_DIGEST]["gcr.io/jenkinsxio/builder-maven:latest"][0]
            ["detail"]["result"]["result"][IMAGE_ID]["result"];
        let table = &got[IMAGE_ID]["result"];
        assert_eq!(got.as_object().unwrap().len(), 1);
        assert_eq!(table["header"], engine_table["header"]);
        assert_eq!(table["row_count"], 57);
        assert_eq!(table["final_action"], "stop");
        assert_eq!(table["rows"].as_array().unwrap().len(), 57);
        // Every rebuilt row equals the engine's row, cell for cell.
        assert_eq!(table["rows"], engine_table["rows"]);
    }

    #[test]
    fn v1_gates_whitelisted_inherited_and_policy_action() {
        let mut allowlisted = finding("t2", Action::Go);
        allowlisted.allowlisted = true;
        allowlisted.allowlist_match = Some(AllowlistMatch {
            id: "wl1".into(),
            name: "WL".into(),
            matched_rule_id: "r9".into(),
        });
        allowlisted.inherited_from_base = Some(false);
        let mut inherited = finding("t1", Action::Stop);
        inherited.inherited_from_base = Some(true);
        let mut ev = evaluation(
            Some("img1"),
            vec![inherited, allowlisted, finding("t3", Action::Warn)],
        );
        // An allowlisted image: the engine's verdict is GO, its table still says the policy's STOP.
        ev.final_action = Some(Action::Go);
        ev.policy_action = Some(Action::Stop);
        let got: Value = serde_json::from_str(&anchore_gates_json(
            ApiVersion::V1,
            &[image("app:1", Some(&ev), None)],
        ))
        .unwrap();
        let table = &got["img1"]["result"];
        assert_eq!(table["final_action"], "stop");
        assert_eq!(table["header"].as_array().unwrap().len(), 10);
        assert_eq!(table["header"][9], "Inherited_From_Base");
        assert_eq!(
            table["rows"],
            json!([
                ["img1", "docker.io/library/app:1", "t1", "vulnerabilities", "package", "message of t1", "stop", false, "p1", true],
                ["img1", "docker.io/library/app:1", "t2", "vulnerabilities", "package", "message of t2", "go",
                 {"matched_rule_id": "r9", "whitelist_id": "wl1", "whitelist_name": "WL"}, "p1", false],
                ["img1", "docker.io/library/app:1", "t3", "vulnerabilities", "package", "message of t3", "warn", false, "p1", null]
            ])
        );
    }

    #[test]
    fn v1_gates_merge_images_and_skip_missing_evaluations() {
        let a = evaluation(Some("img-a"), vec![finding("a", Action::Stop)]);
        let b = evaluation(
            Some("img-b"),
            vec![finding("b1", Action::Warn), finding("b2", Action::Warn)],
        );
        // The same image under a second tag: one key, the later table, the first position.
        let a2 = evaluation(Some("img-a"), vec![]);
        let no_table = evaluation(None, vec![]);
        let images = [
            image("a", Some(&a), None),
            image("b", Some(&b), None),
            image("none", None, None),
            image("a2", Some(&a2), None),
            image("nodetail", Some(&no_table), None),
        ];
        let out = anchore_gates_json(ApiVersion::V1, &images);
        assert!(out.find("\"img-a\"").unwrap() < out.find("\"img-b\"").unwrap());
        let got: Value = serde_json::from_str(&out).unwrap();
        let keys: Vec<_> = got.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["img-a", "img-b"]);
        assert_eq!(got["img-a"]["result"]["row_count"], 0);
        assert_eq!(got["img-b"]["result"]["row_count"], 2);
        assert_eq!(anchore_gates_json(ApiVersion::V1, &[]), "{}");
    }

    #[test]
    fn v2_gates_shape() {
        let mut ev = evaluation(None, vec![finding("CVE-1+p", Action::Stop)]);
        ev.findings[0].inherited_from_base = Some(true);
        let details = ev.stop_action_details(false);
        let mut img = image("debian:latest", Some(&ev), None);
        img.stop_action_details = &details;
        let images = [img, image("not-evaluated", None, None)];
        let got: Value =
            serde_json::from_str(&anchore_gates_json(ApiVersion::V2, &images)).unwrap();
        assert_eq!(
            got,
            json!([{
                "image_digest": "sha256:aaaa",
                "repo_tag": "docker.io/library/app:1",
                "final_action": "stop",
                "failure_details": "Policy evaluation failed",
                "gate_results": [{
                    "trigger_id": "CVE-1+p", "gate": "vulnerabilities", "trigger": "package",
                    "message": "message of CVE-1+p", "action": "stop", "allowlisted": false,
                    "allowlist_match": null, "inherited_from_base": true, "policy_id": "p1",
                    "recommendation": "r", "rule_id": "rule"
                }]
            }])
        );
        assert_eq!(anchore_gates_json(ApiVersion::V2, &[]), "[]");
    }

    #[test]
    fn security_v1_columns_and_rows() {
        let list = vuln::parse(fixture!("v1-vuln-os-debian.json")).unwrap();
        let images = [
            image("debian:9", None, Some(&list.vulnerabilities)),
            image("no-listing", None, None),
        ];
        let got: Value =
            serde_json::from_str(&anchore_security_json(ApiVersion::V1, &images)).unwrap();
        assert_eq!(
            got["columns"],
            json!([{"title": "Tag"}, {"title": "CVE ID"}, {"title": "Severity"},
                   {"title": "Vulnerability Package"}, {"title": "Fix Available"}, {"title": "URL"}])
        );
        let data = got["data"].as_array().unwrap();
        assert_eq!(data.len(), 23);
        assert_eq!(
            data[0],
            json!([
                "debian:9",
                "CVE-2011-3374",
                "Negligible",
                "apt-1.4.9",
                "None",
                "https://security-tracker.debian.org/tracker/CVE-2011-3374"
            ])
        );
        let fixed = list
            .vulnerabilities
            .iter()
            .position(|v| v.fix.is_some())
            .unwrap();
        assert_eq!(
            data[fixed][4],
            list.vulnerabilities[fixed].fix.as_deref().unwrap()
        );
    }

    #[test]
    fn security_v2_has_inherited_column() {
        let mut list = vuln::parse(fixture!("v1-vuln-all-alpine.json"))
            .unwrap()
            .vulnerabilities;
        list[0].inherited_from_base = Some(true);
        list[1].severity = Severity::Critical;
        let images = [image("alpine:3.9", None, Some(&list))];
        let got: Value =
            serde_json::from_str(&anchore_security_json(ApiVersion::V2, &images)).unwrap();
        let titles: Vec<_> = got["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            [
                "Tag",
                "CVE ID",
                "Severity",
                "Vulnerability Package",
                "Fix Available",
                "Inherited From Base",
                "URL"
            ]
        );
        assert_eq!(
            got["data"],
            json!([
                [
                    "alpine:3.9",
                    "CVE-2019-1543",
                    "Medium",
                    "libcrypto1.1-1.1.1a-r1",
                    "1.1.1b-r1",
                    "true",
                    "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-1543"
                ],
                [
                    "alpine:3.9",
                    "CVE-2019-1543",
                    "Critical",
                    "libssl1.1-1.1.1a-r1",
                    "1.1.1b-r1",
                    "false",
                    "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-1543"
                ]
            ])
        );
        let empty: Value =
            serde_json::from_str(&anchore_security_json(ApiVersion::V2, &[])).unwrap();
        assert_eq!(empty["data"], json!([]));
    }

    #[test]
    fn hostile_strings_survive_as_data() {
        let mut f = finding(HOSTILE, Action::Stop);
        f.message = HOSTILE.into();
        f.allowlisted = true;
        f.allowlist_match = Some(AllowlistMatch {
            id: HOSTILE.into(),
            name: HOSTILE.into(),
            matched_rule_id: "r".into(),
        });
        let mut ev = evaluation(Some(HOSTILE), vec![f]);
        ev.evaluated_tag = HOSTILE.into();
        let mut list = vuln::parse(fixture!("v1-vuln-all-alpine.json"))
            .unwrap()
            .vulnerabilities;
        list[0].id = HOSTILE.into();
        list[0].url = Some(HOSTILE.into());
        let mut img = image(HOSTILE, Some(&ev), Some(&list));
        img.digest = Some(HOSTILE);
        img.stop_action_details = HOSTILE;
        let images = [img];

        let v1: Value = serde_json::from_str(&anchore_gates_json(ApiVersion::V1, &images)).unwrap();
        let row = &v1[HOSTILE]["result"]["rows"][0];
        for i in [0, 1, 2, 5] {
            assert_eq!(row[i], HOSTILE, "cell {i}");
        }
        assert_eq!(row[7]["whitelist_name"], HOSTILE);

        let v2: Value = serde_json::from_str(&anchore_gates_json(ApiVersion::V2, &images)).unwrap();
        for key in ["image_digest", "repo_tag", "failure_details"] {
            assert_eq!(v2[0][key], HOSTILE, "{key}");
        }
        assert_eq!(v2[0]["gate_results"][0]["message"], HOSTILE);
        assert_eq!(v2[0]["gate_results"][0]["allowlist_match"]["name"], HOSTILE);

        for api in [ApiVersion::V1, ApiVersion::V2] {
            let out = anchore_security_json(api, &images);
            assert!(!out.contains('\n'), "newlines are escaped");
            let sec: Value = serde_json::from_str(&out).unwrap();
            let row = sec["data"][0].as_array().unwrap();
            assert_eq!(
                (&row[0], &row[1], row.last().unwrap()),
                (&json!(HOSTILE), &json!(HOSTILE), &json!(HOSTILE))
            );
        }
    }
}
