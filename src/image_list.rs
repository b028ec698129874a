//! The `anchore_images` file: one `IMAGE [DOCKERFILE]` per line, as the Jenkins plugin reads it
//! (whitespace-separated, blank lines skipped), plus `#` comments. Unlike the plugin, a bad line
//! is an error that names the line, a third field is not silently dropped, and a duplicate image
//! is reported instead of merged — but a bad line never hides the others: every line becomes an
//! [`Entry`], and the problem travels with it into the report.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, GateError};

/// One image to scan, from a line of the list or from `--image`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Where it came from: `anchore_images:3`, or `--image` for a command-line image.
    pub source: String,
    /// The image reference as written.
    pub image: String,
    /// The Dockerfile path as written, if any.
    pub dockerfile: Option<String>,
    /// Why this entry cannot be scanned; it still gets a result row.
    pub problem: Option<GateError>,
}

impl Entry {
    fn new(source: String, image: &str, dockerfile: Option<&str>) -> Entry {
        let problem = validate_reference(image)
            .err()
            // `{:?}` quotes it with control characters escaped: a hostile line must not write
            // terminal escapes or CI log commands (`\n::error::`) through the message.
            .map(|why| GateError::new(ErrorKind::ImageList, format!("{source}: invalid image reference {image:?}: {why}")));
        Entry { source, image: image.to_owned(), dockerfile: dockerfile.map(str::to_owned), problem }
    }
}

/// Reads an image list. `file` is the name used in messages (`anchore_images`).
/// Returns one entry per non-blank, non-comment line, duplicates included (see [`mark_duplicates`]).
pub fn parse(text: &str, file: &str) -> Vec<Entry> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        // A token starting with `#` starts a comment; image references cannot contain `#`.
        let content = match line.find('#') {
            Some(at) if at == 0 || line[..at].ends_with(char::is_whitespace) => &line[..at],
            _ => line,
        };
        let tokens: Vec<&str> = content.split_whitespace().collect();
        let source = format!("{file}:{}", index + 1);
        match tokens.as_slice() {
            [] => {}
            [image] => entries.push(Entry::new(source, image, None)),
            [image, dockerfile] => entries.push(Entry::new(source, image, Some(dockerfile))),
            [image, _, extra, ..] => {
                let mut entry = Entry::new(source.clone(), image, None);
                entry.problem = Some(GateError::new(
                    ErrorKind::ImageList,
                    format!(
                        "{source}: unexpected third field {extra:?}: a line is `IMAGE [DOCKERFILE]` (start a comment with #)"
                    ),
                ));
                entries.push(entry);
            }
        }
    }
    entries
}

/// Reads an `--image REF[=DOCKERFILE]` value.
pub fn parse_image_arg(value: &str) -> Entry {
    let (image, dockerfile) = match value.split_once('=') {
        Some((image, dockerfile)) => (image.trim(), Some(dockerfile.trim()).filter(|d| !d.is_empty())),
        None => (value.trim(), None),
    };
    Entry::new("--image".to_owned(), image, dockerfile)
}

/// Marks every repeat of an image already listed (compared after Docker's normalisation, so
/// `debian` and `docker.io/library/debian:latest` are the same image) with a
/// [`ErrorKind::DuplicateImage`] problem naming the first occurrence. The first one is scanned.
pub fn mark_duplicates(entries: &mut [Entry]) {
    let mut seen: Vec<(String, String)> = Vec::new();
    for entry in entries.iter_mut() {
        if entry.problem.is_some() {
            continue;
        }
        let key = normalize(&entry.image);
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            entry.problem = Some(GateError::new(
                ErrorKind::DuplicateImage,
                format!("{}: \"{}\" is listed twice (first at {first}); list each image once", entry.source, entry.image),
            ));
        } else {
            seen.push((key, entry.source.clone()));
        }
    }
}

/// Version-control folders: their files hold credentials (`.git/config` keeps the CI job's token
/// as `http.extraheader` after `actions/checkout`) and are never a build's Dockerfile.
const VCS_DIRS: [&str; 5] = [".git", ".svn", ".hg", ".bzr", "CVS"];

/// Why the Dockerfile at `path` (relative to the workspace, `/`-separated; the caller asks for the
/// path as written and again for the file it resolves to) must not be uploaded to the engine,
/// which shows its content to every engine user. `None` when it may be read. A path in
/// version-control metadata is always refused; a file whose name does not look like a
/// Dockerfile or Containerfile (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, any case)
/// only unless `any_name` (`--dockerfile-any-name`).
pub fn dockerfile_refusal(path: &str, any_name: bool) -> Option<String> {
    let components: Vec<&str> = path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect();
    if let Some(dir) = components.iter().find(|c| VCS_DIRS.iter().any(|v| c.eq_ignore_ascii_case(v))) {
        return Some(format!(
            "it is inside version-control metadata ({dir}/), which holds credentials, never a Dockerfile; it is not uploaded"
        ));
    }
    let name = components.last().copied().unwrap_or("").to_ascii_lowercase();
    let looks_like = ["dockerfile", "containerfile"].iter().any(|kind| {
        name == *kind || name.starts_with(&format!("{kind}.")) || name.ends_with(&format!(".{kind}"))
    });
    if !any_name && !looks_like {
        return Some(
            "its name does not look like a Dockerfile (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile, …), and the engine shows what is uploaded to all its users; pass --dockerfile-any-name if it really is one".to_owned(),
        );
    }
    None
}

/// Docker's full normalisation: `debian` → `docker.io/library/debian:latest`.
pub fn normalize(reference: &str) -> String {
    let (name, tag) = split_tag(reference);
    let (domain, path) = split_domain(name);
    let domain = domain.unwrap_or("docker.io");
    let path = if domain == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path.to_owned() };
    format!("{domain}/{path}:{}", tag.unwrap_or("latest"))
}

/// `name[:tag]` → (name, tag). A `:` inside the domain part (a port) is not a tag separator.
fn split_tag(reference: &str) -> (&str, Option<&str>) {
    match reference.rfind(':') {
        Some(at) if !reference[at + 1..].contains('/') => (&reference[..at], Some(&reference[at + 1..])),
        _ => (reference, None),
    }
}

/// The first path component is a registry domain when it has a `.` or `:` or is `localhost`
/// (the rule of `docker/distribution`'s reference package).
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
        _ => (None, name),
    }
}

/// Checks a reference against the grammar of `docker/distribution`'s reference package.
/// References by digest are refused: the engine evaluates policy for a tag.
pub fn validate_reference(reference: &str) -> Result<(), String> {
    if reference.is_empty() {
        return Err("it is empty".into());
    }
    if reference.len() > 512 {
        return Err(format!("it is {} characters long; a reference has at most 512", reference.len()));
    }
    if reference.contains('@') {
        return Err("references by digest are not supported; list the image by tag (the engine evaluates policy per tag)".into());
    }
    // References are ASCII; anything else (control characters, bidirectional overrides, look-alike
    // letters) is named escaped here, before a message could echo it raw.
    if let Some(bad) = reference.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("it contains the character {bad:?}"));
    }
    let (name, tag) = split_tag(reference);
    if let Some(tag) = tag {
        validate_tag(tag)?;
    }
    let (domain, path) = split_domain(name);
    if let Some(domain) = domain {
        validate_domain(domain)?;
    }
    if name.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("repository names must be lowercase".into());
    }
    for component in path.split('/') {
        validate_path_component(component)?;
    }
    Ok(())
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    let valid = matches!(chars.next(), Some(c) if word(c))
        && chars.all(|c| word(c) || c == '.' || c == '-')
        && tag.len() <= 128;
    if valid {
        Ok(())
    } else {
        Err(format!("\"{tag}\" is not a valid tag (letters, digits, _ . -, not starting with . or -, at most 128)"))
    }
}

fn validate_domain(domain: &str) -> Result<(), String> {
    let (host, port) = if domain.starts_with('[') {
        match domain.find(']') {
            Some(end) if end + 1 == domain.len() => (domain, None),
            Some(end) if domain[end + 1..].starts_with(':') => (&domain[..=end], Some(&domain[end + 2..])),
            _ => return Err(format!("\"{domain}\" is not a valid IPv6 registry address")),
        }
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("\"{domain}\" has an invalid port"));
        }
    }
    if host.starts_with('[') && host.ends_with(']') {
        let inner = &host[1..host.len() - 1];
        if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Ok(());
        }
        return Err(format!("\"{domain}\" is not a valid IPv6 registry address"));
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if host.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(format!("\"{domain}\" is not a valid registry host"))
    }
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separators `.`, `_`, `__` or runs of `-`.
fn validate_path_component(component: &str) -> Result<(), String> {
    let bad = || Err(format!("\"{component}\" is not a valid repository path component (lowercase letters and digits, separated by . _ __ or -)"));
    let bytes = component.as_bytes();
    if bytes.is_empty() {
        return Err("the repository path has an empty component".into());
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return bad();
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = separator == "." || separator == "_" || separator == "__" || separator.bytes().all(|b| b == b'-');
        if !ok {
            return bad();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn problems(entries: &[Entry]) -> Vec<String> {
        entries.iter().filter_map(|e| e.problem.as_ref().map(|p| p.message.clone())).collect()
    }

    #[test]
    fn reads_the_plugin_format() {
        let text = "docker.io/library/debian:latest   /var/lib/jenkins/workspace/app/Dockerfile\n\n   \nregistry.example.com:5000/myapp:20240101\n";
        let entries = parse(text, "anchore_images");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].image, "docker.io/library/debian:latest");
        assert_eq!(entries[0].dockerfile.as_deref(), Some("/var/lib/jenkins/workspace/app/Dockerfile"));
        assert_eq!(entries[0].source, "anchore_images:1");
        assert_eq!(entries[1].image, "registry.example.com:5000/myapp:20240101");
        assert_eq!(entries[1].dockerfile, None);
        assert_eq!(entries[1].source, "anchore_images:4");
        assert!(problems(&entries).is_empty());
    }

    #[test]
    fn tabs_crlf_bom_and_comments() {
        let text = "\u{feff}# images of the app\r\nalpine:3.9\tDockerfile.alpine\r\n  nginx:1.25 # the proxy\r\n#debian\r\n";
        let entries = parse(text, "list");
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].image.as_str(), entries[0].dockerfile.as_deref()), ("alpine:3.9", Some("Dockerfile.alpine")));
        assert_eq!((entries[1].image.as_str(), entries[1].dockerfile.as_deref()), ("nginx:1.25", None));
        assert_eq!(entries[1].source, "list:3");
        assert!(problems(&entries).is_empty());
    }

    #[test]
    fn a_third_field_is_an_error_naming_the_line() {
        let entries = parse("alpine:3.9\nnginx:1 Dockerfile extra\n", "anchore_images");
        assert_eq!(entries.len(), 2);
        assert!(entries[0].problem.is_none());
        let problem = entries[1].problem.as_ref().unwrap();
        assert_eq!(problem.kind, ErrorKind::ImageList);
        assert!(problem.message.starts_with("anchore_images:2: unexpected third field \"extra\""), "{}", problem.message);
    }

    #[test]
    fn invalid_references_name_the_line_and_the_reason() {
        let entries = parse("Alpine:3.9\nalpine:-bad\nfoo//bar\nhost:port/x\nalpine@sha256:abc\nok/image:1\n", "anchore_images");
        let messages = problems(&entries);
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(messages[0].starts_with("anchore_images:1: invalid image reference \"Alpine:3.9\": repository names must be lowercase"));
        assert!(messages[1].contains("anchore_images:2") && messages[1].contains("not a valid tag"));
        assert!(messages[2].contains("anchore_images:3") && messages[2].contains("empty component"));
        assert!(messages[3].contains("anchore_images:4") && messages[3].contains("invalid port"));
        assert!(messages[4].contains("anchore_images:5") && messages[4].contains("by digest"));
        assert!(entries[5].problem.is_none());
    }

    #[test]
    fn valid_references() {
        for ok in [
            "alpine",
            "alpine:3.9",
            "library/alpine",
            "docker.io/library/debian:latest",
            "localhost/app:1",
            "localhost:5000/team/app_x__y.z-w:v1.2-rc_3",
            "registry.example.com:5000/myapp:20240101",
            "[::1]:5000/app:1",
            "[::1]/app",
            "gcr.io/jenkinsxio/builder-maven:latest",
            "a---b/c",
        ] {
            assert_eq!(validate_reference(ok), Ok(()), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", "a:", ":tag", "a b", "app:.x", "UPPER/case", "a\u{7}b"] {
            assert!(validate_reference(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_reference(&"a".repeat(600)).is_err());
        assert!(validate_reference(&format!("app:{}", "t".repeat(129))).is_err());
    }

    #[test]
    fn duplicates_are_reported_not_merged() {
        let mut entries = parse("debian\nalpine:3.9\ndocker.io/library/debian:latest Dockerfile\nalpine:3.9\n", "anchore_images");
        mark_duplicates(&mut entries);
        assert_eq!(entries.len(), 4);
        assert!(entries[0].problem.is_none() && entries[1].problem.is_none());
        let third = entries[2].problem.as_ref().unwrap();
        assert_eq!(third.kind, ErrorKind::DuplicateImage);
        assert!(third.message.contains("anchore_images:3") && third.message.contains("first at anchore_images:1"), "{}", third.message);
        assert!(entries[3].problem.as_ref().unwrap().message.contains("first at anchore_images:2"));
    }

    #[test]
    fn dockerfile_paths() {
        for ok in ["Dockerfile", "./Dockerfile", "services/api/Dockerfile", "Dockerfile.prod", "api.Dockerfile", "build/containerfile", "Containerfile.arm64", "DOCKERFILE"] {
            assert_eq!(dockerfile_refusal(ok, false), None, "{ok}");
        }
        for vcs in [".git/config", "./.git/config", "sub/.git/Dockerfile", ".svn/entries", ".hg/hgrc", "a/.GIT/x", "CVS/Root"] {
            let why = dockerfile_refusal(vcs, true).unwrap_or_else(|| panic!("{vcs} accepted"));
            assert!(why.contains("version-control metadata"), "{vcs}: {why}");
        }
        for other in ["config", ".env", "secrets/id_rsa", "Dockerfiles/readme.md", "notadockerfile"] {
            let why = dockerfile_refusal(other, false).unwrap_or_else(|| panic!("{other} accepted"));
            assert!(why.contains("--dockerfile-any-name"), "{other}: {why}");
            assert_eq!(dockerfile_refusal(other, true), None, "{other} with any_name");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("debian"), "docker.io/library/debian:latest");
        assert_eq!(normalize("team/app:1"), "docker.io/team/app:1");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalize("quay.io/x/y:2"), "quay.io/x/y:2");
    }

    #[test]
    fn image_arguments() {
        let e = parse_image_arg("alpine:3.9=build/Dockerfile");
        assert_eq!((e.image.as_str(), e.dockerfile.as_deref(), e.source.as_str()), ("alpine:3.9", Some("build/Dockerfile"), "--image"));
        assert!(e.problem.is_none());
        let e = parse_image_arg("alpine:3.9");
        assert_eq!(e.dockerfile, None);
        let e = parse_image_arg("Bad Image");
        assert!(e.problem.unwrap().message.starts_with("--image: invalid image reference"));
    }
}
