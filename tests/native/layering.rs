//! The crate's imports point down, with no cycles. Every `use crate::…`, `use super::…` and
//! inline `crate::…` / `super::…` path of every file under src/ is resolved to the file it names;
//! the test fails on any cycle between files and on any import of a higher layer than the
//! importer's. The layers are named here, bottom first: a new module must be given one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first, by top-level module of src/. A file may import its own layer (if
/// that makes no cycle) and those below.
const LAYERS: &[&[&str]] = &[
    &["scalar", "rng", "sorting", "npy", "wire"],
    &["dense", "sparse"],
    &["data"],
    &["model", "classifier", "adam", "weights"],
    &[
        "train",
        "fisher",
        "classifier_fisher",
        "network",
        "network_weights",
        "prune",
        "predictions",
        "summary",
    ],
    &["sweep", "finetune", "softflow", "eigen"],
    &["analysis", "pool", "thread_pool"],
    &["workbench"],
    &["report", "study"],
    &["plot", "bench"],
    &["web"],
];

/// A source file's module path from the crate root, e.g. ["data", "run_data"].
type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every .rs file of the library (not src/bin, whose files are crates of their own).
fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().unwrap() != "bin" {
                library_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(file: &Path) -> Module {
    let relative = file.strip_prefix(src()).unwrap();
    let mut parts: Module = (relative.iter())
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code without comments, strings and character literals, so only real paths are read.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = |k: usize| chars.get(i + k).copied();
        match (chars[i], rest(1)) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            // A char literal ('a', '\n'), not a lifetime ('a).
            ('\'', Some(c)) if rest(2) == Some('\'') || (c == '\\' && rest(3) == Some('\'')) => {
                i += if c == '\\' { 4 } else { 3 };
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Every path a `use` tree names, flattened: `a::{b, c::{d, e}}` gives a::b, a::c::d, a::c::e.
fn flatten(tree: &str) -> Vec<String> {
    // `x as y` names x; then spaces do not matter.
    let words: Vec<&str> = tree.split_whitespace().collect();
    let mut kept = Vec::new();
    let mut k = 0;
    while k < words.len() {
        if words[k] == "as" {
            // Skip the alias, keeping what follows it (a comma or a brace).
            let alias = words.get(k + 1).copied().unwrap_or("");
            kept.push(alias.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_'));
            k += 2;
        } else {
            kept.push(words[k]);
            k += 1;
        }
    }
    let tree: String = kept.concat();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (k, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    (parts.into_iter())
        .filter(|p| !p.is_empty())
        .flat_map(|p| match p {
            "self" => vec![prefix.trim_end_matches("::").to_string()],
            p => flatten(&format!("{prefix}{p}")),
        })
        .collect()
}

/// The paths (as written, `crate::`/`super::`/`self::`/child-relative) a file refers to.
fn referenced_paths(code: &str, children: &BTreeSet<String>) -> Vec<String> {
    let mut paths = Vec::new();
    // `use` declarations, `pub use` re-exports included.
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        for path in flatten(&rest[..end]) {
            let first = path.split("::").next().unwrap_or("");
            if matches!(first, "crate" | "super" | "self") || children.contains(first) {
                paths.push(path);
            }
        }
        rest = &rest[end..];
    }
    // Inline paths: `crate::a::b`, `super::a`, and a child module's `child::Item`.
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if word(bytes[i]) && (i == 0 || !word(bytes[i - 1]) && bytes[i - 1] != ':') {
            let mut j = i;
            while j < bytes.len()
                && (word(bytes[j]) || (bytes[j] == ':' && bytes.get(j + 1) == Some(&':')))
            {
                j += if bytes[j] == ':' { 2 } else { 1 };
            }
            let path: String = bytes[i..j].iter().collect();
            let first = path.split("::").next().unwrap();
            if path.contains("::")
                && (matches!(first, "crate" | "super") || children.contains(first))
            {
                paths.push(path);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    paths
}

/// The module a path from `module` names, as the longest prefix that is a file.
fn resolve(module: &Module, path: &str, files: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Module = match segments[0] {
        "crate" => {
            segments.remove(0);
            Vec::new()
        }
        _ => module.clone(),
    };
    while let Some(&first) = segments.first() {
        match first {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => break,
        }
        segments.remove(0);
    }
    let mut found = None;
    let mut current = base;
    for segment in segments {
        current.push(segment.to_string());
        if files.contains_key(&current) {
            found = Some(current.clone());
        } else {
            break;
        }
    }
    found
}

fn layer_of(module: &Module) -> Option<usize> {
    let top = module.first()?;
    LAYERS
        .iter()
        .position(|layer| layer.contains(&top.as_str()))
}

/// Every file's imports of other files.
fn import_graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let mut paths = Vec::new();
    library_files(&src(), &mut paths);
    let files: BTreeMap<Module, PathBuf> =
        paths.iter().map(|p| (module_of(p), p.clone())).collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let children: BTreeSet<String> = (files.keys())
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .map(|m| m.last().unwrap().clone())
            .collect();
        let imports: BTreeSet<Module> = referenced_paths(&code, &children)
            .iter()
            .filter_map(|path| resolve(module, path, &files))
            .filter(|target| target != module)
            .collect();
        graph.insert(module.clone(), imports);
    }
    graph
}

/// Cycles, as the files of each strongly connected component of more than one file (Tarjan).
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        components: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.components.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.components
}

fn name(module: &Module) -> String {
    match module.is_empty() {
        true => "lib".into(),
        false => module.join("::"),
    }
}

#[test]
fn no_source_file_is_in_an_import_cycle() {
    let graph = import_graph();
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    println!("{} files, {edges} imports between them", graph.len());
    let found = cycles(&graph);
    let described: Vec<String> = (found.iter())
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(" ↔ "))
        .collect();
    assert!(found.is_empty(), "import cycles:\n{}", described.join("\n"));
    println!("no cycles");
}

#[test]
fn imports_point_down_the_layers() {
    let graph = import_graph();
    let mut problems = Vec::new();
    for (module, imports) in &graph {
        if module.is_empty() {
            continue; // lib.rs only declares the modules
        }
        let Some(layer) = layer_of(module) else {
            problems.push(format!(
                "{} is in no layer of tests/native/layering.rs",
                name(module)
            ));
            continue;
        };
        for target in imports {
            if layer_of(target).is_some_and(|l| l > layer) {
                problems.push(format!(
                    "{} (layer {layer}) imports {} (layer {})",
                    name(module),
                    name(target),
                    layer_of(target).unwrap()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (l, layer) in LAYERS.iter().enumerate() {
        println!("layer {l}: {}", layer.join(", "));
    }
}

/// The checker itself finds what it looks for, on code written to have it.
#[test]
fn the_checker_reads_uses_inline_paths_and_finds_a_cycle() {
    let code = code_only(
        "use crate::a::{b, c::{d, e as f}}; // use crate::z;\n let s = \"crate::y::q\"; \
         fn g() { super::h::i(); crate::j::k(); child::l(); }",
    );
    let children = BTreeSet::from(["child".to_string()]);
    let paths = referenced_paths(&code, &children);
    for expected in [
        "crate::a::b",
        "crate::a::c::d",
        "crate::a::c::e",
        "super::h::i",
        "crate::j::k",
        "child::l",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
    assert!(
        !paths.iter().any(|p| p.contains('z') || p.contains("y::q")),
        "{paths:?}"
    );

    let m = |s: &str| -> Module { s.split("::").map(String::from).collect() };
    let graph = BTreeMap::from([
        (m("a"), BTreeSet::from([m("b")])),
        (m("b"), BTreeSet::from([m("c")])),
        (m("c"), BTreeSet::from([m("a")])),
        (m("d"), BTreeSet::from([m("a")])),
    ]);
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), 3);
}
