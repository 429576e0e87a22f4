//! The effective configuration as `gogotime config check` prints it: every secret redacted.

use std::fmt::Write;

use super::{Config, Origin};

#[derive(Debug, Clone)]
pub struct EffectiveValue {
    pub name: String,
    /// Already redacted where the variable is a secret.
    pub value: String,
    pub origin: Origin,
}

impl Config {
    /// One `NAME=value  (origin)` line per variable, aligned, secrets redacted.
    pub fn render_effective(&self) -> String {
        let width = self
            .effective
            .iter()
            .map(|e| e.name.len() + e.value.len() + 1)
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for e in &self.effective {
            let pair = format!("{}={}", e.name, e.value);
            // writing to a String cannot fail
            let _ = writeln!(out, "{pair:<width$}  ({})", e.origin.as_str());
        }
        out
    }
}
