//! CHANGELOG.md follows Keep a Changelog 1.1.0, the crate's version follows Semantic Versioning
//! 2.0.0 and matches the newest release, and release notes are cut from it by scripts/changelog
//! (the real script, run on a scratch copy of a small crate).

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CATEGORIES: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// A version by semver.org's grammar: numbers without leading zeros, optional pre-release and
/// build parts made of [0-9A-Za-z-] identifiers (numeric pre-release identifiers without
/// leading zeros). Returns the three numbers and the pre-release identifiers.
fn semver(text: &str) -> Option<([u64; 3], Vec<String>)> {
    let number = |n: &str| {
        (!n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && (n == "0" || !n.starts_with('0')))
        .then(|| n.parse().ok())
        .flatten()
    };
    let identifier =
        |i: &str| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let (rest, build) = text
        .split_once('+')
        .map_or((text, None), |(r, b)| (r, Some(b)));
    if build.is_some_and(|b| !b.split('.').all(identifier)) {
        return None;
    }
    let (core, pre) = rest
        .split_once('-')
        .map_or((rest, None), |(c, p)| (c, Some(p)));
    let pre: Vec<String> = pre.map_or(Vec::new(), |p| p.split('.').map(str::to_string).collect());
    let numeric_ok = |i: &String| !i.bytes().all(|b| b.is_ascii_digit()) || number(i).is_some();
    if !pre.iter().all(|i| identifier(i) && numeric_ok(i)) || pre.len() == 1 && pre[0].is_empty() {
        return None;
    }
    let parts: Vec<u64> = core.split('.').map(number).collect::<Option<_>>()?;
    Some((parts.try_into().ok()?, pre))
}

/// `## [X.Y.Z] - YYYY-MM-DD` headings, newest first, as (version, date).
fn releases(changelog: &str) -> Vec<(String, String)> {
    changelog
        .lines()
        .filter_map(|l| l.strip_prefix("## ["))
        .filter(|l| !l.starts_with("Unreleased]"))
        .map(|l| {
            let (version, date) = l
                .split_once("] - ")
                .unwrap_or_else(|| panic!("release heading '## [{l}' needs '] - YYYY-MM-DD'"));
            (version.to_string(), date.to_string())
        })
        .collect()
}

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(file))
        .unwrap_or_else(|e| panic!("read {file}: {e}"))
}

#[test]
fn semantic_versions_are_told_apart_from_other_strings() {
    for good in [
        "0.1.0",
        "1.2.3",
        "10.20.30",
        "1.0.0-rc.1",
        "1.0.0-alpha.beta.7",
        "1.0.0+build.5",
        "2.0.0-0.3.7",
    ] {
        assert!(semver(good).is_some(), "{good} is a semantic version");
    }
    for bad in [
        "1.2", "1.2.3.4", "01.2.3", "1.02.3", "v1.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.x", "",
    ] {
        assert!(semver(bad).is_none(), "{bad} is not a semantic version");
    }
}

#[test]
fn the_crate_version_is_semantic_and_matches_the_newest_release_in_the_changelog() {
    let version = env!("CARGO_PKG_VERSION");
    let changelog = read("CHANGELOG.md");

    assert!(
        semver(version).is_some(),
        "Cargo.toml's version {version} is not a semantic version"
    );
    if let Some((newest, _)) = releases(&changelog).first() {
        assert_eq!(
            newest, version,
            "Cargo.toml's version and CHANGELOG.md's newest release differ"
        );
    }
}

#[test]
fn the_changelog_keeps_the_keep_a_changelog_form() {
    let changelog = read("CHANGELOG.md");
    let headings: Vec<&str> = changelog.lines().filter(|l| l.starts_with('#')).collect();

    assert_eq!(headings.first(), Some(&"# Changelog"));
    assert_eq!(
        headings.get(1),
        Some(&"## [Unreleased]"),
        "the first section is Unreleased"
    );
    for heading in headings.iter().filter(|h| h.starts_with("### ")) {
        assert!(
            CATEGORIES.contains(&&heading[4..]),
            "'{heading}' is not a Keep a Changelog category"
        );
    }
    let releases = releases(&changelog);
    for (version, date) in &releases {
        assert!(
            semver(version).is_some(),
            "release {version} is not a semantic version"
        );
        assert!(
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
            "release {version}: '{date}' is not YYYY-MM-DD"
        );
    }
    for pair in releases.windows(2) {
        let (newer, older) = (semver(&pair[0].0).unwrap(), semver(&pair[1].0).unwrap());
        let newer_first =
            newer.0 > older.0 || newer.0 == older.0 && !older.1.is_empty() && newer.1 != older.1;
        assert!(
            newer_first,
            "{} is listed above {} but is not newer",
            pair[0].0, pair[1].0
        );
    }
}

/// A scratch crate with the real script, a changelog and a lock file.
fn scratch_crate(changelog: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::copy(
        Path::new(ROOT).join("scripts/changelog"),
        dir.path().join("scripts/changelog"),
    )
    .unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"gogotime\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("CHANGELOG.md"), changelog).unwrap();
    assert!(cargo(dir.path(), &["generate-lockfile", "--offline"]).0);
    dir
}

fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn changelog(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(dir.join("scripts/changelog"))
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

const SAMPLE: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- Week grid.\n- Icon.\n\n## [0.1.0] - 2026-11-30\n\n### Added\n\n- First.\n";

#[test]
fn a_release_is_cut_from_unreleased_and_its_notes_are_that_section() {
    let dir = scratch_crate(SAMPLE);
    let path = dir.path();

    assert_eq!(
        changelog(path, &["notes", "Unreleased"]),
        (
            0,
            "### Added\n\n- Week grid.\n- Icon.\n".into(),
            String::new()
        )
    );
    let (code, out, err) = changelog(path, &["cut", "0.2.0", "2026-12-24"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0.1.0 → 0.2.0"), "{out}");

    let cut = std::fs::read_to_string(path.join("CHANGELOG.md")).unwrap();
    assert_eq!(
        cut,
        SAMPLE.replace(
            "## [Unreleased]\n",
            "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n"
        )
    );
    let (locked, metadata) = cargo(
        path,
        &[
            "metadata",
            "--locked",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ],
    );
    assert!(
        locked,
        "Cargo.lock must agree with Cargo.toml after the cut"
    );
    assert!(metadata.contains("\"version\":\"0.2.0\""), "{metadata}");
    assert_eq!(
        changelog(path, &["notes", "v0.2.0"]),
        (
            0,
            "### Added\n\n- Week grid.\n- Icon.\n".into(),
            String::new()
        )
    );
    assert_eq!(
        changelog(path, &["notes", "0.1.0"]).0,
        1,
        "0.1.0 is not Cargo.toml's version any more"
    );
}

#[test]
fn releasing_refuses_what_the_changelog_or_the_crate_does_not_say() {
    let dir = scratch_crate(SAMPLE);
    let path = dir.path();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["notes", "0.3.0"],
            1,
            "CHANGELOG.md has no '## [0.3.0] - YYYY-MM-DD' section",
        ),
        (&["notes", "1.0"], 2, "'1.0' is not a semantic version"),
        (
            &["cut", "0.0.9"],
            1,
            "0.0.9 is not newer than the latest release, 0.1.0",
        ),
        (&["cut", "0.1.0"], 1, "0.1.0 is already released"),
        (
            &["cut", "0.2.0", "24.12.2026"],
            2,
            "'24.12.2026' is not a date",
        ),
        (&["cut", "01.2.0"], 2, "'01.2.0' is not a semantic version"),
        (&["publish", "0.2.0"], 2, ""),
    ];
    for (args, code, message) in cases {
        let (got, _, err) = changelog(path, args);
        assert_eq!(got, *code, "{args:?}: {err}");
        assert!(
            err.contains(message),
            "{args:?} should say '{message}', said: {err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(path.join("CHANGELOG.md")).unwrap(),
        SAMPLE,
        "a refusal changes nothing"
    );

    std::fs::write(
        path.join("CHANGELOG.md"),
        SAMPLE.replace("0.1.0] - 2026-11-30", "0.1.1] - 2026-11-30"),
    )
    .unwrap();
    let (code, _, err) = changelog(path, &["notes", "0.1.1"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Cargo.toml's version is 0.1.0, not 0.1.1"),
        "{err}"
    );

    std::fs::write(
        path.join("CHANGELOG.md"),
        "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-11-30\n\n- First.\n",
    )
    .unwrap();
    let (code, _, err) = changelog(path, &["cut", "0.2.0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the Unreleased section of CHANGELOG.md has no entries to release"),
        "{err}"
    );
}

#[test]
fn the_next_release_notes_are_the_real_changelogs_unreleased_section() {
    let changelog = read("CHANGELOG.md");
    let section: Vec<&str> = changelog
        .lines()
        .skip_while(|l| *l != "## [Unreleased]")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect();
    let expected = section.join("\n").trim().to_string();

    let out = Command::new(Path::new(ROOT).join("scripts/changelog"))
        .args(["notes", "Unreleased"])
        .output()
        .unwrap();

    // right after a release the section is empty, and there is nothing to announce
    let code = if expected.is_empty() { 1 } else { 0 };
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), expected);
}
