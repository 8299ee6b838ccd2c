//! The documentation stays true to the tree: README.md and ARCHITECTURE.md keep to their
//! length, every file or folder they name (`shared/store/src/lib.rs`), every type
//! (`TokenVerifier`), every item named by its path (`bootstrap::config::SecondsVariable`,
//! `Config::store`) and every function (`session_identity()`) exists, outside code blocks
//! (paths outside the repository, `../shared/`, are not checked);
//! and docs/API.md's error-code tables name the codes `openapi.yaml` has.

use std::collections::BTreeSet;
use std::path::Path;

use testkit::workspace_root;

/// The crates of the workspace, as a path's first segment names them.
const CRATES: [&str; 10] = [
    "model",
    "store",
    "auth",
    "bootstrap",
    "accounts",
    "devkit",
    "testkit",
    "get_me",
    "get_users_me",
    "crate",
];

fn read(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The backquoted spans of `text` outside fenced code blocks.
fn spans(text: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        spans.extend(line.split('`').skip(1).step_by(2).map(str::to_owned));
    }
    spans
}

/// CamelCase words the documents use that are not this workspace's types: HTTP headers and
/// DynamoDB's operations.
const NOT_OURS: [&str; 6] = [
    "Accept",
    "Vary",
    "Origin",
    "BatchGetItem",
    "GetItem",
    "PutItem",
];

/// Every Rust source of the workspace.
fn sources() -> String {
    let mut all = String::new();
    let mut pending = vec![
        workspace_root().join("functions"),
        workspace_root().join("shared"),
        workspace_root().join("tools"),
    ];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                all.push_str(&std::fs::read_to_string(&path).unwrap());
                all.push('\n');
            }
        }
    }
    all
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is an item (function, type, trait, constant, module, macro) of `sources`.
fn defined(sources: &str, name: &str) -> bool {
    [
        "fn ",
        "struct ",
        "enum ",
        "trait ",
        "type ",
        "const ",
        "static ",
        "mod ",
        "macro_rules! ",
    ]
    .iter()
    .any(|kind| {
        sources
            .match_indices(&format!("{kind}{name}"))
            .any(|(at, found)| {
                let after = sources[at + found.len()..].chars().next();
                !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    })
}

/// The names a deployment has besides the code's: template.yaml's parameters (and the values
/// they allow), resources and outputs, and the metric lines' metrics, dimensions and request id.
fn operated_names() -> BTreeSet<String> {
    let template: serde_yaml::Value = serde_yaml::from_str(&read("template.yaml")).unwrap();
    let mut names = BTreeSet::from(["RequestId".to_owned()]);
    for section in ["Parameters", "Resources", "Outputs"] {
        for (name, entry) in template[section].as_mapping().unwrap() {
            names.insert(name.as_str().unwrap().to_owned());
            let values = entry["AllowedValues"].as_sequence().into_iter().flatten();
            for value in values.chain([&entry["Default"]]).filter_map(|v| v.as_str()) {
                names.insert(value.to_owned());
            }
        }
    }
    let metrics = testkit::emf::METRICS.iter().map(|(name, _)| *name);
    names.extend(metrics.chain(testkit::emf::DIMENSIONS).map(str::to_owned));
    names
}

/// What `span` names that no longer exists, if anything.
fn missing(root: &Path, sources: &str, span: &str) -> Option<String> {
    let span = span.trim();
    if let Some(function) = span.strip_suffix("()") {
        let name = function.rsplit("::").next().unwrap_or(function);
        return (is_identifier(name) && !defined(sources, name)).then(|| span.to_owned());
    }
    if span.contains("::") {
        let segments: Vec<&str> = span.split("::").collect();
        let first = segments[0];
        let ours = CRATES.contains(&first) || first.starts_with(|c: char| c.is_ascii_uppercase());
        let last = segments[segments.len() - 1];
        return (ours && is_identifier(last) && !defined(sources, last)).then(|| span.to_owned());
    }
    let looks_like_a_path = span.contains('/')
        && !span.contains([' ', '<', '*', '|', '$', '{', ':', '#', '?', '='])
        && !span.starts_with(['/', '~'])
        && !span.starts_with("../")
        && !span.starts_with("http");
    if looks_like_a_path {
        return (!root.join(span).exists()).then(|| span.to_owned());
    }
    let camel = !NOT_OURS.contains(&span)
        && span.starts_with(|c: char| c.is_ascii_uppercase())
        && span.chars().any(|c| c.is_ascii_lowercase())
        && is_identifier(span);
    (camel && !defined(sources, span)).then(|| span.to_owned())
}

#[test]
fn readme_and_architecture_keep_their_length_and_name_only_what_exists() {
    let root = workspace_root();
    let sources = sources();
    for (file, limit) in [("README.md", 250), ("ARCHITECTURE.md", 200)] {
        let text = read(file);
        assert!(
            text.lines().count() <= limit,
            "{file} is over {limit} lines"
        );
        let spans = spans(&text);
        assert!(spans.len() > 40, "{file}: {} spans", spans.len());
        let operated = operated_names();
        let gone: BTreeSet<String> = spans
            .iter()
            .filter(|span| !operated.contains(span.trim()))
            .filter_map(|span| missing(&root, &sources, span))
            .collect();
        assert!(
            gone.is_empty(),
            "{file} names what does not exist: {gone:?}"
        );
    }
}

#[test]
fn the_checker_notices_what_is_gone() {
    let root = workspace_root();
    let sources = sources();
    for gone in [
        "shared/response/src/lib.rs",
        "RouteErrorTrait",
        "bootstrap::http::answer_request",
        "answer_request()",
    ] {
        assert!(missing(&root, &sources, gone).is_some(), "{gone}");
    }
    for there in [
        "shared/store/src/lib.rs",
        "TokenVerifier",
        "bootstrap::config::SecondsVariable",
        "session_identity()",
        "../shared/seeds/",
        "docs/API.md",
    ] {
        assert_eq!(missing(&root, &sources, there), None, "{there}");
    }
}

/// The codes of docs/API.md's tables (`| status | code | meaning |`), ranges like `4010–4014`
/// spelled out.
fn documented_codes() -> BTreeSet<u64> {
    let mut codes = BTreeSet::new();
    for line in read("docs/API.md").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || cells[1].parse::<u16>().is_err() {
            continue;
        }
        match cells[2].split_once('–') {
            Some((from, to)) => codes.extend(from.parse::<u64>().unwrap()..=to.parse().unwrap()),
            None => {
                codes.insert(cells[2].parse().unwrap());
            }
        }
    }
    codes
}

#[test]
fn the_api_page_names_the_codes_openapi_has() {
    let openapi = read("openapi.yaml");
    let mut enumerated = BTreeSet::new();
    for list in openapi.split("enum: [").skip(1) {
        let list = list.split(']').next().unwrap();
        for code in list.split(',') {
            if let Ok(code) = code.trim().parse::<u64>()
                && code >= 4000
            {
                enumerated.insert(code);
            }
        }
    }
    assert!(enumerated.len() >= 15, "{enumerated:?}");
    assert_eq!(documented_codes(), enumerated);
}
