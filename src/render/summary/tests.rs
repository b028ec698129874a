#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::error::ErrorKind;
use crate::testdata;

fn options() -> SummaryOptions {
    SummaryOptions { report_dir: Some("AnchoreReport".into()), ..SummaryOptions::default() }
}

#[test]
fn summary_has_a_row_per_image_the_problems_and_the_stop_findings() {
    let md = markdown(&testdata::mixed(), &options());
    assert!(md.starts_with("## ⚠️ anchore-gate: ERROR\n\n**4** images: **2** passed, **1** failed, **1** errored · exit code **2**"), "{md}");
    assert!(md.contains("| Image | Result | Final action | STOP | WARN | GO | Critical | High | Medium | Low | Negligible | Unknown |\n| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |\n"), "{md}");
    assert!(md.contains("| `docker.io/library/alpine:3.9` | ✅ pass | GO | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 0 |\n"), "{md}");
    assert!(md.contains("| `gcr.io/team/app:1` | ❌ fail | STOP | 1 | 1 | 0 | 0 | 1 | 0 | 1 | 0 | 0 |\n"), "{md}");
    assert!(md.contains("| `registry.example.com/team/broken:1` | ⚠️ error | — | 0 | 0 | 0 |"), "{md}");
    assert!(md.contains("| **Total: 4 images** | | | 1 | 2 | 0 | 0 | 1 | 0 | 3 | 0 | 0 |\n"), "{md}");
    assert!(md.contains("- ❌ `gcr.io/team/app:1` (anchore\\_images:4): the policy says STOP (Policy evaluation failed)\n"), "{md}");
    assert!(md.contains("- ⚠️ `registry.example.com/team/broken:1` (anchore\\_images:5): `analysis_failed`: the engine could not analyze"), "{md}");
    // One STOP finding: the allowlisted one is not listed.
    assert!(md.contains("#### STOP findings\n\n| Image | Gate | Trigger | Check output |\n| :-- | :-- | :-- | :-- |\n| `gcr.io/team/app:1` | vulnerabilities | package | HIGH Vulnerability found"), "{md}");
    assert!(!md.contains("effective\\_user"), "{md}");
    assert!(md.contains("The full report is in `AnchoreReport`"), "{md}");
    assert!(!md.contains("> **Note:**"), "nothing was cut");
}

#[test]
fn summary_stop_findings_are_capped_with_a_more_line() {
    let findings = (0..30).map(|i| testdata::finding("vulnerabilities", "package", Action::Stop, &format!("finding {i}"))).collect();
    let report = testdata::report(vec![testdata::image("docker.io/a/b:1", 1, Status::Fail, Some(Action::Stop), findings, vec![])], None);
    let md = markdown(&report, &SummaryOptions { max_stop_findings: 10, ..options() });
    assert_eq!(md.matches("| `docker.io/a/b:1` | vulnerabilities | package | finding ").count(), 10);
    assert!(md.contains("finding 9 |") && !md.contains("finding 10 |"));
    assert!(md.contains("\n… and 20 more STOP findings (all of them are in `anchore-gate.json`).\n"), "{md}");
}

#[test]
fn summary_stays_under_the_cap_and_says_what_was_cut() {
    let images = (0..20_000)
        .map(|i| testdata::image(&format!("registry.example.com/team/service-{i}:1.0.{i}"), i + 1, Status::Pass, Some(Action::Go), vec![], vec![]))
        .collect();
    let report = testdata::report(images, None);
    let md = markdown(&report, &SummaryOptions::default());
    assert!(md.len() <= DEFAULT_MAX_BYTES, "{} bytes", md.len());
    assert!(md.len() > DEFAULT_MAX_BYTES - 3 * TAIL_RESERVE, "the cap is used, not wasted: {} bytes", md.len());
    let rows = md.matches("| ✅ pass |").count();
    assert!(rows > 1000 && rows < 20_000, "{rows} rows");
    let note = format!("> **Note:** this summary was cut to stay under the runner's 1024 KiB step-summary limit: {} of 20000 image rows not shown.", 20_000 - rows);
    assert!(md.contains(&note), "{}", &md[md.len() - 600..]);

    let small = markdown(&report, &SummaryOptions { max_bytes: 8_000, ..SummaryOptions::default() });
    assert!(small.len() <= 8_000, "{}", small.len());
    assert!(small.contains("image rows not shown"));
}

#[test]
fn summary_escapes_engine_text() {
    let md = markdown(&testdata::hostile(), &options());
    // What is left once every backslash escape is taken out must hold none of the markup.
    let mut unescaped = String::new();
    let mut chars = md.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            unescaped.push(c);
        }
    }
    for bad in ["</failure>", "<x", "[link]", "`code`", "@team", "\r", "\u{1}", "second line |", "\nsecond"] {
        assert!(!unescaped.contains(bad), "{bad:?} got through:\n{md}");
    }
    // Each table row is still one line with the right number of cells.
    for line in md.lines().filter(|l| l.starts_with("| `docker.io/x/y:1` | \\<")) {
        let unescaped_pipes = line.len() - line.replace('|', "").len() - line.matches("\\|").count();
        assert_eq!(unescaped_pipes, 5, "{line}");
    }
    assert!(md.contains("\\[link\\](http://evil)"), "{md}");
}

#[test]
fn summary_says_when_the_step_passes_anyway_and_shows_a_run_error() {
    let mut report = testdata::report(vec![], Some(GateError::new(ErrorKind::ImageList, "anchore_images lists no images")));
    report.exit_code = 0;
    report.options.fail_on_error = false;
    let md = markdown(&report, &SummaryOptions { run_url: Some("https://github.com/o/r/actions/runs/1".into()), ..options() });
    assert!(md.contains("_The verdict is ERROR, but the step passes: fail-on-error is off._"), "{md}");
    assert!(md.contains("> **Error** `image_list`: anchore\\_images lists no images"), "{md}");
    assert!(!md.contains("| Image |"), "no table without images");
    assert!(md.contains("[run page](https://github.com/o/r/actions/runs/1)"), "{md}");
    let bad_url = markdown(&report, &SummaryOptions { run_url: Some("javascript:alert(1)".into()), ..options() });
    assert!(!bad_url.contains("javascript"), "{bad_url}");
}

#[test]
fn annotations_error_per_failed_image_warning_per_error_and_warn() {
    let list = annotations(&testdata::mixed(), MAX_ANNOTATIONS_PER_LEVEL);
    let summary: Vec<(AnnotationLevel, &str)> = list.iter().map(|a| (a.level, a.title.as_str())).collect();
    assert_eq!(summary, vec![
        (AnnotationLevel::Error, "anchore-gate STOP: gcr.io/team/app:1"),
        (AnnotationLevel::Warning, "anchore-gate error: registry.example.com/team/broken:1"),
        (AnnotationLevel::Warning, "anchore-gate WARN: docker.io/library/nginx:1.15"),
    ]);
    let stop = &list[0];
    assert_eq!(stop.file.as_deref(), Some("anchore_images"));
    assert_eq!(stop.line, Some(4));
    assert!(stop.message.starts_with("gcr.io/team/app:1: the policy says STOP (Policy evaluation failed)\n1 STOP finding:\n- vulnerabilities/package: HIGH"), "{}", stop.message);
    assert!(stop.command.starts_with("::error file=anchore_images,line=4,title=anchore-gate STOP%3A gcr.io/team/app%3A1::gcr.io/team/app:1: the policy says STOP (Policy evaluation failed)%0A1 STOP finding:%0A- "), "{}", stop.command);
    assert!(!stop.command.contains('\n'));
    assert!(list[1].message.contains("analysis_failed: the engine could not analyze"));
}

#[test]
fn annotations_are_capped_at_ten_per_level_with_a_count_of_the_rest() {
    let mut images: Vec<ImageResult> = (0..25)
        .map(|i| testdata::image(&format!("docker.io/team/stop{i}:1"), i + 1, Status::Fail, Some(Action::Stop), vec![], vec![]))
        .collect();
    images.extend((0..12).map(|i| testdata::image(&format!("docker.io/team/warn{i}:1"), 100 + i, Status::Pass, Some(Action::Warn), vec![], vec![])));
    let list = annotations(&testdata::report(images, None), MAX_ANNOTATIONS_PER_LEVEL);
    let errors: Vec<_> = list.iter().filter(|a| a.level == AnnotationLevel::Error).collect();
    let warnings: Vec<_> = list.iter().filter(|a| a.level == AnnotationLevel::Warning).collect();
    assert_eq!((errors.len(), warnings.len()), (10, 10));
    assert_eq!(errors[8].title, "anchore-gate STOP: docker.io/team/stop8:1");
    assert_eq!(errors[9].title, "anchore-gate: 16 more images the gate fails");
    assert!(errors[9].message.starts_with("16 more images the gate fails (the runner shows 10 per level; see the step summary): STOP: docker.io/team/stop9:1; "), "{}", errors[9].message);
    assert_eq!(warnings[9].title, "anchore-gate: 3 more warnings (errors and WARN)");
    // Exactly at the limit nothing is folded.
    let ten: Vec<ImageResult> = (0..10).map(|i| testdata::image(&format!("d/s{i}:1"), i + 1, Status::Fail, Some(Action::Stop), vec![], vec![])).collect();
    let list = annotations(&testdata::report(ten, None), MAX_ANNOTATIONS_PER_LEVEL);
    assert_eq!(list.len(), 10);
    assert!(list.iter().all(|a| a.title.starts_with("anchore-gate STOP: d/s")));
}

#[test]
fn annotations_escape_workflow_command_data_and_properties() {
    assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
    assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    for a in annotations(&testdata::hostile(), MAX_ANNOTATIONS_PER_LEVEL) {
        assert!(!a.command.contains('\n') && !a.command.contains('\r'), "{}", a.command);
        // The only `::` are the command's own two.
        let (head, message) = a.command.split_once("::").unwrap().1.split_once("::").unwrap();
        assert!(!head.contains(' ') || head.starts_with(a.level.as_str()));
        assert!(message.contains("%25"), "a literal %0A stays literal: {message}");
        assert!(!message.contains("%0A::error::x") || message.contains("%250A::error::x"));
    }
    let run_error = testdata::report(vec![], Some(GateError::new(ErrorKind::Unauthorized, "401 Unauthorized")));
    let list = annotations(&run_error, MAX_ANNOTATIONS_PER_LEVEL);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].command, "::warning title=anchore-gate error::unauthorized: 401 Unauthorized");
}

#[test]
fn source_locations() {
    assert_eq!(source_location("anchore_images:3"), Some(("anchore_images", 3)));
    assert_eq!(source_location("C:\\ci\\images:12"), Some(("C:\\ci\\images", 12)));
    assert_eq!(source_location("--image"), None);
    assert_eq!(source_location("images:0"), None);
}
