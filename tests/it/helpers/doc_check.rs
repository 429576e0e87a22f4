//! Whether a documented command names something that exists: a `gogotime` subcommand and its
//! options (per the real binary's `--help`), a make target (per `make -n`), a script of the
//! repository (executable, and mentioning every `--option` the docs pass it), a cargo
//! subcommand (per `cargo --list`; `cargo test --test it FILTER` per this suite's own test list;
//! `cargo run -- ARGS` as gogotime ARGS), a path of the repository, or a known system tool.

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use super::binary::BINARY;
use super::shell_docs::{Block, Word};

/// Programs the docs may name that are not part of this repository. Add a real system tool here
/// when the docs start using it; a misspelt script or subcommand must not end up here.
const KNOWN_TOOLS: &[&str] = &[
    ".",
    "source",
    "apt-get",
    "awk",
    "bash",
    "cat",
    "chmod",
    "chromium",
    "cp",
    "curl",
    "docker",
    "docker-compose",
    "echo",
    "git",
    "grep",
    "head",
    "initdb",
    "ln",
    "ls",
    "mkdir",
    "mv",
    "node",
    "npm",
    "npx",
    "pg_ctl",
    "printf",
    "psql",
    "python3",
    "rm",
    "rustup",
    "sed",
    "sh",
    "shellcheck",
    "tail",
    "xdg-open",
];
/// Prefixes that run the command after them.
const WRAPPERS: &[&str] = &["sudo", "env", "time", "exec", "nohup", "xvfb-run"];
/// A word ending like this names a file of the repository, wherever it is.
const REPO_FILE_ENDINGS: &[&str] = &[".sh", ".mjs", ".yaml", ".yml", ".md", ".rs", ".toml"];
/// `cargo test` options that take a value (the filter is the first word that is not one).
const CARGO_VALUE_OPTIONS: &[&str] = &[
    "--test",
    "--bench",
    "--bin",
    "--example",
    "-p",
    "--package",
    "--features",
    "-F",
    "-j",
    "--jobs",
    "--target",
    "--target-dir",
    "--profile",
    "--manifest-path",
    "--color",
    "--message-format",
];

/// What `gogotime … --help` says a command accepts.
#[derive(Clone)]
struct Help {
    commands: Vec<String>,
    /// long option (without dashes) and whether it takes a value
    options: Vec<(String, bool)>,
    shorts: Vec<String>,
}

pub struct Checker {
    pub root: PathBuf,
    helps: RefCell<HashMap<Vec<String>, Option<Help>>>,
    cargo_commands: Vec<String>,
    suite_tests: Vec<String>,
}

impl Checker {
    pub fn new() -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let list = Process::new(cargo)
            .arg("--list")
            .output()
            .expect("cargo --list runs");
        let cargo_commands = String::from_utf8_lossy(&list.stdout)
            .lines()
            .filter(|l| l.starts_with("    "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect();
        // this very binary lists the integration suite's tests without running them
        let me = std::env::current_exe().expect("the test binary's path");
        let tests = Process::new(me)
            .arg("--list")
            .output()
            .expect("the suite lists its tests");
        let suite_tests = String::from_utf8_lossy(&tests.stdout)
            .lines()
            .filter_map(|l| l.strip_suffix(": test").map(str::to_string))
            .collect();
        Self {
            root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            helps: RefCell::default(),
            cargo_commands,
            suite_tests,
        }
    }

    /// Checks each command of a block in order; returns the commands checked and the problems,
    /// each as `file:line: command: what is wrong`.
    pub fn check_block(&self, file: &str, block: &Block) -> (Vec<String>, Vec<String>) {
        let (mut checked, mut problems) = (Vec::new(), Vec::new());
        let mut cwd = self.root.clone();
        let mut clone_dir: Option<String> = None;
        for command in &block.commands {
            let words = without_prefixes(&command.words);
            let Some(program) = words.first() else {
                continue;
            };
            let args: Vec<&str> = words[1..].iter().map(|w| w.text.as_str()).collect();
            let mut found = Vec::new();
            match program.text.as_str() {
                "cd" => self.change_dir(&mut cwd, args.first(), &clone_dir, &mut found),
                "gogotime" => self.check_gogotime(&args, &mut found),
                "cargo" => self.check_cargo(&args, &mut found),
                "make" => self.check_make(&args, &mut found),
                "git" if args.first() == Some(&"clone") => {
                    clone_dir = args
                        .iter()
                        .skip(1)
                        .rev()
                        .find(|a| !a.starts_with('-'))
                        .map(|a| {
                            let name = a.trim_end_matches('/').rsplit('/').next().unwrap_or(a);
                            name.trim_end_matches(".git").to_string()
                        });
                }
                p if p.starts_with('$') || p.starts_with('/') => {}
                p if p.contains('/') => {
                    check_script(&cwd, p, &words[1..], &mut found);
                    if p.trim_start_matches("./") == "scripts/test" {
                        self.check_filters(&args, &mut found);
                    }
                }
                p if KNOWN_TOOLS.contains(&p) => {}
                p => found.push(format!(
                    "unknown command `{p}`: not a gogotime subcommand, make target, script of the \
                     repository or known system tool (a real system tool goes into KNOWN_TOOLS)"
                )),
            }
            if !(program.text == "git" || program.text == "cd") {
                check_paths(&cwd, &words[1..], &mut found);
            }
            let at = format!("{file}:{}", command.line);
            checked.push(format!("{at}: {}", texts(&command.words).join(" ")));
            problems.extend(
                found
                    .into_iter()
                    .map(|p| format!("{at}: `{}`: {p}", command.source)),
            );
        }
        (checked, problems)
    }

    fn change_dir(
        &self,
        cwd: &mut PathBuf,
        dir: Option<&&str>,
        clone: &Option<String>,
        found: &mut Vec<String>,
    ) {
        let Some(dir) = dir else {
            return;
        };
        if clone.as_deref() == Some(*dir) {
            *cwd = self.root.clone();
        } else if cwd.join(dir).is_dir() {
            cwd.push(dir);
        } else {
            found.push(format!("cd {dir}: no such directory in the repository"));
        }
    }

    /// `gogotime ARGS`: each subcommand and option is one the binary's --help lists.
    pub fn check_gogotime(&self, args: &[&str], found: &mut Vec<String>) {
        let mut path: Vec<String> = Vec::new();
        let Some(mut help) = self.help(&path) else {
            found.push("`gogotime --help` failed".into());
            return;
        };
        let mut positional = false;
        let mut i = 0;
        while i < args.len() {
            let word = args[i].trim_matches(|c| c == '[' || c == ']');
            let name = format!("gogotime {}", path.join(" "))
                .trim_end()
                .to_string();
            if word == "--" {
                break;
            } else if let Some(long) = word.strip_prefix("--") {
                let long = long.split('=').next().unwrap_or(long);
                match help.options.iter().find(|(o, _)| o == long) {
                    Some((_, true)) if !word.contains('=') => i += 1,
                    Some(_) => {}
                    None => found.push(format!(
                        "`{name}` has no option --{long} (see `{name} --help`)"
                    )),
                }
            } else if word.len() > 1 && word.starts_with('-') {
                if !help.shorts.iter().any(|s| word.starts_with(s.as_str())) {
                    found.push(format!("`{name}` has no option {word}"));
                }
            } else if !help.commands.is_empty() && !positional && !word.is_empty() {
                if !help.commands.iter().any(|c| c == word) {
                    let has = help.commands.join(", ");
                    found.push(format!(
                        "`{name}` has no subcommand `{word}` (it has: {has})"
                    ));
                    return;
                }
                path.push(word.to_string());
                match self.help(&path) {
                    Some(next) => help = next,
                    None => {
                        return found.push(format!("`gogotime {} --help` failed", path.join(" ")));
                    }
                }
            } else {
                positional = true;
            }
            i += 1;
        }
        if !path.is_empty() && !help.commands.is_empty() && !positional {
            found.push(format!(
                "`gogotime {}` needs a subcommand ({})",
                path.join(" "),
                help.commands.join(", ")
            ));
        }
    }

    fn help(&self, path: &[String]) -> Option<Help> {
        let mut helps = self.helps.borrow_mut();
        helps
            .entry(path.to_vec())
            .or_insert_with(|| {
                let output = Process::new(BINARY)
                    .args(path)
                    .arg("--help")
                    .output()
                    .ok()?;
                output
                    .status
                    .success()
                    .then(|| parse_help(&String::from_utf8_lossy(&output.stdout)))
            })
            .clone()
    }

    fn check_cargo(&self, args: &[&str], found: &mut Vec<String>) {
        let Some(at) = args
            .iter()
            .position(|a| !a.starts_with('-') && !a.starts_with('+'))
        else {
            return;
        };
        let (sub, rest) = (args[at], &args[at + 1..]);
        if !self.cargo_commands.iter().any(|c| c == sub) {
            return found.push(format!(
                "no cargo subcommand `{sub}` here (see `cargo --list`)"
            ));
        }
        let dashes = rest.iter().position(|a| *a == "--");
        let (own, after) = match dashes {
            Some(d) => (&rest[..d], &rest[d + 1..]),
            None => (rest, &[][..]),
        };
        let value_of = |option: &str| {
            own.iter()
                .position(|a| *a == option)
                .and_then(|p| own.get(p + 1))
        };
        match sub {
            "run"
                if value_of("--bin").is_none_or(|b| *b == "gogotime")
                    && value_of("--example").is_none() =>
            {
                self.check_gogotime(after, found)
            }
            "bench" => {
                if let Some(bench) = value_of("--bench") {
                    let manifest =
                        std::fs::read_to_string(self.root.join("Cargo.toml")).unwrap_or_default();
                    if !manifest.contains(&format!("[[bench]]\nname = \"{bench}\"")) {
                        found.push(format!("Cargo.toml declares no bench `{bench}`"));
                    }
                }
            }
            "test" => self.check_cargo_test(own, after, found),
            _ => {}
        }
    }

    fn check_cargo_test(&self, own: &[&str], after: &[&str], found: &mut Vec<String>) {
        let mut target = None;
        let mut filter = None;
        let mut i = 0;
        while i < own.len() {
            let word = own[i];
            if CARGO_VALUE_OPTIONS.contains(&word) {
                if word == "--test" {
                    target = own.get(i + 1).copied();
                }
                i += 1;
            } else if !word.starts_with('-') && filter.is_none() {
                filter = Some(word);
            }
            i += 1;
        }
        if let Some(target) = target {
            let tests = self.root.join("tests");
            if !tests.join(format!("{target}.rs")).is_file()
                && !tests.join(target).join("main.rs").is_file()
            {
                return found.push(format!(
                    "no test target `{target}` (tests/{target}.rs or tests/{target}/main.rs)"
                ));
            }
        }
        // a filter for the integration suite must match one of its tests, as cargo would match it
        if let (Some("it"), Some(filter)) = (target, filter) {
            let exact = after.contains(&"--exact");
            if !self.suite_tests.iter().any(|t| {
                if exact {
                    t == filter
                } else {
                    t.contains(filter)
                }
            }) {
                found.push(format!("the filter `{filter}` matches no test of tests/it"));
            }
        }
    }

    /// `scripts/test FILTER` runs the Rust tests whose names contain FILTER: one must exist.
    fn check_filters(&self, args: &[&str], found: &mut Vec<String>) {
        for filter in args.iter().filter(|a| !a.starts_with('-')) {
            if !self.suite_tests.iter().any(|t| t.contains(filter)) {
                found.push(format!("the filter `{filter}` matches no test of tests/it"));
            }
        }
    }

    fn check_make(&self, args: &[&str], found: &mut Vec<String>) {
        for target in args
            .iter()
            .filter(|a| !a.starts_with('-') && !a.contains('='))
        {
            let dry_run = Process::new("make")
                .args(["-n", "-C"])
                .arg(&self.root)
                .arg(target)
                .output();
            match dry_run {
                Ok(out) if out.status.success() => {}
                Ok(out) => found.push(format!(
                    "no make target `{target}`: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => found.push(format!(
                    "GNU make is needed to check `make {target}` ({e}): apt-get install make"
                )),
            }
        }
    }
}

/// The words after environment assignments and wrappers such as `sudo`.
fn without_prefixes(words: &[Word]) -> &[Word] {
    let mut rest = words;
    loop {
        match rest.first() {
            Some(w) if is_assignment(&w.text) => rest = &rest[1..],
            Some(w) if WRAPPERS.contains(&w.text.as_str()) => {
                rest = &rest[1..];
                while rest.first().is_some_and(|w| w.text.starts_with('-')) {
                    rest = &rest[1..];
                }
            }
            _ => return rest,
        }
    }
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn texts(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.text.as_str()).collect()
}

/// A script of the repository: it exists, is executable and handles every `--option` given.
fn check_script(cwd: &Path, program: &str, args: &[Word], found: &mut Vec<String>) {
    let path = cwd.join(program.trim_start_matches("./"));
    let Ok(meta) = std::fs::metadata(&path) else {
        return found.push(format!("no such file `{program}` in the repository"));
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return found.push(format!("`{program}` is not an executable file"));
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    for arg in args.iter().filter(|a| !a.quoted) {
        if let Some(option) = arg.text.strip_prefix("--") {
            let option = option.split('=').next().unwrap_or(option);
            if !option.is_empty() && !text.contains(&format!("--{option}")) {
                found.push(format!("`{program}` does not handle --{option}"));
            }
        }
    }
}

/// Arguments that name files of the repository must exist (`*` matches as a shell glob would).
fn check_paths(cwd: &Path, args: &[Word], found: &mut Vec<String>) {
    for arg in args.iter().filter(|a| !a.quoted) {
        let text = arg.text.trim_matches(|c| c == '[' || c == ']');
        if text.starts_with('-') || text.contains(['$', '=', ':', '<', '>', '@', '{', '~']) {
            continue;
        }
        let text = text.trim_start_matches("./");
        let first = text.split('/').next().unwrap_or_default();
        let in_repo = text.contains('/') && !first.is_empty() && cwd.join(first).exists();
        if (in_repo || REPO_FILE_ENDINGS.iter().any(|e| text.ends_with(e)))
            && !glob_exists(cwd, text)
        {
            found.push(format!("no such path `{text}` in the repository"));
        }
    }
}

fn glob_exists(base: &Path, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    matches_under(base, &parts)
}

fn matches_under(base: &Path, parts: &[&str]) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return base.exists();
    };
    if !part.contains('*') {
        return matches_under(&base.join(part), rest);
    }
    std::fs::read_dir(base)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            wildcard(part, &entry.file_name().to_string_lossy())
                && matches_under(&entry.path(), rest)
        })
}

fn wildcard(pattern: &str, name: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Commands and options from clap's help text.
fn parse_help(text: &str) -> Help {
    let mut help = Help {
        commands: Vec::new(),
        options: Vec::new(),
        shorts: Vec::new(),
    };
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line;
            continue;
        }
        let entry = line.trim_start();
        match section {
            "Commands:" if line.starts_with("  ") && !line.starts_with("   ") => {
                help.commands
                    .extend(entry.split_whitespace().next().map(str::to_string));
            }
            "Options:" if entry.starts_with('-') => {
                let mut words = entry.split_whitespace().peekable();
                while let Some(word) = words.next() {
                    let word = word.trim_end_matches(',');
                    if let Some(long) = word.strip_prefix("--") {
                        let takes_value = words
                            .peek()
                            .is_some_and(|n| n.starts_with('<') || n.starts_with('['));
                        help.options.push((long.to_string(), takes_value));
                        break;
                    } else if word.starts_with('-') {
                        help.shorts.push(word.to_string());
                    } else {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    help
}
