//! The checks of `preflight` on this machine's files: free space where GoGoTime writes (the
//! temporary directory imports and exports spool to, the SQLite database's directory, the backup
//! directory) and the age of the newest backup in a directory.

use std::path::{Path, PathBuf};

use super::Options;
use crate::commands::checklist::Checklist;
use crate::config::Config;

/// "1G", "500M", "2T", "1048576" (bytes); binary units.
pub fn parse_size(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let factor: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => 0,
    };
    match number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
    {
        Some(bytes) if factor > 0 => Ok(bytes),
        _ => Err(format!(
            "is '{raw}'; expected a size such as 500M, 1G or 2T"
        )),
    }
}

/// "38.1 GiB"
pub fn show_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn free_bytes(dir: &Path) -> Result<u64, String> {
    let stats = rustix::fs::statvfs(dir)
        .map_err(|e| format!("{} cannot be examined ({e})", dir.display()))?;
    Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
}

pub fn check_disk(list: &mut Checklist, options: &Options, config: &Config) {
    if options.skipped("disk") {
        list.skip("disk", "skipped (--skip disk)");
        return;
    }
    let mut dirs: Vec<(&str, PathBuf)> = vec![("temporary files", std::env::temp_dir())];
    if let Some(parent) = config.database.url.sqlite_path().map(|p| match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }) {
        dirs.push(("SQLite database", parent));
    }
    if let Some(backups) = &options.args.backups {
        dirs.push(("backups", backups.clone()));
    }
    let wanted = show_size(options.min_free_bytes);
    let mut seen = Vec::new();
    let mut short = Vec::new();
    for (what, dir) in &dirs {
        match free_bytes(dir) {
            Ok(free) if free >= options.min_free_bytes => {
                seen.push(format!(
                    "{} ({what}) {} free",
                    dir.display(),
                    show_size(free)
                ));
            }
            Ok(free) => short.push(format!(
                "{} ({what}) has {} free, less than {wanted}",
                dir.display(),
                show_size(free)
            )),
            Err(problem) => short.push(format!("{problem} ({what})")),
        }
    }
    if short.is_empty() {
        list.pass(
            "disk",
            format!("{}; at least {wanted} wanted", seen.join(", ")),
        );
    } else {
        list.fail(
            "disk",
            short.join("; "),
            "free space or give the volume more room before deploying (--min-free sets the threshold); a directory that cannot be examined must exist and be readable",
        );
    }
}

pub fn check_backup_dir(list: &mut Checklist, options: &Options, dir: &Path) {
    let backups = match crate::commands::backup::list(dir) {
        Ok(backups) => backups,
        Err(e) => {
            list.fail(
                "backups",
                format!("{e:#}"),
                "name the directory `gogotime backup --to` writes into (the backups volume)",
            );
            return;
        }
    };
    let limit = super::age(chrono::Duration::from_std(options.max_backup_age).unwrap_or_default());
    let Some((path, manifest)) = backups.last() else {
        list.fail(
            "backups",
            format!("no complete backup in {}", dir.display()),
            format!(
                "take one now: `gogotime backup --to {}` (docs/operations/backup-restore.md)",
                dir.display()
            ),
        );
        return;
    };
    let age = chrono::Utc::now() - manifest.created_at;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if age.to_std().unwrap_or_default() > options.max_backup_age {
        list.fail(
            "backups",
            format!("the newest backup, {name}, is {} old (more than {limit})", super::age(age)),
            format!("take one now: `gogotime backup --to {}`, and check why the scheduled backups stopped", dir.display()),
        );
    } else {
        list.pass(
            "backups",
            format!(
                "newest backup {name} is {} old (at most {limit} wanted); schema {}, {} rows",
                super::age(age),
                manifest.schema_version,
                manifest.total_rows()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(
            parse_size("1X")
                .unwrap_err()
                .contains("expected a size such as 500M")
        );
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn sizes_show_in_the_largest_whole_unit() {
        assert_eq!(show_size(512), "512 B");
        assert_eq!(show_size(1 << 30), "1.0 GiB");
        assert_eq!(show_size(1536 << 20), "1.5 GiB");
    }
}
