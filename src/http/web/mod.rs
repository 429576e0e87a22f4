//! HTML pages. Each handler renders an askama template through `page::html`, which adds the
//! `no-cache` + ETag revalidation every page uses.

pub mod api_docs;
pub mod error_page;
mod page;
pub mod status;
