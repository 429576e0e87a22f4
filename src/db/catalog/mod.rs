//! Clients, projects (and their members), tasks and tags.

pub mod clients;
pub mod projects;
pub mod tags;
pub mod tasks;

/// Filters shared by the catalog lists.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `Some(false)`: active only; `Some(true)`: archived only; `None`: both.
    pub archived: Option<bool>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

impl ListFilter {
    /// The search as a LIKE pattern with `%`, `_` and `\` taken literally.
    pub(super) fn pattern(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let escaped = s
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            })
    }
}
