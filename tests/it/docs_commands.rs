//! The docs cannot drift from the code: every command in a shell block of README.md and
//! CONTRIBUTING.md names something that exists (helpers/doc_check.rs says what counts), and every
//! make target is documented and runs one of those documented commands, spelled the same.
//! `cargo test --test it docs_commands:: -- --nocapture` lists the commands checked.

use std::collections::BTreeSet;

use crate::helpers::doc_check::Checker;
use crate::helpers::shell_docs::{shell_blocks, split_line};

const DOCS: &[&str] = &["README.md", "CONTRIBUTING.md"];

fn read(checker: &Checker, file: &str) -> String {
    std::fs::read_to_string(checker.root.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
}

/// `phrase` occurs as whole words (`make run` in "make run," but not in "make run-all").
fn mentions(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let next = text[at + phrase.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

fn problems_of(checker: &Checker, snippet: &str) -> Vec<String> {
    let blocks = shell_blocks(&format!("```sh\n{snippet}\n```\n"));
    assert_eq!(blocks.len(), 1, "{snippet}");
    checker.check_block("case", &blocks[0]).1
}

#[test]
fn every_command_in_the_readme_and_the_contributing_guide_exists() {
    let checker = Checker::new();
    let (mut checked, mut problems) = (Vec::new(), Vec::new());
    for file in DOCS {
        let blocks = shell_blocks(&read(&checker, file));
        assert!(!blocks.is_empty(), "{file} has no shell code block");
        for block in &blocks {
            let (c, p) = checker.check_block(file, block);
            checked.extend(c);
            problems.extend(p);
        }
    }

    println!(
        "{} documented commands checked:\n  {}",
        checked.len(),
        checked.join("\n  ")
    );
    assert!(
        problems.is_empty(),
        "documented commands that do not exist (fix the docs or the code):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_check_rejects_each_kind_of_command_that_does_not_exist() {
    let checker = Checker::new();
    let cases = [
        (
            "gogotime frobnicate",
            "`gogotime` has no subcommand `frobnicate`",
        ),
        (
            "gogotime user create --mail E",
            "`gogotime user create` has no option --mail",
        ),
        ("gogotime migrate", "`gogotime migrate` needs a subcommand"),
        (
            "cargo run --release -- user delete",
            "`gogotime user` has no subcommand `delete`",
        ),
        ("make no-such-target", "no make target `no-such-target`"),
        (
            "scripts/no-such-script",
            "no such file `scripts/no-such-script`",
        ),
        (
            "scripts/test --no-such-option",
            "`scripts/test` does not handle --no-such-option",
        ),
        (
            "scripts/test entries::sqlite::no_such_test",
            "`entries::sqlite::no_such_test` matches no test",
        ),
        ("./README.md", "`./README.md` is not an executable file"),
        ("cargo frobnicate", "no cargo subcommand `frobnicate`"),
        ("cargo test --test nosuch", "no test target `nosuch`"),
        (
            "cargo test --test it no_test_has_this_name",
            "`no_test_has_this_name` matches no test",
        ),
        (
            "cargo test --test it docs_commands -- --exact",
            "`docs_commands` matches no test",
        ),
        (
            "cargo bench --bench nosuch",
            "Cargo.toml declares no bench `nosuch`",
        ),
        (
            "docker-compose -f compose.nosuch.yaml up",
            "no such path `compose.nosuch.yaml`",
        ),
        (
            "ls deploy/no-such-dir/*.sh",
            "no such path `deploy/no-such-dir/*.sh`",
        ),
        ("frobnicate --all", "unknown command `frobnicate`"),
        ("cd no-such-dir", "cd no-such-dir: no such directory"),
        (
            "cd tests/browser && node --test no-such.test.mjs",
            "no such path `no-such.test.mjs`",
        ),
    ];
    for (command, expected) in cases {
        let problems = problems_of(&checker, command);
        assert!(
            problems.len() == 1 && problems[0].contains(expected),
            "`{command}` should give one problem containing '{expected}', got {problems:#?}"
        );
    }
}

#[test]
fn the_check_accepts_each_kind_of_command_that_exists() {
    let checker = Checker::new();
    let cases = [
        "gogotime user create --email E [--admin]   # a comment",
        "gogotime healthcheck [--url U] --timeout=3",
        "cargo run --release -- migrate status",
        "GOGOTIME_LOG=debug cargo test --test it -- --nocapture",
        "cargo test --test it docs_commands::",
        "cargo bench --bench pages",
        "make test-fast && make lint",
        "sudo deploy/tests/run.sh --list",
        "cd tests/browser && BROWSER_HEADED=1 node --test tracking.test.mjs",
        "git clone https://example.test/gogotime.git && cd gogotime && scripts/test --rust-only",
        "docker-compose -f compose.yaml config -q 2>&1 | grep -v warning > /tmp/out.txt",
        "$EDITOR CHANGELOG.md",
        "ls bench/*.sh migrations/*/",
        "scripts/test \\\n  --sqlite-only",
        "scripts/test --rust-only migrations::",
        "python3 -m venv ~/.venvs/gogotime && . ~/.venvs/gogotime/bin/activate",
    ];
    for command in cases {
        let problems = problems_of(&checker, command);
        assert!(
            problems.is_empty(),
            "`{command}` should pass, got {problems:#?}"
        );
    }
}

#[test]
fn the_shell_reader_splits_commands_as_a_shell_does() {
    let commands = split_line(
        7,
        r#"A=1 make x && scripts/y 'a b' | grep "c d" >out 2>&1; echo e\ f # note"#,
    );

    let words: Vec<Vec<&str>> = commands
        .iter()
        .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
        .collect();
    assert_eq!(
        words,
        [
            vec!["A=1", "make", "x"],
            vec!["scripts/y", "a b"],
            vec!["grep", "c d"],
            vec!["echo", "e f"]
        ]
    );
    assert!(commands.iter().all(|c| c.line == 7));
    assert_eq!(
        commands[0].source,
        r#"A=1 make x && scripts/y 'a b' | grep "c d" >out 2>&1; echo e\ f"#
    );
}

#[test]
fn every_make_target_is_documented_and_runs_a_documented_command() {
    let checker = Checker::new();
    let docs: Vec<String> = DOCS.iter().map(|f| read(&checker, f)).collect();
    let documented: BTreeSet<Vec<String>> = docs
        .iter()
        .flat_map(|text| shell_blocks(text))
        .flat_map(|block| block.commands)
        .map(|c| c.words.into_iter().map(|w| w.text).collect())
        .collect();
    let makefile = read(&checker, "Makefile");

    let mut problems = Vec::new();
    let mut target = None;
    let mut targets = 0;
    for (index, line) in makefile.lines().enumerate() {
        if let Some(recipe) = line.strip_prefix('\t') {
            // `help` prints this file's own ## comments; it runs nothing the docs describe
            let Some(name) = target.filter(|t| *t != "help") else {
                continue;
            };
            let recipe = recipe.trim_start_matches(['@', '-']);
            let commands = split_line(index + 1, recipe);
            let words: Vec<String> = commands
                .iter()
                .flat_map(|c| c.words.iter().map(|w| w.text.clone()))
                .collect();
            if commands.len() != 1 || !documented.contains(&words) {
                problems.push(format!(
                    "make {name}: `{recipe}` is not a command README.md or CONTRIBUTING.md gives"
                ));
            }
        } else if let Some((name, _)) = line.split_once(':').filter(|(n, rest)| {
            !n.starts_with('.') && !n.contains([' ', '$']) && !rest.starts_with('=')
        }) {
            target = Some(name);
            targets += 1;
            if !docs.iter().any(|d| mentions(d, &format!("make {name}"))) {
                problems.push(format!(
                    "make {name}: not documented in README.md or CONTRIBUTING.md"
                ));
            }
        } else if !line.starts_with('\t') {
            target = None;
        }
    }

    assert!(targets > 0, "no targets found in the Makefile");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
