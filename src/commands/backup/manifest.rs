//! `manifest.json`, written last into every backup directory: what the backup holds (versions,
//! time, the data file's size and SHA-256, every table's fingerprint), and the checks a restore
//! makes before it touches the target.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::backup::TableFingerprint;

pub const FORMAT: &str = "gogotime-backup/1";
pub const FILE_NAME: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// GoGoTime release that wrote the backup.
    pub gogotime_version: String,
    /// "postgres" or "sqlite"; a backup restores into the same kind of database.
    pub database: String,
    /// e.g. "PostgreSQL 15.8"
    pub server: String,
    /// Newest migration applied when the backup was taken.
    pub schema_version: i64,
    pub created_at: DateTime<Utc>,
    pub duration_seconds: f64,
    pub file: DataFile,
    pub tables: Vec<TableFingerprint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(FILE_NAME);
        let json = serde_json::to_vec_pretty(self).context("serialising the manifest failed")?;
        std::fs::write(&path, json)
            .with_context(|| format!("writing {} failed", path.display()))?;
        sync(&path)
    }

    /// Reads the manifest of a backup directory (or the manifest file itself).
    pub fn read(from: &Path) -> Result<(Manifest, PathBuf), String> {
        let (dir, path) = if from.is_dir() {
            (from.to_path_buf(), from.join(FILE_NAME))
        } else {
            let dir = from.parent().map(Path::to_path_buf).unwrap_or_default();
            (dir, from.to_path_buf())
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{} cannot be read ({e}); name a directory written by `gogotime backup`",
                path.display()
            )
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a valid backup manifest ({e}); the backup is damaged",
                path.display()
            )
        })?;
        if manifest.format != FORMAT {
            return Err(format!(
                "{} has format '{}'; this release reads '{FORMAT}'",
                path.display(),
                manifest.format
            ));
        }
        Ok((manifest, dir))
    }

    /// The data file, checked against the manifest's size and SHA-256.
    pub fn verified_data_file(&self, dir: &Path) -> Result<PathBuf, String> {
        let path = dir.join(&self.file.name);
        let bytes = std::fs::metadata(&path)
            .map_err(|e| {
                format!(
                    "{} cannot be read ({e}); the backup is incomplete",
                    path.display()
                )
            })?
            .len();
        if bytes != self.file.bytes {
            return Err(format!(
                "{} is {bytes} bytes but the manifest says {}: the backup is truncated or damaged; nothing was restored",
                path.display(),
                self.file.bytes
            ));
        }
        let sha256 = sha256_of(&path).map_err(|e| format!("{e:#}"))?;
        if sha256 != self.file.sha256 {
            return Err(format!(
                "{} does not match the SHA-256 in the manifest: the backup is corrupt; nothing was restored",
                path.display()
            ));
        }
        Ok(path)
    }
}

pub fn sha256_of(path: &Path) -> anyhow::Result<String> {
    use sha2::Digest;
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {} failed", path.display()))?;
    let mut sha = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("reading {} failed", path.display()))?;
        if n == 0 {
            break;
        }
        sha.update(&buffer[..n]);
    }
    Ok(hex::encode(sha.finalize()))
}

pub fn sync(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {} to disk failed", path.display()))
}
