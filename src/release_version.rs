//! What a release version looks like: a semantic version (https://semver.org), `1.2.3`,
//! `1.2.3-rc.1` or `1.2.3+build.5`. Shared by build.rs, which refuses to compile a binary whose
//! `GOGOTIME_VERSION` is anything else, and by `gogotime smoke --expect-version`.
//! No I/O and no crate: build.rs includes this file as it is.

/// Checks `raw` is a semantic version; the error says what is wrong with it.
pub fn check(raw: &str) -> Result<(), String> {
    let (without_build, build) = match raw.split_once('+') {
        Some((version, build)) => (version, Some(build)),
        None => (raw, None),
    };
    let (core, pre) = match without_build.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (without_build, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = |n: &&str| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && (n.len() == 1 || !n.starts_with('0'))
    };
    if numbers.len() != 3 || !numbers.iter().all(numeric) {
        return Err(format!(
            "'{raw}' is not a version like 1.2.3 (three numbers without leading zeros, then optionally -rc.1 or +build.5)"
        ));
    }
    let identifiers_ok = |part: &str, leading_zeros_allowed: bool| {
        part.split('.').all(|id| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && (leading_zeros_allowed
                    || !(id.len() > 1
                        && id.starts_with('0')
                        && id.bytes().all(|b| b.is_ascii_digit())))
        })
    };
    if pre.is_some_and(|pre| !identifiers_ok(pre, false)) {
        return Err(format!(
            "'{raw}' has a pre-release part that is not dot-separated letters, digits and hyphens (e.g. 1.2.3-rc.1)"
        ));
    }
    if build.is_some_and(|build| !identifiers_ok(build, true)) {
        return Err(format!(
            "'{raw}' has build metadata that is not dot-separated letters, digits and hyphens (e.g. 1.2.3+build.5)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn releases_pre_releases_and_build_metadata_are_versions() {
        for ok in [
            "0.1.0",
            "1.2.3",
            "10.20.30",
            "1.2.3-rc.1",
            "1.0.0-alpha-a.b-c",
            "1.2.3+build.5",
            "1.2.3-rc.1+sha.0abc",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        let cases = [
            ("", "not a version like 1.2.3"),
            ("1.2", "not a version like 1.2.3"),
            ("v1.2.3", "not a version like 1.2.3"),
            ("1.2.03", "not a version like 1.2.3"),
            ("1.2.3.4", "not a version like 1.2.3"),
            ("latest", "not a version like 1.2.3"),
            ("1.2.3-", "pre-release part"),
            ("1.2.3-rc..1", "pre-release part"),
            ("1.2.3-01", "pre-release part"),
            ("1.2.3-rc_1", "pre-release part"),
            ("1.2.3+", "build metadata"),
            ("1.2.3+a b", "build metadata"),
        ];
        for (raw, reason) in cases {
            let error = check(raw).unwrap_err();
            assert!(error.contains(reason), "{raw}: {error}");
        }
    }
}
