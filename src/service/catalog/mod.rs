//! Clients, projects, tasks and tags: managers and above maintain them; members see the active
//! ones (and private projects only where they are project members).

pub mod clients;
pub mod projects;
pub mod tags;
pub mod tasks;

use serde::Deserialize;

use crate::db::catalog::ListFilter;
use crate::domain::role::{Permission, Role, allows};
use crate::domain::text::check_nul_free;
use crate::error::AppError;

/// `?archived=false|true|all&search=…` as the API and pages accept it.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub archived: Option<String>,
    pub search: Option<String>,
}

impl ListQuery {
    /// The filter a member with `role` may use: members see active items only.
    pub fn filter(&self, role: Role) -> Result<ListFilter, AppError> {
        let archived = match self.archived.as_deref().unwrap_or("false") {
            "false" => Some(false),
            "true" => Some(true),
            "all" => None,
            other => {
                return Err(super::invalid(
                    "archived",
                    format!("is '{other}'; use false, true or all"),
                ));
            }
        };
        if !allows(role, Permission::ViewWholeCatalog) && archived != Some(false) {
            return Err(AppError::Forbidden(
                "Only managers and above see archived items.".into(),
            ));
        }
        if self
            .search
            .as_deref()
            .is_some_and(|s| s.chars().count() > 200)
        {
            return Err(super::invalid("search", "must be at most 200 characters"));
        }
        if let Some(Err(problem)) = self.search.as_deref().map(check_nul_free) {
            return Err(super::invalid("search", problem));
        }
        Ok(ListFilter {
            archived,
            search: self.search.clone(),
        })
    }
}

/// A unique-name conflict on create or rename.
pub(super) fn name_taken(what: &str) -> AppError {
    super::conflict("name", &format!("another {what} already has this name"))
}

/// 409 for deleting something still in use, naming the way out.
pub(super) fn in_use(message: String) -> AppError {
    AppError::Conflict(message)
}
