//! A snapshot of the environment variables GoGoTime may read, remembering where each came from.

use std::collections::BTreeMap;
use std::path::Path;

use super::parse::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Default,
    Environment,
    DotEnv,
    /// Read from the file named by `NAME_FILE`.
    File,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Environment => "environment",
            Self::DotEnv => ".env",
            Self::File => "file",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct EnvSnapshot {
    vars: BTreeMap<String, (String, Origin)>,
    /// Problems found while taking the snapshot, reported with all the others.
    pub(super) problems: Vec<ConfigError>,
}

impl EnvSnapshot {
    /// Variables given explicitly (tests, embedding).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let vars = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), (v.into(), Origin::Environment)))
            .collect();
        Self {
            vars,
            problems: Vec::new(),
        }
    }

    /// The process environment, plus `./.env` when running in development.
    pub fn from_process() -> Self {
        let mut snapshot = Self::default();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().map(str::to_owned) else {
                continue;
            };
            match value.into_string() {
                Ok(value) => {
                    snapshot.vars.insert(name, (value, Origin::Environment));
                }
                Err(_) if is_ours(&name) => snapshot.problems.push(ConfigError::new(
                    &name,
                    "is not valid UTF-8; set it to a plain text value",
                )),
                Err(_) => {}
            }
        }
        let development = snapshot
            .get("GOGOTIME_ENV")
            .is_none_or(|env| env.trim() == "development");
        if development {
            snapshot.merge_dotenv(Path::new(".env"));
        }
        snapshot
    }

    /// Adds the variables of a `.env` file that the process environment does not already set.
    fn merge_dotenv(&mut self, path: &Path) {
        let iter = match dotenvy::from_path_iter(path) {
            Ok(iter) => iter,
            Err(e) if e.not_found() => return,
            Err(e) => {
                self.problems
                    .push(ConfigError::new(".env", format!("cannot be read: {e}")));
                return;
            }
        };
        for item in iter {
            match item {
                Ok((name, _)) if name == "GOGOTIME_ENV" => self.problems.push(ConfigError::new(
                    "GOGOTIME_ENV",
                    "is set in .env, which is read in development only; set GOGOTIME_ENV in the process environment instead",
                )),
                Ok((name, value)) => {
                    self.vars.entry(name).or_insert((value, Origin::DotEnv));
                }
                Err(e) => {
                    // dotenvy's message names the line but never echoes a value
                    self.problems.push(ConfigError::new(".env", format!("has a line that cannot be parsed: {e}")));
                }
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|(v, _)| v.as_str())
    }

    pub fn origin(&self, name: &str) -> Option<Origin> {
        self.vars.get(name).map(|(_, o)| *o)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

fn is_ours(name: &str) -> bool {
    name.starts_with("GOGOTIME_") || super::known::lookup(name.trim_end_matches("_FILE")).is_some()
}
