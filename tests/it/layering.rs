//! The module graph of `src/`, read from the source: no import circle between modules and no
//! upward edge between the layers `domain` ← `db` ← `service` ← `http` ← `startup` ←
//! `commands` (ARCHITECTURE.md, "Dependencies point one way"); only `db` names sqlx and only
//! `http` and `startup` name axum.
//!
//! An edge is any `use` of, or path into, another module of the crate (`crate::…`, `super::…`,
//! `self::…`, a child module's name). Modules under one parent must not form a circle; a module
//! may use its own ancestors (the parent routes its children and holds what they share), so an
//! edge between a module and its ancestor is not part of any circle. Edges are lifted to the
//! children of the two modules' nearest common ancestor: `http::web::session` →
//! `http::api::authn` is the edge `http::web` → `http::api`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lower rank = lower layer; a layer may use only layers of lower or equal rank.
const LAYERS: [(&str, u8); 7] = [
    ("domain", 0),
    ("db", 1),
    ("service", 2),
    ("http", 3),
    ("startup", 4),
    ("commands", 5),
    ("cli", 5),
];

/// External crates and the top-level modules that alone may name them.
const CRATE_HOMES: [(&str, &[&str]); 4] = [
    ("sqlx", &["db"]),
    ("axum", &["http", "startup"]),
    // the web pages, and the email messages (which the layers below http queue)
    ("askama", &["http", "mail"]),
    ("tower_http", &["http", "startup"]),
];

#[test]
fn src_has_no_import_circle_and_no_upward_edge_between_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_tree(&root);
    assert!(
        sources.len() > 100 && sources.contains_key("http::api"),
        "the source tree was not read: {} modules",
        sources.len()
    );
    let problems = check(&sources);
    assert!(
        problems.is_empty(),
        "the module graph breaks the layering (ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_reports_circles_upward_edges_and_misplaced_crates() {
    let sources: BTreeMap<String, String> = [
        ("", "pub mod domain; pub mod service; pub mod http;"),
        // a circle between two children of `http`, one edge through a child module
        ("http", "mod api; mod web; use api::X;"),
        ("http::api", "mod authn; pub struct X;"),
        ("http::api::authn", "use crate::http::web::session::Viewer;"),
        ("http::web", "mod session; use super::api::X;"),
        (
            "http::web::session",
            "pub struct Viewer; fn f() { super::super::api::authn::g() }",
        ),
        // the domain reaching up into the services
        ("domain", "use crate::{error, service::Ctx};"),
        ("service", "pub struct Ctx; use sqlx::PgPool;"),
        ("error", ""),
        // comments and strings do not count
        (
            "db",
            "// use crate::http::Y;\nconst S: &str = \"crate::http::X\";",
        ),
        // … but a function named in a serde attribute does
        (
            "db::rows",
            "#[serde(deserialize_with = \"crate::service::nullable\")] struct R;",
        ),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_string(), strip(s)))
    .collect();
    let problems = check(&sources);
    assert_eq!(
        problems,
        [
            "circle between http::api, http::web:\n    http::api::authn → http::web::session\n    \
             http::web → http::api, http::web::session → http::api::authn",
            "upward edge: domain (layer 0) reaches service (layer 2): domain → service",
            "upward edge: db (layer 1) reaches service (layer 2): db → service",
            "service names the crate sqlx, which only db may use",
        ],
        "{problems:#?}"
    );
}

/// Every `.rs` file under `root` by module path (`http::web::session`), comments and string
/// literals blanked out. `main.rs` is the binary, not a module of the library.
fn read_tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path == root.join("main.rs") {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            let source = std::fs::read_to_string(&path).unwrap();
            out.insert(parts.join("::"), strip(&source));
        }
    }
    out
}

/// All problems found, as sentences naming the modules and the edges that make them.
fn check(sources: &BTreeMap<String, String>) -> Vec<String> {
    let modules: BTreeSet<&str> = sources.keys().map(String::as_str).collect();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    let mut problems = Vec::new();
    for (module, code) in sources {
        for path in paths(code) {
            match resolve(module, &path, &modules) {
                Some(target) if target != *module => {
                    edges.insert((module.clone(), target));
                }
                Some(_) => {}
                None => {
                    let top = module.split("::").next().unwrap_or_default();
                    for (krate, homes) in CRATE_HOMES {
                        if path[0] == krate && !homes.contains(&top) {
                            problems.push(format!(
                                "{module} names the crate {krate}, which only {} may use",
                                homes.join(" and ")
                            ));
                        }
                    }
                }
            }
        }
    }
    problems.dedup();
    let mut circles = circles(&edges);
    circles.extend(upward_edges(&edges));
    circles.extend(problems);
    circles
}

/// Circles among the children of one parent, each with the edges that close it.
fn circles(edges: &BTreeSet<(String, String)>) -> Vec<String> {
    let mut lifted: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (from, to) in edges {
        let (a, b): (Vec<&str>, Vec<&str>) = (from.split("::").collect(), to.split("::").collect());
        let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        if from.is_empty() || to.is_empty() || common == a.len() || common == b.len() {
            continue; // a module and its ancestor
        }
        let (a, b) = (a[..=common].join("::"), b[..=common].join("::"));
        lifted
            .entry(a.clone())
            .or_default()
            .entry(b.clone())
            .or_default()
            .push(format!("{from} → {to}"));
    }
    let graph: BTreeMap<&str, Vec<&str>> = lifted
        .iter()
        .map(|(a, to)| (a.as_str(), to.keys().map(String::as_str).collect()))
        .collect();
    strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let mut lines = vec![format!("circle between {}:", component.join(", "))];
            for a in &component {
                for b in &component {
                    if let Some(witnesses) = lifted.get(*a).and_then(|to| to.get(*b)) {
                        let more = match witnesses.len() {
                            0..=3 => String::new(),
                            n => format!(" (and {} more)", n - 3),
                        };
                        let shown = &witnesses[..witnesses.len().min(3)];
                        lines.push(format!("    {}{more}", shown.join(", ")));
                    }
                }
            }
            lines.join("\n")
        })
        .collect()
}

/// Layers reaching a higher layer, directly or through modules outside the layers.
fn upward_edges(edges: &BTreeSet<(String, String)>) -> Vec<String> {
    let top = |m: &str| m.split("::").next().unwrap_or_default().to_string();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        if top(from) != top(to) {
            graph.entry(top(from)).or_default().insert(top(to));
        }
    }
    let rank = |m: &str| LAYERS.iter().find(|(name, _)| *name == m).map(|(_, r)| *r);
    let mut out = Vec::new();
    for (layer, own) in LAYERS {
        // breadth-first, remembering the way each module was reached
        let mut via: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = vec![layer.to_string()];
        while let Some(m) = queue.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next != layer && !via.contains_key(next) {
                    via.insert(next.clone(), m.clone());
                    queue.insert(0, next.clone());
                }
            }
        }
        for (reached, _) in via.iter().filter(|(m, _)| rank(m).is_some_and(|r| r > own)) {
            let mut chain = vec![reached.clone()];
            while let Some(prev) = via.get(chain.last().unwrap()) {
                chain.push(prev.clone());
            }
            chain.push(layer.to_string());
            chain.dedup();
            chain.reverse();
            out.push(format!(
                "upward edge: {layer} (layer {own}) reaches {reached} (layer {}): {}",
                rank(reached).unwrap(),
                chain.join(" → ")
            ));
        }
    }
    out
}

/// Tarjan's strongly connected components, each sorted.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(v: &'a str, graph: &BTreeMap<&'a str, Vec<&'a str>>, s: &mut State<'a>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        for &w in graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(w, graph, s);
                s.low.insert(v, s.low[v].min(s.low[w]));
            } else if s.stack.contains(&w) {
                s.low.insert(v, s.low[v].min(s.index[w]));
            }
        }
        if s.low[v] == s.index[v] {
            let at = s.stack.iter().rposition(|x| *x == v).unwrap();
            let mut component = s.stack.split_off(at);
            component.sort_unstable();
            s.out.push(component);
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(v, graph, &mut state);
        }
    }
    state.out
}

/// The module a path leads into (the longest prefix that is a module), or `None` for a path
/// that does not start in this crate (an external crate, a local item).
fn resolve(current: &str, path: &[String], modules: &BTreeSet<&str>) -> Option<String> {
    let mut base: Vec<&str> = if current.is_empty() {
        vec![]
    } else {
        current.split("::").collect()
    };
    let mut rest = path;
    match path.first()?.as_str() {
        "crate" | "$crate" => {
            base.clear();
            rest = &path[1..];
        }
        "self" | "super" => {
            while let Some(first) = rest.first().filter(|s| *s == "self" || *s == "super") {
                if first == "super" {
                    base.pop();
                }
                rest = &rest[1..];
            }
        }
        first => {
            let child = base.iter().copied().chain([first]).collect::<Vec<_>>();
            if !modules.contains(child.join("::").as_str()) {
                return None;
            }
        }
    }
    let mut found = None;
    for take in 0..=rest.len() {
        let candidate: Vec<&str> = base
            .iter()
            .copied()
            .chain(rest[..take].iter().map(String::as_str))
            .collect();
        if modules.contains(candidate.join("::").as_str()) {
            found = Some(candidate.join("::"));
        }
    }
    found
}

/// Every path in the code: each leaf of each `use` tree, and each `a::b…` path elsewhere.
fn paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "use" && (i == 0 || tokens[i - 1] != "::") {
            let end = tokens[i..]
                .iter()
                .position(|t| t == ";")
                .map_or(tokens.len(), |e| i + e);
            use_tree(&tokens[i + 1..end], &mut Vec::new(), &mut out);
            i = end + 1;
            continue;
        }
        if tokens.get(i + 1).is_some_and(|t| t == "::")
            && is_ident(&tokens[i])
            && (i == 0 || tokens[i - 1] != "::")
        {
            let mut path = vec![tokens[i].clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t == "::")
                && tokens.get(j + 1).is_some_and(|t| is_ident(t))
            {
                path.push(tokens[j + 1].clone());
                j += 2;
            }
            out.push(path);
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// Expands `a::{b, c::{d, e as f}, *}` into its leaves, each prefixed with `prefix`.
fn use_tree(tokens: &[String], prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let depth_before = prefix.len();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "{" => {
                let close = matching_brace(tokens, i);
                for item in split_top_level(&tokens[i + 1..close]) {
                    use_tree(item, &mut prefix.clone(), out);
                }
                prefix.truncate(depth_before);
                return;
            }
            "::" | "*" => {}
            "as" => break,
            t if is_ident(t) => prefix.push(t.to_string()),
            _ => {}
        }
        i += 1;
    }
    if !prefix.is_empty() {
        out.push(prefix.clone());
    }
    prefix.truncate(depth_before);
}

fn matching_brace(tokens: &[String], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn split_top_level(tokens: &[String]) -> Vec<&[String]> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "{" => depth += 1,
            "}" => depth -= 1,
            "," if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
}

/// Identifiers (with `$crate`), `::`, and single punctuation characters.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// The code with comments, string and character literals replaced by spaces, so that neither
/// a commented-out `use` nor a string such as `"sqlx::query"` counts as an edge.
fn strip(source: &str) -> String {
    let s: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let at = |i: usize, text: &str| {
        text.chars()
            .enumerate()
            .all(|(k, c)| s.get(i + k) == Some(&c))
    };
    while i < s.len() {
        if at(i, "//") {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < s.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&s, i) {
            // r"…", r#"…"#, br"…": up to the quote followed by as many hashes
            let open = i + s[i..].iter().position(|c| *c == '"').unwrap();
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            i = open + 1;
            while i < s.len() && !at(i, &close) {
                i += 1;
            }
            i += close.len();
            out.push(' ');
        } else if s[i] == '"' {
            let start = i + 1;
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            let text: String = s[start..i.min(s.len())].iter().collect();
            i += 1;
            // `#[serde(with = "crate::…")]` names a function: that string is code
            let key = out
                .trim_end()
                .strip_suffix('=')
                .unwrap_or_default()
                .trim_end();
            let path = text
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == ':');
            if path
                && ["with", "deserialize_with", "serialize_with", "default"]
                    .iter()
                    .any(|k| {
                        key.ends_with(k)
                            && !key[..key.len() - k.len()].ends_with(|c: char| c.is_alphanumeric())
                    })
            {
                out.push_str(&text);
            }
            out.push(' ');
        } else if s[i] == '\'' && (s.get(i + 1) == Some(&'\\') || s.get(i + 2) == Some(&'\'')) {
            // a character literal ('x', '\n', '\'', '\u{1f}'), not a lifetime ('a)
            i += if s[i + 1] == '\\' { 3 } else { 2 };
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `Some(number of #)` when a raw (byte) string literal starts at `i`.
fn raw_string_start(s: &[char], i: usize) -> Option<usize> {
    if i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if s.get(j) == Some(&'b') {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|c| **c == '#').count();
    (s.get(j + hashes) == Some(&'"')).then_some(hashes)
}
