//! Anchore Engine v1 API: legacy top-level add-image body, camelCase records in one-element
//! lists, `policyId` (engine-api.md §2).

use serde::Deserialize;
use serde_json::json;

use super::{check_digest, encode_query, AnalysisStatus, HttpRequest, ImageRecord, Method, SubmitOptions};
use crate::error::ParseError;

/// `POST /images?autosubscribe=&force=` with `{tag, dockerfile?, annotations?}`. Both flags are
/// always sent, as plugin 1.1.x does; the engine's own default for autosubscribe is false.
pub fn submit(base: &str, image: &str, dockerfile_b64: Option<&str>, options: &SubmitOptions) -> HttpRequest {
    let mut body = json!({ "tag": image });
    if let Some(dockerfile) = dockerfile_b64 {
        body["dockerfile"] = json!(dockerfile);
    }
    if !options.annotations.is_empty() {
        body["annotations"] = json!(options.annotations);
    }
    HttpRequest {
        method: Method::Post,
        url: format!("{base}/images?autosubscribe={}&force={}", options.autosubscribe, options.force),
        body: Some(body.to_string()),
    }
}

pub fn status(base: &str, digest: &str) -> HttpRequest {
    HttpRequest::get(format!("{base}/images/{digest}"))
}

pub fn check(base: &str, digest: &str, tag: &str, policy_id: Option<&str>) -> HttpRequest {
    let mut url = format!("{base}/images/{digest}/check?tag={}&detail=true", encode_query(tag));
    if let Some(id) = policy_id {
        url.push_str(&format!("&policyId={}", encode_query(id)));
    }
    HttpRequest::get(url)
}

pub fn vulnerabilities(base: &str, digest: &str, vuln_type: &str) -> HttpRequest {
    HttpRequest::get(format!("{base}/images/{digest}/vuln/{vuln_type}"))
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "imageDigest")]
    image_digest: String,
    analysis_status: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Records {
    List(Vec<Record>),
    // Some engines and proxies answer with the bare record; accept it rather than fail.
    One(Record),
}

/// Reads the `AnchoreImageList` of `POST /images` and `GET /images/{digest}`.
pub fn image_record(body: &str) -> Result<ImageRecord, ParseError> {
    const WHAT: &str = "image record (v1)";
    let records: Records = serde_json::from_str(body)
        .map_err(|e| ParseError::new(WHAT, "", format!("expected a list of image records with imageDigest and analysis_status: {e}")))?;
    let record = match records {
        Records::List(list) => list.into_iter().next().ok_or_else(|| ParseError::new(WHAT, "", "the list is empty"))?,
        Records::One(record) => record,
    };
    check_digest(&record.image_digest, WHAT, "[0].imageDigest")?;
    Ok(ImageRecord { digest: record.image_digest, analysis_status: AnalysisStatus::parse(&record.analysis_status) })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_the_recorded_image_records() {
        let r = image_record(fixture!("v1-image-add-analyzed.json")).unwrap();
        assert_eq!(r.digest, "sha256:ee6841b1e2bf99562a4d340cf9ef21ec87b016d1100e341aa77d5f53d04fc2c7");
        assert_eq!(r.analysis_status, AnalysisStatus::Analyzed);
        let r = image_record(fixture!("v1-image-analyzing.json")).unwrap();
        assert_eq!(r.analysis_status, AnalysisStatus::Analyzing);
        let r = image_record(fixture!("v1-image-get-detail-false-analyzed.json")).unwrap();
        assert_eq!(r.analysis_status, AnalysisStatus::Analyzed);
    }

    #[test]
    fn bad_records() {
        assert!(image_record("[]").unwrap_err().to_string().contains("the list is empty"));
        let e = image_record(r#"[{"imageDigest":"sha256:../x","analysis_status":"analyzed"}]"#).unwrap_err();
        assert!(e.to_string().contains("[0].imageDigest"), "{e}");
        assert!(image_record("Unauthorized").is_err());
    }

    #[test]
    fn requests() {
        let mut options = SubmitOptions { autosubscribe: true, force: false, ..Default::default() };
        options.annotations.insert("owner".into(), "team é".into());
        let r = submit("http://e/v1", "alpine:3.9", Some("RlJPTQo="), &options);
        assert_eq!(r.url, "http://e/v1/images?autosubscribe=true&force=false");
        let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, json!({"tag": "alpine:3.9", "dockerfile": "RlJPTQo=", "annotations": {"owner": "team é"}}));
        let r = submit("http://e/v1", "alpine:3.9", None, &SubmitOptions::default());
        assert_eq!(r.body.as_deref(), Some(r#"{"tag":"alpine:3.9"}"#));
        assert_eq!(
            check("http://e/v1", "sha256:ab", "docker.io/a:1", Some("x&y")).url,
            "http://e/v1/images/sha256:ab/check?tag=docker.io%2Fa%3A1&detail=true&policyId=x%26y"
        );
        assert_eq!(vulnerabilities("http://e/v1", "sha256:ab", "all").url, "http://e/v1/images/sha256:ab/vuln/all");
    }
}
