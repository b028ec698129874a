#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::report::testdata::{self, HOSTILE};

#[test]
fn junit_suite_per_image_case_per_finding() {
    let xml = render(&testdata::mixed());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"anchore-gate\" tests=\"8\" failures=\"2\" errors=\"1\" time=\"4.936\">\n"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 4);
    assert!(xml.contains("  <testsuite name=\"docker.io/library/alpine:3.9\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"1.234\">\n"), "{xml}");
    assert!(xml.contains("  <testsuite name=\"gcr.io/team/app:1\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"1.234\">\n"), "{xml}");
    assert!(xml.contains("<testcase classname=\"gcr.io/team/app:1\" name=\"policy evaluation\" time=\"1.234\">\n      <failure type=\"STOP\" message=\"the policy says STOP (Policy evaluation failed)\">"), "{xml}");
    assert!(xml.contains("<failure type=\"STOP\" message=\"vulnerabilities/package: HIGH Vulnerability found"), "{xml}");
    assert!(xml.contains("<skipped message=\"allowlisted STOP finding\"/>"), "{xml}");
    assert!(xml.contains("<testcase classname=\"registry.example.com/team/broken:1\" name=\"policy evaluation\" time=\"1.234\">\n      <error type=\"analysis_failed\" message=\"the engine could not analyze registry.example.com/team/broken:1 (analysis_status &quot;analysis_failed&quot;)\">"), "{xml}");
    assert!(xml.contains("<property name=\"source\" value=\"anchore_images:4\"/>"), "{xml}");
    assert!(xml.contains("<system-out>WARN dockerfile/instruction: Dockerfile directive 'HEALTHCHECK' not found"), "{xml}");
}

#[test]
fn junit_run_error_without_images_is_a_suite_of_its_own() {
    let report = testdata::report(vec![], Some(crate::error::GateError::new(crate::error::ErrorKind::ImageList, "anchore_images lists no images")));
    let xml = render(&report);
    assert!(xml.contains("<testsuites name=\"anchore-gate\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">"), "{xml}");
    assert!(xml.contains("<error type=\"image_list\" message=\"anchore_images lists no images\">anchore_images lists no images</error>"), "{xml}");
}

#[test]
fn junit_escapes_everything() {
    assert_eq!(attr("a<b>&\"c\"'\n\t\r\u{1}"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;&#9;&#13;\u{FFFD}");
    assert_eq!(text("</failure>&\u{0}\u{FFFF}\r\n"), "&lt;/failure&gt;&amp;\u{FFFD}\u{FFFD}&#13;\n");
    let xml = render(&testdata::hostile());
    assert!(!xml.contains("</failure><x"), "{xml}");
    assert!(!xml.contains('\u{1}'));
    // Exactly the elements we wrote: every '<' starts one of ours.
    for tag in xml.match_indices('<').map(|(i, _)| &xml[i..]) {
        let name: String = tag[1..].chars().take_while(|c| c.is_ascii_alphabetic() || *c == '/' || *c == '?' || *c == '-').collect();
        assert!(
            ["?xml", "testsuites", "/testsuites", "testsuite", "/testsuite", "testcase", "/testcase", "properties", "/properties", "property",
             "failure", "/failure", "error", "/error", "skipped", "system-out", "/system-out"].contains(&name.as_str()),
            "unexpected tag {name:?}"
        );
    }
    assert!(xml.contains(&attr(HOSTILE)));
}
