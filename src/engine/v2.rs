//! Anchore Enterprise v2 API: `source.tag.pull_string` add-image body, snake_case single-object
//! records, `policy_id`, base images through `/ancestors` (engine-api.md §4).

use serde::Deserialize;
use serde_json::json;

use super::{check_digest, encode_query, AnalysisStatus, HttpRequest, ImageRecord, Method, SubmitOptions};
use crate::error::ParseError;

/// `POST /images?auto_subscribe=&force=` with `{source:{tag:{pull_string, dockerfile?}}, annotations?}`.
pub fn submit(base: &str, image: &str, dockerfile_b64: Option<&str>, options: &SubmitOptions) -> HttpRequest {
    let mut tag = json!({ "pull_string": image });
    if let Some(dockerfile) = dockerfile_b64 {
        tag["dockerfile"] = json!(dockerfile);
    }
    let mut body = json!({ "source": { "tag": tag } });
    if !options.annotations.is_empty() {
        body["annotations"] = json!(options.annotations);
    }
    HttpRequest {
        method: Method::Post,
        url: format!("{base}/images?auto_subscribe={}&force={}", options.autosubscribe, options.force),
        body: Some(body.to_string()),
    }
}

pub fn status(base: &str, digest: &str) -> HttpRequest {
    HttpRequest::get(format!("{base}/images/{digest}"))
}

pub fn ancestors(base: &str, digest: &str) -> HttpRequest {
    HttpRequest::get(format!("{base}/images/{digest}/ancestors"))
}

pub fn check(base: &str, digest: &str, tag: &str, policy_id: Option<&str>, base_digest: Option<&str>) -> HttpRequest {
    let mut url = format!("{base}/images/{digest}/check?tag={}&detail=true", encode_query(tag));
    if let Some(id) = policy_id {
        url.push_str(&format!("&policy_id={}", encode_query(id)));
    }
    if let Some(b) = base_digest {
        url.push_str(&format!("&base_digest={}", encode_query(b)));
    }
    HttpRequest::get(url)
}

pub fn vulnerabilities(base: &str, digest: &str, vuln_type: &str, base_digest: Option<&str>) -> HttpRequest {
    let mut url = format!("{base}/images/{digest}/vuln/{vuln_type}");
    if let Some(b) = base_digest {
        url.push_str(&format!("?base_digest={}", encode_query(b)));
    }
    HttpRequest::get(url)
}

/// Reads the `AnchoreImage` object of `POST /images` and `GET /images/{digest}`.
pub fn image_record(body: &str) -> Result<ImageRecord, ParseError> {
    const WHAT: &str = "image record (v2)";
    #[derive(Deserialize)]
    struct Record {
        image_digest: String,
        analysis_status: String,
    }
    let record: Record = serde_json::from_str(body)
        .map_err(|e| ParseError::new(WHAT, "", format!("expected an image object with image_digest and analysis_status: {e}")))?;
    check_digest(&record.image_digest, WHAT, "image_digest")?;
    Ok(ImageRecord { digest: record.image_digest, analysis_status: AnalysisStatus::parse(&record.analysis_status) })
}

/// The base image from `GET /images/{digest}/ancestors`: the ancestor marked
/// `chosen_base_image` (Enterprise ≥ 5.7), else the last one, as plugin 3.1.2 picks it.
pub fn base_digest(body: &str) -> Result<Option<String>, ParseError> {
    const WHAT: &str = "ancestors (v2)";
    #[derive(Deserialize)]
    struct Ancestor {
        image_digest: String,
        #[serde(default)]
        chosen_base_image: Option<bool>,
    }
    let list: Vec<Ancestor> =
        serde_json::from_str(body).map_err(|e| ParseError::new(WHAT, "", format!("expected a list of ancestors: {e}")))?;
    let chosen = list.iter().position(|a| a.chosen_base_image == Some(true)).or(list.len().checked_sub(1));
    match chosen {
        Some(i) => {
            check_digest(&list[i].image_digest, WHAT, &format!("[{i}].image_digest"))?;
            Ok(Some(list[i].image_digest.clone()))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn requests() {
        let options = SubmitOptions { autosubscribe: false, force: true, ..Default::default() };
        let r = submit("http://e/v2", "alpine:3.9", Some("RlJPTQo="), &options);
        assert_eq!(r.url, "http://e/v2/images?auto_subscribe=false&force=true");
        assert_eq!(r.body.as_deref(), Some(r#"{"source":{"tag":{"dockerfile":"RlJPTQo=","pull_string":"alpine:3.9"}}}"#));
        assert_eq!(
            check("http://e/v2", D1, "alpine:3.9", Some("p1"), Some(D2)).url,
            format!("http://e/v2/images/{D1}/check?tag=alpine%3A3.9&detail=true&policy_id=p1&base_digest=sha256%3A{}", &D2[7..])
        );
        assert_eq!(vulnerabilities("http://e/v2", D1, "os", None).url, format!("http://e/v2/images/{D1}/vuln/os"));
    }

    // No recorded v2 body exists (fixtures/engine/SOURCES.md); these follow AnchoreImage and
    // ImageAncestor in v2-openapi.yaml.
    #[test]
    fn records_and_ancestors() {
        let r = image_record(&format!(r#"{{"image_digest":"{D1}","analysis_status":"analyzing","image_detail":[]}}"#)).unwrap();
        assert_eq!((r.digest.as_str(), r.analysis_status), (D1, AnalysisStatus::Analyzing));
        // A v1 list is not a v2 record: say so instead of guessing.
        assert!(image_record(fixture!("v1-image-add-analyzed.json")).is_err());

        let chosen = format!(r#"[{{"image_digest":"{D1}","chosen_base_image":true}},{{"image_digest":"{D2}","chosen_base_image":false}}]"#);
        assert_eq!(base_digest(&chosen).unwrap().as_deref(), Some(D1));
        let last = format!(r#"[{{"image_digest":"{D1}"}},{{"image_digest":"{D2}"}}]"#);
        assert_eq!(base_digest(&last).unwrap().as_deref(), Some(D2));
        assert_eq!(base_digest("[]").unwrap(), None);
        assert!(base_digest("{}").is_err());
    }
}
